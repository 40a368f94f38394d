/**
 * The one interface every channel type implements: a notification message
 * (one group of alerts, Alertmanager's webhook data plus an idempotency key),
 * the context of one delivery attempt, and its classified result.
 */

import type { CodesOf } from '../base/exceptions/codes.js';
import type { Secret } from '../base/types/secret.js';
import type { ChannelConfig } from '../domain/notification-channel.js';

/** One alert of a notification, as Alertmanager's webhook payload version 4 carries it. */
export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; Go's zero time `0001-01-01T00:00:00Z` when the alert has no end yet. */
  readonly endsAt: string;
  readonly generatorURL: string;
  /** Alertmanager's fingerprint of the labels (`%016x`). */
  readonly fingerprint: string;
}

/** One notification: a group of alerts for one receiver, delivered at least once. */
export interface NotificationMessage {
  /** Stable idempotency key of this notification (the same on every retry). */
  readonly id: string;
  readonly tenantId: string;
  /** Receiver name (Alertmanager's `receiver` field of the webhook payload). */
  readonly receiver: string;
  /**
   * `notify`: the group's alerts fired or resolved. `acknowledge`: an alert was
   * acknowledged in alertbase (PagerDuty and Opsgenie acknowledge there; Slack
   * and Teams post a short note; webhook and e-mail skip it).
   */
  readonly action: 'notify' | 'acknowledge';
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly truncatedAlerts: number;
  readonly alerts: readonly NotifiedAlert[];
}

/** The deployment's default SMTP server (a setting), used by e-mail channels without their own. */
export interface SmtpDefaults {
  /** `host:port`. */
  readonly smarthost: string;
  /** The default sender address. */
  readonly from: string;
  readonly authUsername?: string | undefined;
  readonly authPassword?: Secret | undefined;
  /** Refuse to send without TLS (STARTTLS, or TLS from the start on port 465). Default true. */
  readonly requireTls?: boolean | undefined;
}

/** What one delivery attempt may use and must respect. */
export interface DeliveryContext {
  /** Aborts the attempt (shutdown); the result is then `aborted`, retryable. */
  readonly signal: AbortSignal;
  /** The whole attempt (DNS, connect, request, answer) must end within this many milliseconds. */
  readonly timeoutMs: number;
  /** "Now": the Standard Webhooks timestamp, a `Retry-After` date. */
  readonly now: Date;
  /** Allow loopback, private and link-local destinations (cloud metadata stays refused). */
  readonly allowPrivateNetworks: boolean;
  /** The deployment's default SMTP server. */
  readonly smtp?: SmtpDefaults | undefined;
}

/** The classified outcome of one delivery attempt. Never carries a secret. */
export interface DeliveryResult {
  /** Delivered (every request of the attempt answered 2xx, or the mail was accepted). */
  readonly ok: boolean;
  /** The last HTTP status, or the SMTP reply code of a refused mail. */
  readonly status?: number;
  /** What went wrong, with secrets masked. */
  readonly error?: string;
  /** The registry code of the failure (`ALERTBASE_DELIVERY_*`): match on it, not on `error`. */
  readonly code?: CodesOf<'DELIVERY'>;
  /** Try again later: 429, 5xx, network errors, timeouts, SMTP 4xx replies. */
  readonly retryable: boolean;
  /** From the receiver's `Retry-After`, in milliseconds from `ctx.now`. */
  readonly retryAfterMs?: number;
  /** Nothing was sent, by design (resolved alerts with `sendResolved: false`, an acknowledgement the type does not forward). */
  readonly skipped?: boolean;
  /** Requests made in this attempt (PagerDuty and Opsgenie make one per alert). */
  readonly requests?: number;
}

/** Sends notifications through one channel type. */
export interface ChannelSender<C extends ChannelConfig = ChannelConfig> {
  readonly type: C['type'];
  /**
   * Delivers `message` once. Never throws for a delivery failure: the result
   * says whether it worked and whether to try again.
   */
  send(config: C, message: NotificationMessage, ctx: DeliveryContext): Promise<DeliveryResult>;
}
