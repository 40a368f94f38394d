/**
 * Opsgenie Alerts API: one alert per alertbase alert, `alias` = its
 * fingerprint; firing creates (Opsgenie deduplicates by alias), resolved
 * closes, an acknowledgement acknowledges.
 */
import { PEER_LIMITS } from '../../base/constants.js';
import { AlertLevel } from '../../base/enums/alert-level.js';
import { Priority } from '../../base/enums/priority.js';
import { type ChannelConfigOf, OPSGENIE_API_URLS } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import { alertSummary, notificationText, truncate } from '../templates.js';
import type { ChannelSender, NotificationMessage, NotifiedAlert } from '../types.js';

/** The priority of an alert: its `priority` label (`P1`..`P5`, any case), else from its `severity` label. */
export function opsgeniePriority(alert: NotifiedAlert): Priority {
  const label = alert.labels.priority?.trim().toUpperCase();
  if (label !== undefined && Priority.is(label)) return label;
  return Priority.fromLevel(
    AlertLevel.fromPrometheus(alert.labels.severity, { fallback: 'medium' }),
  );
}

/** A responder: a user by e-mail address (`name@example.com`), otherwise a team by name. */
export function opsgenieResponder(name: string): Record<string, string> {
  return name.includes('@') ? { type: 'user', username: name } : { type: 'team', name };
}

/** The request that creates, closes or acknowledges one alert: its path (below the API URL) and body. */
export function opsgenieRequest(
  config: ChannelConfigOf<'opsgenie'>,
  message: NotificationMessage,
  alert: NotifiedAlert,
): { readonly path: string; readonly body: Record<string, unknown> } {
  const alias = encodeURIComponent(alert.fingerprint);
  if (message.action === 'acknowledge') {
    return {
      path: `/v2/alerts/${alias}/acknowledge?identifierType=alias`,
      body: { source: 'alertbase', note: 'Acknowledged in alertbase' },
    };
  }
  if (alert.status === 'resolved') {
    return {
      path: `/v2/alerts/${alias}/close?identifierType=alias`,
      body: { source: 'alertbase', note: 'Resolved' },
    };
  }
  return {
    path: '/v2/alerts',
    body: {
      message: truncate(alertSummary(alert), PEER_LIMITS.opsgenieMessageMaxLength),
      alias: alert.fingerprint,
      description: truncate(
        notificationText({ ...message, alerts: [alert], truncatedAlerts: 0 }),
        PEER_LIMITS.opsgenieDescriptionMaxLength,
      ),
      responders: config.responders.map(opsgenieResponder),
      tags: Object.entries(message.groupLabels)
        .slice(0, PEER_LIMITS.opsgenieMaxTags)
        .map(([k, v]) => truncate(`${k}=${v}`, PEER_LIMITS.opsgenieTagMaxLength)),
      details: alert.labels,
      ...(alert.labels.instance === undefined ? {} : { entity: alert.labels.instance }),
      source: 'alertbase',
      priority: opsgeniePriority(alert),
    },
  };
}

/** The API URL of a channel: its own, else its region's. */
export function opsgenieApiUrl(config: ChannelConfigOf<'opsgenie'>): string {
  return (config.apiUrl ?? OPSGENIE_API_URLS[config.region]).replace(/\/+$/, '');
}

/** Creates the Opsgenie sender (`hooks` are for tests). */
export function createOpsgenieSender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'opsgenie'>> {
  return channelSender('opsgenie', true, hooks, async (attempt, message, config) => {
    const base = opsgenieApiUrl(config);
    const authorization = `GenieKey ${config.apiKey.reveal()}`;
    for (const alert of message.alerts) {
      const { path, body } = opsgenieRequest(config, message, alert);
      await attempt.postJson(`${base}${path}`, body, { authorization });
    }
  });
}

/** The Opsgenie sender. */
export const opsgenieSender = createOpsgenieSender();
