/**
 * The notification scheduler's pass over a tenant, in one transaction:
 * route the events that changes left (`notification_events`) into groups,
 * flush the groups whose time has come into the outbox as Alertmanager
 * would notify them, and escalate unacknowledged alerts. See
 * `docs/notifications.md`.
 */
import { Priority } from '../../base/enums/index.js';
import { newId } from '../../base/utils/ids.js';
import { InhibitRule } from '../../domain/inhibit-rule.js';
import { inhibitedBy } from '../../domain/inhibition.js';
import { type NotificationLogEntry, needsUpdate } from '../../domain/notification-dedup.js';
import { buildNotificationMessage, type MessageAlert } from '../../domain/notification-message.js';
import {
  groupOf,
  type RouteTarget,
  type RoutingCompiler,
  type RuleChannels,
  type TenantRouting,
} from '../../domain/notification-route.js';
import type { Database, TransactionClient } from '../types.js';
import { type AlertDocumentRow, alertDocument } from './alert-document.js';
import { type AuditKeys, appendAudit } from './audit-log.js';
import {
  ALERTS_BY_ID,
  CHANNELS_BY_ID,
  DELIVER_SCHEDULE,
  ESCALATION_DELETE,
  ESCALATION_PUT,
  ESCALATIONS_DUE,
  EVENTS_TAKE,
  GROUP_JOIN_EXISTING,
  GROUPS_DELETE,
  GROUPS_DUE,
  GROUPS_FLUSHED,
  GROUPS_JOIN,
  INHIBIT_RULE_DOCS,
  LOG_OF,
  LOGS_PUT,
  NOTIFY_NEXT,
  NOTIFY_SCHEDULE,
  OUTBOX_INSERT_MANY,
  ROUTING_TREE,
  RULE_CHANNELS,
} from './notification-sql.js';
import { readOpenAlertsIn } from './open-alerts.js';
import {
  DUE_CLEAR,
  DUE_FIRST,
  DUE_LOCK,
  DUE_SET,
  DUE_SET_EARLIER,
  DUE_TENANTS,
} from './scheduler-due.js';

/** Settings of {@link NotificationGroups}. */
export interface NotificationGroupsOptions {
  /** How alertbase is reached (`externalURL` of messages). */
  readonly externalURL: string;
  /** Alerts in one message at most; the rest are counted as truncated. */
  readonly maxAlertsPerMessage: number;
  /** Compiles a tenant's routing tree and rules into its routing. */
  readonly compile: RoutingCompiler;
  /** Seals its audit entries (HMAC); without them they are plain SHA-256. */
  readonly auditKeys?: AuditKeys | undefined;
}

/** Channel types that pass on an acknowledgement made in alertbase. */
const ACKNOWLEDGING_TYPES: ReadonlySet<string> = new Set(['pagerduty', 'opsgenie']);

/** Events taken per pass, groups flushed per pass, escalations per pass. */
const EVENTS_PER_PASS = 1_000;
const GROUPS_PER_PASS = 500;
const ESCALATIONS_PER_PASS = 200;

/** An alert as routing and flushing read it from its row. */
interface RoutedAlert {
  readonly id: string;
  readonly fingerprint: string;
  readonly ruleId: string | null;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly status: string;
  readonly priority: string;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly generatorURL: string | null;
}

type ChannelRow = {
  readonly id: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly send_resolved: boolean | null;
};

type GroupRow = {
  readonly id: string;
  readonly receiver: string;
  readonly group_key: string;
  readonly group_labels: Record<string, string>;
  readonly route: RouteTarget;
  readonly members: string[];
  readonly next_flush_at: Date;
};

function asRecord(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

function alertOf(id: string, doc: Record<string, unknown>, fingerprint: string): RoutedAlert {
  const ends = doc.endsAt;
  return {
    id,
    fingerprint,
    ruleId: typeof doc.ruleId === 'string' ? doc.ruleId : null,
    labels: asRecord(doc.labels),
    annotations: asRecord(doc.annotations),
    status: String(doc.status),
    priority: String(doc.priority),
    startsAt: new Date(String(doc.startsAt)),
    endsAt: typeof ends === 'string' ? new Date(ends) : null,
    generatorURL: typeof doc.generatorURL === 'string' ? doc.generatorURL : null,
  };
}

/** A group that alerts join in a pass, with the alerts. */
interface GroupJoin {
  readonly id: string;
  readonly routeKey: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly route: RouteTarget;
  readonly members: Set<string>;
  flushAt: string;
}

/** The notification scheduler's work on the database (routing, flushing, escalating). */
export class NotificationGroups {
  constructor(
    private readonly db: Database,
    private readonly options: NotificationGroupsOptions,
  ) {}

  /**
   * One pass over the tenants due now (at most `limit`): each in its own
   * transaction. Returns the tenants that queued notifications.
   */
  async pass(now: Date, limit = 50): Promise<string[]> {
    return this.#pass(now, limit);
  }

  /** The earliest time any tenant needs a pass, if any. */
  async nextDue(): Promise<Date | null> {
    const { rows } = await this.db.query<{ due: Date | null }>(
      DUE_FIRST.text,
      [NOTIFY_SCHEDULE],
      DUE_FIRST.options,
    );
    return rows[0]?.due ?? null;
  }

  async #pass(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant_id: string }>(
      DUE_TENANTS.text,
      [NOTIFY_SCHEDULE, now, limit],
      DUE_TENANTS.options,
    );
    const queued: string[] = [];
    for (const { tenant_id: tenantId } of rows) {
      const n = await this.db.withTenant(tenantId, (tx) => this.#tenantPass(tx, tenantId, now));
      if (n > 0) queued.push(tenantId);
    }
    return queued;
  }

  /** A tenant's pass; returns how many notifications it queued. */
  async #tenantPass(tx: TransactionClient, tenantId: string, now: Date): Promise<number> {
    const events = await tx.query<{ alert_id: string; kind: string; created_at: Date }>(
      EVENTS_TAKE.text,
      [tenantId, EVENTS_PER_PASS],
      EVENTS_TAKE.options,
    );
    const escalations = await tx.query<{ alert_id: string; step: number }>(
      ESCALATIONS_DUE.text,
      [tenantId, now, ESCALATIONS_PER_PASS],
      ESCALATIONS_DUE.options,
    );
    const alerts = await this.#alerts(tx, tenantId, [
      ...events.rows.map((e) => e.alert_id),
      ...escalations.rows.map((e) => e.alert_id),
    ]);
    const routing = await this.#routing(tx, tenantId, alerts);
    const queue = new Outbox(tx, tenantId, now);
    const joins = new Map<string, GroupJoin>();

    for (const event of events.rows) {
      const alert = alerts.get(event.alert_id);
      if (alert === undefined) continue;
      // Group wait counts from the change, not from when this pass routes it.
      const at = new Date(event.created_at);
      await this.#route(tx, tenantId, routing, alert, event.kind, at, queue, joins);
    }
    if (joins.size > 0) {
      const rows = [...joins.values()].map((j) => ({ ...j, members: [...j.members] }));
      await tx.query(GROUPS_JOIN.text, [tenantId, JSON.stringify(rows)], GROUPS_JOIN.options);
    }
    // After routing: a group this pass made may be due already.
    const groups = await tx.query<GroupRow>(
      GROUPS_DUE.text,
      [tenantId, now, GROUPS_PER_PASS],
      GROUPS_DUE.options,
    );
    if (groups.rows.length > 0) {
      const missing = groups.rows.flatMap((g) => g.members.filter((m) => !alerts.has(m)));
      for (const [id, a] of await this.#alerts(tx, tenantId, [...new Set(missing)])) {
        alerts.set(id, a);
      }
      await this.#flush(tx, tenantId, routing, groups.rows, alerts, now, queue);
    }
    for (const e of escalations.rows) {
      await this.#escalate(tx, tenantId, routing, alerts.get(e.alert_id), e, now, queue);
    }
    await queue.write();

    // An ingest on another instance may be leaving events right now (its
    // DUE_SET_EARLIER at the end): wait for it, so that the next due time
    // read below sees them and is not written over theirs.
    await tx.query(DUE_LOCK.text, [tenantId, NOTIFY_SCHEDULE], DUE_LOCK.options);
    const next = await tx.query<{ due: Date | null }>(
      NOTIFY_NEXT.text,
      [tenantId, now],
      NOTIFY_NEXT.options,
    );
    const due = next.rows[0]?.due ?? null;
    if (due === null) {
      await tx.query(DUE_CLEAR.text, [tenantId, NOTIFY_SCHEDULE], DUE_CLEAR.options);
    } else {
      await tx.query(DUE_SET.text, [tenantId, NOTIFY_SCHEDULE, due], DUE_SET.options);
    }
    if (queue.count > 0) {
      await tx.query(
        DUE_SET_EARLIER.text,
        [tenantId, DELIVER_SCHEDULE, now],
        DUE_SET_EARLIER.options,
      );
    }
    return queue.count;
  }

  async #alerts(
    tx: TransactionClient,
    tenantId: string,
    ids: readonly string[],
  ): Promise<Map<string, RoutedAlert>> {
    const out = new Map<string, RoutedAlert>();
    if (ids.length === 0) return out;
    const { rows } = await tx.query<AlertDocumentRow & { id: string; fp: string }>(
      ALERTS_BY_ID.text,
      [tenantId, ids],
      ALERTS_BY_ID.options,
    );
    for (const r of rows) out.set(r.id, alertOf(r.id, alertDocument(r), r.fp));
    return out;
  }

  async #routing(
    tx: TransactionClient,
    tenantId: string,
    alerts: ReadonlyMap<string, RoutedAlert>,
  ): Promise<TenantRouting> {
    const tree = await tx.query<{ doc: unknown }>(
      ROUTING_TREE.text,
      [tenantId],
      ROUTING_TREE.options,
    );
    const ruleIds = new Set<string>();
    for (const a of alerts.values()) if (a.ruleId !== null) ruleIds.add(a.ruleId);
    const rules = new Map<string, RuleChannels>();
    if (ruleIds.size > 0) {
      const { rows } = await tx.query<{ id: string; name: string; channel_ids: string[] }>(
        RULE_CHANNELS.text,
        [tenantId, [...ruleIds]],
        RULE_CHANNELS.options,
      );
      for (const r of rows) rules.set(r.id, { id: r.id, name: r.name, channelIds: r.channel_ids });
    }
    return this.options.compile(tree.rows[0]?.doc, rules);
  }

  /** Routes one event: joins groups, schedules or ends escalation, passes on an acknowledgement. */
  async #route(
    tx: TransactionClient,
    tenantId: string,
    routing: TenantRouting,
    alert: RoutedAlert,
    kind: string,
    now: Date,
    queue: Outbox,
    joins: Map<string, GroupJoin>,
  ): Promise<void> {
    const targets = routing.targets(alert.labels, alert.ruleId);
    if (kind === 'inserted' || kind === 'reopened') {
      for (const target of targets) {
        const group = groupOf(target, alert.labels);
        // An alert whose group wait is already over flushes a new group at once.
        const waited = alert.startsAt.getTime() + target.groupWaitMs <= now.getTime();
        const flushAt = waited ? now : new Date(now.getTime() + target.groupWaitMs);
        const known = joins.get(group.id);
        if (known === undefined) {
          joins.set(group.id, {
            id: group.id,
            routeKey: target.routeKey,
            receiver: target.receiver,
            groupKey: group.groupKey,
            groupLabels: group.groupLabels,
            route: target,
            members: new Set([alert.id]),
            flushAt: flushAt.toISOString(),
          });
        } else {
          known.members.add(alert.id);
          if (flushAt.toISOString() < known.flushAt) known.flushAt = flushAt.toISOString();
        }
      }
      if (targets.length > 0 && routing.escalation.length > 0 && Priority.is(alert.priority)) {
        const due = new Date(now.getTime() + Priority.sla(alert.priority).escalationMs);
        await tx.query(ESCALATION_PUT.text, [tenantId, alert.id, 0, due], ESCALATION_PUT.options);
      }
      return;
    }
    await tx.query(ESCALATION_DELETE.text, [tenantId, alert.id], ESCALATION_DELETE.options);
    if (kind === 'resolved') {
      for (const target of targets) {
        const group = groupOf(target, alert.labels);
        await tx.query(
          GROUP_JOIN_EXISTING.text,
          [tenantId, group.id, alert.id],
          GROUP_JOIN_EXISTING.options,
        );
      }
      return;
    }
    // Acknowledged: the channels that track incidents hear of it at once.
    const channelIds = [...new Set(targets.flatMap((t) => t.channelIds))];
    const channels = await this.#channels(tx, tenantId, channelIds);
    for (const target of targets) {
      const group = groupOf(target, alert.labels);
      for (const id of target.channelIds) {
        const channel = channels.get(id);
        if (channel === undefined || !channel.enabled || !ACKNOWLEDGING_TYPES.has(channel.type)) {
          continue;
        }
        await queue.add(channel.id, group.id, target.receiver, 'acknowledge', [alert], {
          groupKey: group.groupKey,
          groupLabels: group.groupLabels,
          externalURL: this.options.externalURL,
          maxAlerts: this.options.maxAlertsPerMessage,
        });
      }
    }
  }

  async #channels(
    tx: TransactionClient,
    tenantId: string,
    ids: readonly string[],
  ): Promise<Map<string, ChannelRow>> {
    const out = new Map<string, ChannelRow>();
    if (ids.length === 0) return out;
    const { rows } = await tx.query<ChannelRow>(
      CHANNELS_BY_ID.text,
      [tenantId, ids],
      CHANNELS_BY_ID.options,
    );
    for (const r of rows) out.set(r.id, r);
    return out;
  }

  /** Alertmanager's inhibition over the tenant's open alerts, if it has rules. */
  async #inhibited(tx: TransactionClient, tenantId: string, now: Date): Promise<Set<string>> {
    const { rows } = await tx.query<{ doc: unknown }>(
      INHIBIT_RULE_DOCS.text,
      [tenantId],
      INHIBIT_RULE_DOCS.options,
    );
    if (rows.length === 0) return new Set();
    const rules = rows.map((r) => InhibitRule.parse(r.doc));
    const open = await readOpenAlertsIn(tx, tenantId, now);
    return new Set(inhibitedBy(rules, open).keys());
  }

  /** Flushes due groups: what each channel is owed goes into the outbox. */
  async #flush(
    tx: TransactionClient,
    tenantId: string,
    routing: TenantRouting,
    groups: readonly GroupRow[],
    alerts: ReadonlyMap<string, RoutedAlert>,
    now: Date,
    queue: Outbox,
  ): Promise<void> {
    const inhibited = await this.#inhibited(tx, tenantId, now);
    const channels = await this.#channels(tx, tenantId, [
      ...new Set(groups.flatMap((g) => g.route.channelIds)),
    ]);
    const log = new Map<string, NotificationLogEntry>();
    const logged = await tx.query<{
      group_id: string;
      channel_id: string;
      firing: string[];
      resolved: string[];
      notified_at: Date;
    }>(LOG_OF.text, [tenantId, groups.map((g) => g.id)], LOG_OF.options);
    for (const r of logged.rows) {
      log.set(`${r.group_id}\u0000${r.channel_id}`, {
        firing: r.firing,
        resolved: r.resolved,
        notifiedAt: new Date(r.notified_at),
      });
    }
    const logs: { g: string; c: string; f: string[]; r: string[] }[] = [];
    const flushed: { id: string; members: string[]; next: string }[] = [];
    const emptied: string[] = [];
    for (const group of groups) {
      // The newest occurrence of each fingerprint speaks for it.
      const byFingerprint = new Map<string, RoutedAlert>();
      for (const id of group.members) {
        const a = alerts.get(id);
        if (a === undefined) continue;
        const seen = byFingerprint.get(a.fingerprint);
        if (seen === undefined || seen.startsAt < a.startsAt) byFingerprint.set(a.fingerprint, a);
      }
      const firing: RoutedAlert[] = [];
      const resolved: RoutedAlert[] = [];
      let unacknowledged = 0;
      for (const a of byFingerprint.values()) {
        const isResolved =
          a.status === 'resolved' ||
          a.status === 'expired' ||
          (a.endsAt !== null && a.endsAt.getTime() <= now.getTime());
        if (isResolved) resolved.push(a);
        else if (a.status === 'suppressed' || inhibited.has(a.fingerprint)) continue;
        else {
          firing.push(a);
          if (a.status !== 'acknowledged') unacknowledged++;
        }
      }
      const firingSet = new Set(firing.map((a) => a.fingerprint));
      const resolvedSet = new Set(resolved.map((a) => a.fingerprint));
      const route = group.route;
      if (!routing.isMuted(route, now)) {
        for (const channelId of route.channelIds) {
          const channel = channels.get(channelId);
          if (channel === undefined || !channel.enabled) continue;
          const sendResolved = channel.send_resolved ?? true;
          const entry = log.get(`${group.id}\u0000${channelId}`);
          if (
            !needsUpdate(entry, firingSet, resolvedSet, sendResolved, route.repeatIntervalMs, now)
          ) {
            continue;
          }
          // Alerts everyone acknowledged are not repeated; changes still go out.
          const changed = needsUpdate(entry, firingSet, resolvedSet, sendResolved, Infinity, now);
          if (!changed && unacknowledged === 0) continue;
          const content = sendResolved ? [...firing, ...resolved] : firing;
          if (content.length > 0) {
            await queue.add(channelId, group.id, group.receiver, 'notify', content, {
              groupKey: group.group_key,
              groupLabels: group.group_labels,
              externalURL: this.options.externalURL,
              maxAlerts: this.options.maxAlertsPerMessage,
            });
          }
          logs.push({ g: group.id, c: channelId, f: [...firingSet], r: [...resolvedSet] });
        }
      }
      // Resolved alerts leave the group once flushed, as do alerts that are gone.
      const flushedResolved = new Set(resolved.map((a) => a.id));
      const left = group.members.filter((id) => alerts.has(id) && !flushedResolved.has(id));
      if (left.length === 0) {
        emptied.push(group.id);
      } else {
        // Ticks follow the schedule, not this pass's lateness (no drift), and never run behind now.
        const scheduled = new Date(group.next_flush_at).getTime();
        let next = scheduled + route.groupIntervalMs;
        if (next <= now.getTime()) next = now.getTime() + route.groupIntervalMs;
        flushed.push({ id: group.id, members: left, next: new Date(next).toISOString() });
      }
    }
    if (logs.length > 0) {
      await tx.query(LOGS_PUT.text, [tenantId, JSON.stringify(logs), now], LOGS_PUT.options);
    }
    if (flushed.length > 0) {
      await tx.query(
        GROUPS_FLUSHED.text,
        [tenantId, JSON.stringify(flushed), now],
        GROUPS_FLUSHED.options,
      );
    }
    if (emptied.length > 0) {
      await tx.query(GROUPS_DELETE.text, [tenantId, emptied], GROUPS_DELETE.options);
    }
  }

  /** One escalation step of an alert still unacknowledged; the next one is scheduled. */
  async #escalate(
    tx: TransactionClient,
    tenantId: string,
    routing: TenantRouting,
    alert: RoutedAlert | undefined,
    step: { alert_id: string; step: number },
    now: Date,
    queue: Outbox,
  ): Promise<void> {
    const receiver = routing.escalation[step.step];
    if (alert === undefined || alert.status !== 'firing' || receiver === undefined) {
      await tx.query(ESCALATION_DELETE.text, [tenantId, step.alert_id], ESCALATION_DELETE.options);
      return;
    }
    const channels = await this.#channels(tx, tenantId, routing.channelsOf(receiver));
    const groupKey = `{}/escalation:${JSON.stringify({ step: step.step + 1, fingerprint: alert.fingerprint })}`;
    for (const channel of channels.values()) {
      if (!channel.enabled) continue;
      await queue.add(channel.id, null, receiver, 'notify', [alert], {
        groupKey,
        groupLabels: { alertname: alert.labels.alertname ?? '' },
        externalURL: this.options.externalURL,
        maxAlerts: this.options.maxAlertsPerMessage,
      });
    }
    await appendAudit(
      tx,
      tenantId,
      {
        actor: 'system:escalation',
        action: 'escalate',
        entityType: 'Alert',
        entityId: alert.id,
        before: null,
        after: null,
        details: { step: step.step + 1, receiver, priority: alert.priority },
      },
      now,
      this.options.auditKeys,
    );
    const sla = Priority.is(alert.priority) ? Priority.sla(alert.priority).escalationMs : 3_600_000;
    await tx.query(
      ESCALATION_PUT.text,
      [tenantId, alert.id, step.step + 1, new Date(now.getTime() + sla)],
      ESCALATION_PUT.options,
    );
  }
}

/** Queues messages in the outbox within a pass's transaction. */
class Outbox {
  count = 0;
  readonly #rows: Record<string, unknown>[] = [];
  constructor(
    private readonly tx: TransactionClient,
    private readonly tenantId: string,
    private readonly now: Date,
  ) {}

  async add(
    channelId: string,
    groupId: string | null,
    receiver: string,
    action: 'notify' | 'acknowledge',
    alerts: readonly RoutedAlert[],
    options: {
      groupKey: string;
      groupLabels: Record<string, string>;
      externalURL: string;
      maxAlerts: number;
    },
  ): Promise<void> {
    const id = newId(this.now);
    const nowMs = this.now.getTime();
    const message = buildNotificationMessage(
      alerts.map(
        (a): MessageAlert => ({
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          endsAt: a.endsAt,
          generatorURL: a.generatorURL,
          fingerprint: a.fingerprint,
          resolved:
            a.status === 'resolved' ||
            a.status === 'expired' ||
            (a.endsAt !== null && a.endsAt.getTime() <= nowMs),
        }),
      ),
      { id, tenantId: this.tenantId, receiver, action, ...options },
    );
    this.#rows.push({
      id,
      channelId,
      groupId,
      receiver,
      action,
      alertIds: alerts.map((a) => a.id),
      message,
    });
    this.count++;
  }

  /** Writes the queued notifications (one statement). */
  async write(): Promise<void> {
    if (this.#rows.length === 0) return;
    await this.tx.query(
      OUTBOX_INSERT_MANY.text,
      [this.tenantId, JSON.stringify(this.#rows), this.now],
      OUTBOX_INSERT_MANY.options,
    );
    this.#rows.length = 0;
  }
}
