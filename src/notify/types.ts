/**
 * The one interface every channel type implements: a notification message
 * (one group of alerts, Alertmanager's webhook data plus an idempotency key),
 * the context of one delivery attempt, and its classified result.
 */

import type { CodesOf } from '../base/exceptions/codes.js';
import type { Secret } from '../base/types/secret.js';
import type { ChannelConfig } from '../domain/notification-channel.js';
import type { NotificationMessage } from '../domain/notification-message.js';

/** The message a channel sends (one group of alerts, or an acknowledgement): the domain's shape. */
export type { NotificationMessage, NotifiedAlert } from '../domain/notification-message.js';

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
