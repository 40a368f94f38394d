/**
 * The points of alert changes (see `series/types.ts`): what an ingest
 * statement did to a fingerprint's row, or what a status transition did to
 * an alert. Pure functions; the repository hands the points to its sink once
 * the transaction has committed.
 */
import type { Alert } from '../../domain/alert.js';
import type { NotificationMessage } from '../../domain/notification-message.js';
import type { SeriesPoint } from '../series/types.js';

/** What a point needs of an ingested item. */
export interface IngestedItem {
  readonly data: {
    readonly startsAt: Date;
    readonly endsAt: Date | null;
    readonly lastReceivedAt?: unknown;
    readonly level: string;
    readonly status: string;
    readonly ruleId: string | null;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly resolving: boolean;
}

const MINUTE = 60_000;

function alertnameOf(labels: Readonly<Record<string, string>>): string | null {
  return Object.hasOwn(labels, 'alertname') ? (labels.alertname ?? null) : null;
}

/** What a resend's point is tagged with, from its item's validated data. */
export interface ResendTags {
  readonly ruleId: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly level: string;
}

type Counted = { point: Omit<SeriesPoint, 'count'>; count: number };

/** Resends per minute and tags, summed over a statement: one point each. */
export class HeartbeatCounter {
  readonly #counts = new Map<string, Counted>();
  /** The entry of the last call and what it was for: a batch's resends mostly share it. */
  #last: { tenantId: string; minute: number; tags: ResendTags; entry: Counted } | undefined;

  add(tenantId: string, tags: ResendTags, at: number, count: number): void {
    if (count <= 0) return;
    const minute = Math.floor(at / MINUTE) * MINUTE;
    const last = this.#last;
    if (
      last !== undefined &&
      last.minute === minute &&
      last.tenantId === tenantId &&
      (last.tags === tags ||
        (last.tags.ruleId === tags.ruleId &&
          last.tags.level === tags.level &&
          alertnameOf(last.tags.labels) === alertnameOf(tags.labels)))
    ) {
      last.entry.count += count;
      return;
    }
    const rule = tags.ruleId;
    const alertname = alertnameOf(tags.labels);
    const key = JSON.stringify([tenantId, minute, rule, alertname, tags.level]);
    let entry = this.#counts.get(key);
    if (entry !== undefined) {
      entry.count += count;
    } else {
      entry = {
        point: {
          kind: 'heartbeat',
          tenantId,
          time: minute,
          rule,
          alertname,
          severity: tags.level,
          status: 'firing',
          durationMs: null,
        },
        count,
      };
      this.#counts.set(key, entry);
    }
    this.#last = { tenantId, minute, tags, entry };
  }

  /** The points, appended to `out`. */
  drainInto(out: SeriesPoint[]): void {
    for (const { point, count } of this.#counts.values()) out.push({ ...point, count });
    this.#counts.clear();
    this.#last = undefined;
  }
}

/** What tells one `created` point from another. */
type CreatedKey = Pick<
  SeriesPoint,
  'tenantId' | 'time' | 'rule' | 'alertname' | 'severity' | 'status'
>;

/**
 * Adds a created alert to `out`: counted into the last point when that is a
 * `created` point of the same time and tags (alerts of one rule that start
 * firing together come in one batch), else as a point of its own. Both
 * stores sum `count` over created points, so a point of 40 stands for 40
 * points of 1, in one row instead of forty.
 */
function addCreated(out: SeriesPoint[], key: CreatedKey): void {
  const last = out[out.length - 1];
  if (
    last !== undefined &&
    last.kind === 'created' &&
    last.time === key.time &&
    last.tenantId === key.tenantId &&
    last.rule === key.rule &&
    last.alertname === key.alertname &&
    last.severity === key.severity &&
    last.status === key.status
  ) {
    out[out.length - 1] = { ...last, count: last.count + 1 };
    return;
  }
  out.push({ ...key, kind: 'created', count: 1, durationMs: null });
}

/**
 * The points of one fingerprint's items after the ingest statement:
 * `inserted` → created (and resolved, when the same batch resolved it),
 * `resolved` → resolved, and the other items as resends.
 */
export function ingestPoints(
  tenantId: string,
  items: readonly IngestedItem[],
  kind: 'inserted' | 'updated' | 'resolved' | 'twin',
  received: number,
  out: SeriesPoint[],
  heartbeats: HeartbeatCounter,
): void {
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) return;
  let startsAt = first.data.startsAt.getTime();
  for (const item of items) startsAt = Math.min(startsAt, item.data.startsAt.getTime());
  const tags = {
    tenantId,
    rule: last.data.ruleId,
    alertname: alertnameOf(last.data.labels),
    severity: last.data.level,
  };
  const resolves = (kind === 'inserted' || kind === 'resolved') && last.resolving;
  if (kind === 'inserted') addCreated(out, { ...tags, time: startsAt, status: first.data.status });
  if (resolves) {
    const endsAt = last.data.endsAt?.getTime() ?? received;
    out.push({
      ...tags,
      kind: 'resolved',
      time: endsAt,
      status: 'resolved',
      count: 1,
      durationMs: Math.max(0, endsAt - startsAt),
    });
  }
  // The items that neither created nor resolved the row are resends.
  heartbeats.add(
    tenantId,
    last.data,
    received,
    items.length - (kind === 'inserted' ? 1 : 0) - (resolves ? 1 : 0),
  );
}

/** The points of a status transition (`current` → `next`), none when the status did not change. */
export function transitionPoints(tenantId: string, current: Alert, next: Alert): SeriesPoint[] {
  if (current.status === next.status) return [];
  const tags = {
    tenantId,
    rule: next.ruleId,
    alertname: alertnameOf(next.labels),
    severity: next.level,
  };
  const startsAt = next.startsAt.getTime();
  const at = next.updatedAt.getTime();
  const points: SeriesPoint[] = [
    { ...tags, kind: 'status', time: at, status: next.status, count: 1, durationMs: null },
  ];
  if (next.status === 'acknowledged' && next.acknowledgedAt !== null) {
    const ackAt = next.acknowledgedAt.getTime();
    points.push({
      ...tags,
      kind: 'acknowledged',
      time: ackAt,
      status: 'acknowledged',
      count: 1,
      durationMs: Math.max(0, ackAt - startsAt),
    });
  }
  if (next.status === 'resolved') {
    const endsAt = next.endsAt?.getTime() ?? at;
    points.push({
      ...tags,
      kind: 'resolved',
      time: endsAt,
      status: 'resolved',
      count: 1,
      durationMs: Math.max(0, endsAt - startsAt),
    });
  }
  return points;
}

/** The points of a notification delivered at `at` (see `SeriesPoint`, kind `notified`). */
export function notifiedPoints(message: NotificationMessage, at: number): SeriesPoint[] {
  const points = new Map<string, SeriesPoint>();
  for (const alert of message.alerts) {
    const alertname = alertnameOf(alert.labels);
    const severity = Object.hasOwn(alert.labels, 'severity')
      ? (alert.labels.severity ?? null)
      : null;
    const key = JSON.stringify([alertname, severity, alert.status]);
    const found = points.get(key);
    points.set(key, {
      kind: 'notified',
      tenantId: message.tenantId,
      time: at,
      rule: null,
      alertname,
      severity,
      status: alert.status,
      count: (found?.count ?? 0) + 1,
      durationMs: null,
    });
  }
  return [...points.values()];
}
