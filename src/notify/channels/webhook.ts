/**
 * Webhook: Alertmanager's webhook payload version 4, so anything that takes
 * Alertmanager's webhooks takes alertbase's; an optional bearer token; and,
 * with a signing secret, the Standard Webhooks signature headers.
 */
import { createHmac } from 'node:crypto';
import { type ChannelConfigOf, WEBHOOK_SECRET_PREFIX } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import type { ChannelSender, NotificationMessage } from '../types.js';

/** Alertmanager's webhook payload version 4, keys in the order Alertmanager writes them. */
export interface WebhookPayloadV4 {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly generatorURL: string;
    readonly fingerprint: string;
  }[];
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
}

/** The webhook payload version 4 of a notification. */
export function webhookPayload(message: NotificationMessage): WebhookPayloadV4 {
  return {
    receiver: message.receiver,
    status: message.status,
    alerts: message.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: message.groupLabels,
    commonLabels: message.commonLabels,
    commonAnnotations: message.commonAnnotations,
    externalURL: message.externalURL,
    version: '4',
    groupKey: message.groupKey,
    truncatedAlerts: message.truncatedAlerts,
  };
}

/**
 * The Standard Webhooks headers of a body: `webhook-id`, `webhook-timestamp`
 * (Unix seconds) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
 * `id.timestamp.body` keyed by the secret's base64-decoded bytes).
 *
 * @example
 * ```ts
 * standardWebhookHeaders('whsec_...', message.id, new Date(), body);
 * ```
 */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(
    secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret,
    'base64',
  );
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/** Creates the webhook sender (`hooks` are for tests). */
export function createWebhookSender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'webhook'>> {
  return channelSender('webhook', false, hooks, async (attempt, message, config, ctx) => {
    const body = JSON.stringify(webhookPayload(message));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (config.bearerToken !== null)
      headers.authorization = `Bearer ${config.bearerToken.reveal()}`;
    if (config.signingSecret !== null) {
      Object.assign(
        headers,
        standardWebhookHeaders(config.signingSecret.reveal(), message.id, ctx.now, body),
      );
    } else {
      // Unsigned, the idempotency key still travels, so a receiver can drop a duplicate.
      headers['webhook-id'] = message.id;
    }
    await attempt.post(config.url, body, headers);
  });
}

/** The webhook sender. */
export const webhookSender = createWebhookSender();
