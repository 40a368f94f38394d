import { defineEnum } from './define-enum.js';

/**
 * Kind of a notification channel, the integration an alert is sent through.
 *
 * @example
 * ```ts
 * const Channel = z.object({ type: NotificationChannelType.schema, target: z.string() });
 * ```
 */
export const NotificationChannelType = defineEnum(
  'NotificationChannelType',
  ['email', 'slack', 'webhook', 'pagerduty', 'opsgenie', 'teams'],
  { description: 'Kind of a notification channel.' },
);
/** Kind of a notification channel: `email`, `slack`, `webhook`, `pagerduty`, `opsgenie`, `teams`. */
export type NotificationChannelType = (typeof NotificationChannelType.values)[number];
