import type { ChannelConfig } from '../domain/notification-channel.js';
import { emailSender } from './channels/email.js';
import { opsgenieSender } from './channels/opsgenie.js';
import { pagerDutySender } from './channels/pagerduty.js';
import { slackSender } from './channels/slack.js';
import { teamsSender } from './channels/teams.js';
import { webhookSender } from './channels/webhook.js';
import type {
  ChannelSender,
  DeliveryContext,
  DeliveryResult,
  NotificationMessage,
} from './types.js';

/** Every channel type's sender, by type. */
export const SENDERS = Object.freeze({
  webhook: webhookSender,
  slack: slackSender,
  pagerduty: pagerDutySender,
  opsgenie: opsgenieSender,
  teams: teamsSender,
  email: emailSender,
});

/**
 * Sends through the sender of the configuration's type.
 *
 * @example
 * ```ts
 * const result = await sendNotification(channel.config, message, ctx);
 * if (!result.ok && result.retryable) scheduleRetry(result.retryAfterMs);
 * ```
 */
export function sendNotification(
  config: ChannelConfig,
  message: NotificationMessage,
  ctx: DeliveryContext,
): Promise<DeliveryResult> {
  switch (config.type) {
    case 'webhook':
      return SENDERS.webhook.send(config, message, ctx);
    case 'slack':
      return SENDERS.slack.send(config, message, ctx);
    case 'pagerduty':
      return SENDERS.pagerduty.send(config, message, ctx);
    case 'opsgenie':
      return SENDERS.opsgenie.send(config, message, ctx);
    case 'teams':
      return SENDERS.teams.send(config, message, ctx);
    case 'email':
      return SENDERS.email.send(config, message, ctx);
  }
}

/**
 * The sender of a channel configuration's type. Its `send` takes any
 * channel configuration and dispatches on its `type`.
 *
 * @example
 * ```ts
 * const result = await senderFor(channel.config).send(channel.config, message, {
 *   signal, timeoutMs: 10_000, now: new Date(), allowPrivateNetworks: false,
 * });
 * ```
 */
export function senderFor(config: ChannelConfig): ChannelSender<ChannelConfig> {
  return { type: config.type, send: sendNotification };
}
