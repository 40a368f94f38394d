/**
 * What a channel is given to send: one message about one group of alerts
 * (Alertmanager's notification data, the content of its webhook payload
 * version 4), or an acknowledgement of one alert. Built by
 * {@link buildNotificationMessage} from a group's alerts; the channel types
 * turn it into their vendor's format.
 */
import type { Labels } from './matchers.js';

/** One alert of a message, as Alertmanager's webhook carries it. */
export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; Go's zero time (`0001-01-01T00:00:00Z`) while the alert is open-ended. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** A message to one channel. */
export interface NotificationMessage {
  /** Stable idempotency key of this notification: the same on every retry. */
  readonly id: string;
  readonly tenantId: string;
  /** The receiver (Alertmanager's `receiver` field of the webhook payload). */
  readonly receiver: string;
  /** `acknowledge`: an alert was acknowledged in alertbase (PagerDuty, Opsgenie pass it on). */
  readonly action: 'notify' | 'acknowledge';
  /** `firing` while any alert of the message fires. */
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  /** Alerts left out of `alerts` (a group larger than the message limit). */
  readonly truncatedAlerts: number;
  readonly alerts: readonly NotifiedAlert[];
}

/** Go's zero time, which Alertmanager writes for an open-ended alert's `endsAt`. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** What the message builder needs of an alert. */
export interface MessageAlert {
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly generatorURL: string | null;
  readonly fingerprint: string;
  /** Resolved at the time of the message. */
  readonly resolved: boolean;
}

/** The labels (or annotations) every map shares with the same value. */
function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  const out: Record<string, string> = {};
  if (first === undefined) return out;
  for (const key of Object.keys(first).sort()) {
    const value = first[key] as string;
    if (rest.every((m) => Object.hasOwn(m, key) && m[key] === value)) out[key] = value;
  }
  return out;
}

/** Whole seconds are written without fraction, as Go's RFC 3339 does. */
function rfc3339(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Options of {@link buildNotificationMessage}. */
export interface MessageOptions {
  readonly id: string;
  readonly tenantId: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  /** At most this many alerts go into the message; the rest are counted in `truncatedAlerts`. */
  readonly maxAlerts: number;
  readonly action?: 'notify' | 'acknowledge';
}

/**
 * The message of a group's alerts, in Alertmanager's order (see
 * {@link compareAlertLabels}), firing and resolved together.
 *
 * @example
 * ```ts
 * const message = buildNotificationMessage(alerts, { id, tenantId: 'acme', receiver: 'ops',
 *   groupKey: '{}:{alertname="HighCPU"}', groupLabels: { alertname: 'HighCPU' },
 *   externalURL: 'http://alertbase:8080', maxAlerts: 1000 });
 * ```
 */
export function buildNotificationMessage(
  alerts: readonly MessageAlert[],
  options: MessageOptions,
): NotificationMessage {
  const sorted = [...alerts].sort((a, b) => compareAlertLabels(a.labels, b.labels));
  const kept = sorted.slice(0, Math.max(0, options.maxAlerts));
  return {
    id: options.id,
    tenantId: options.tenantId,
    receiver: options.receiver,
    action: options.action ?? 'notify',
    status: alerts.some((a) => !a.resolved) ? 'firing' : 'resolved',
    groupKey: options.groupKey,
    groupLabels: { ...options.groupLabels },
    commonLabels: common(sorted.map((a) => a.labels)),
    commonAnnotations: common(sorted.map((a) => a.annotations)),
    externalURL: options.externalURL,
    truncatedAlerts: sorted.length - kept.length,
    alerts: kept.map((a) => ({
      status: a.resolved ? 'resolved' : 'firing',
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: rfc3339(a.startsAt),
      endsAt: a.endsAt === null ? GO_ZERO_TIME : rfc3339(a.endsAt),
      generatorURL: a.generatorURL ?? '',
      fingerprint: a.fingerprint,
    })),
  };
}

/**
 * Alertmanager's order of a group's alerts: by `job`, then `instance` (an
 * alert without the label after those with it), then by the label sets.
 */
export function compareAlertLabels(a: Labels, b: Labels): number {
  for (const key of ['job', 'instance']) {
    const ha = Object.hasOwn(a, key);
    const hb = Object.hasOwn(b, key);
    if (!ha && !hb) continue;
    if (!ha) return 1;
    if (!hb) return -1;
    const va = a[key] as string;
    const vb = b[key] as string;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return compareLabels(a, b);
}

/** The order of label sets: by sorted names, then values, pairwise; a prefix first. */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const na = ka[i] as string;
    const nb = kb[i] as string;
    if (na !== nb) return na < nb ? -1 : 1;
    const va = a[na] as string;
    const vb = b[nb] as string;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return ka.length - kb.length;
}
