/**
 * Microsoft Teams: an Adaptive Card in a `message` envelope, the format both
 * Teams incoming webhooks and Teams Workflows ("when a Teams webhook request
 * is received") take. (The older MessageCard works only with the retired
 * Office 365 connectors.)
 */
import type { ChannelConfigOf } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import {
  alertDescription,
  alertSummary,
  formatLabels,
  notificationTitle,
  truncate,
} from '../templates.js';
import type { ChannelSender, NotificationMessage } from '../types.js';

/** The content type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A text block of an Adaptive Card. */
const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'TextBlock',
  text: truncate(text, 4_000),
  wrap: true,
  ...extra,
});

/** The Teams message of a notification: an Adaptive Card 1.4. */
export function teamsPayload(message: NotificationMessage): Record<string, unknown> {
  const title = notificationTitle(message);
  const body: Record<string, unknown>[] = [
    textBlock(title, {
      size: 'Medium',
      weight: 'Bolder',
      color:
        message.action === 'acknowledge'
          ? 'Accent'
          : message.status === 'firing'
            ? 'Attention'
            : 'Good',
    }),
  ];
  if (message.action === 'acknowledge') body.push(textBlock('Acknowledged in alertbase.'));
  else {
    for (const alert of message.alerts.slice(0, 20)) {
      const description = alertDescription(alert);
      body.push(
        textBlock(
          `**${alert.status === 'firing' ? 'Firing' : 'Resolved'}:** ${alertSummary(alert)}`,
          {
            separator: true,
          },
        ),
      );
      if (description !== '') body.push(textBlock(description, { isSubtle: true }));
      body.push(textBlock(formatLabels(alert.labels), { isSubtle: true, size: 'Small' }));
    }
    const more = message.alerts.length - 20 + message.truncatedAlerts;
    if (more > 0) body.push(textBlock(`… and ${more} more alerts`));
  }
  const actions =
    message.externalURL === ''
      ? []
      : [{ type: 'Action.OpenUrl', title: 'Open alertbase', url: message.externalURL }];
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions,
        },
      },
    ],
  };
}

/** Creates the Teams sender (`hooks` are for tests). */
export function createTeamsSender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'teams'>> {
  return channelSender('teams', true, hooks, async (attempt, message, config) => {
    await attempt.postJson(config.webhookUrl.reveal(), teamsPayload(message));
  });
}

/** The Teams sender. */
export const teamsSender = createTeamsSender();
