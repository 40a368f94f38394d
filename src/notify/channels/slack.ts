/**
 * Slack incoming webhooks: a `text` (what notifications show) and one
 * attachment per notification, coloured by state, listing the alerts.
 */
import { ALERT_LEVEL_COLORS, AlertLevel } from '../../base/enums/alert-level.js';
import type { ChannelConfigOf } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import {
  alertDescription,
  alertSummary,
  linkable,
  notificationTitle,
  truncate,
} from '../templates.js';
import type { ChannelSender, NotificationMessage, NotifiedAlert } from '../types.js';

/** Slack's limit on an attachment's text; longer text is cut. */
const SLACK_TEXT_MAX = 3_000;

/** The colour of resolved and acknowledged notifications. */
export const RESOLVED_COLOR = '#2E7D32';

/** Escapes the three characters Slack's markup reserves. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The most severe level among the firing alerts (their `severity` label), `medium` when none says. */
export function firingLevel(alerts: readonly NotifiedAlert[]): AlertLevel {
  const levels = alerts
    .filter((a) => a.status === 'firing')
    .map((a) => AlertLevel.fromPrometheus(a.labels.severity, { fallback: 'medium' }));
  const [first, ...rest] = levels;
  return first === undefined ? 'medium' : AlertLevel.max(first, ...rest);
}

/** The Slack message of a notification. */
export function slackPayload(
  config: ChannelConfigOf<'slack'>,
  message: NotificationMessage,
): Record<string, unknown> {
  const title = notificationTitle(message);
  const channel = config.channel === null ? {} : { channel: config.channel };
  if (message.action === 'acknowledge') {
    return { ...channel, text: escapeSlack(`${title}: acknowledged in alertbase`) };
  }
  const lines = message.alerts.map((a) => {
    const description = alertDescription(a);
    const text = `*${a.status === 'firing' ? 'Firing' : 'Resolved'}:* ${escapeSlack(alertSummary(a))}`;
    const more = description === '' ? '' : `\n${escapeSlack(description)}`;
    const href = linkable(a.generatorURL);
    // `|` ends a Slack link's URL: one inside it would let the rest pose as the link text.
    const link = href === '' ? '' : ` <${escapeSlack(href.replaceAll('|', '%7C'))}|source>`;
    return `${text}${link}${more}`;
  });
  if (message.truncatedAlerts > 0) lines.push(`… and ${message.truncatedAlerts} more alerts`);
  const color =
    message.status === 'firing' ? ALERT_LEVEL_COLORS[firingLevel(message.alerts)] : RESOLVED_COLOR;
  return {
    ...channel,
    text: escapeSlack(title),
    attachments: [
      {
        color,
        fallback: escapeSlack(title),
        title: escapeSlack(title),
        ...(message.externalURL === '' ? {} : { title_link: message.externalURL }),
        text: truncate(lines.join('\n'), SLACK_TEXT_MAX),
        footer: 'alertbase',
        mrkdwn_in: ['text'],
      },
    ],
  };
}

/** Creates the Slack sender (`hooks` are for tests). */
export function createSlackSender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'slack'>> {
  return channelSender('slack', true, hooks, async (attempt, message, config) => {
    await attempt.postJson(config.webhookUrl.reveal(), slackPayload(config, message));
  });
}

/** The Slack sender. */
export const slackSender = createSlackSender();
