/**
 * PagerDuty Events API v2: one event per alert, `dedup_key` = the alert's
 * fingerprint, so PagerDuty keeps one incident per alert and an
 * acknowledgement or resolution in alertbase reaches that incident.
 */
import { PEER_LIMITS } from '../../base/constants.js';
import { AlertLevel, type PagerDutySeverity } from '../../base/enums/alert-level.js';
import type { ChannelConfigOf } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import { alertSummary, truncate } from '../templates.js';
import type { ChannelSender, NotificationMessage, NotifiedAlert } from '../types.js';

/** The event action of an alert: `trigger`, `acknowledge` or `resolve`. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/**
 * The PagerDuty severity of an alert: the channel's fixed severity, else its
 * `severity` (or `level`) label read as an alertbase level (`critical`,
 * `warning`, `error`, `high`, ...), `warning` when neither says.
 */
export function pagerDutySeverity(
  alert: NotifiedAlert,
  fixed: PagerDutySeverity | null,
): PagerDutySeverity {
  if (fixed !== null) return fixed;
  const label = alert.labels.severity ?? alert.labels.level;
  return AlertLevel.toPagerDuty(AlertLevel.fromPrometheus(label, { fallback: 'medium' }));
}

/** The Events API v2 event of one alert. */
export function pagerDutyEvent(
  config: ChannelConfigOf<'pagerduty'>,
  message: NotificationMessage,
  alert: NotifiedAlert,
): Record<string, unknown> {
  const action: PagerDutyAction =
    message.action === 'acknowledge'
      ? 'acknowledge'
      : alert.status === 'firing'
        ? 'trigger'
        : 'resolve';
  const base = {
    routing_key: config.routingKey.reveal(),
    event_action: action,
    dedup_key: alert.fingerprint,
  };
  if (action !== 'trigger') return base;
  const { labels } = alert;
  const event = {
    ...base,
    payload: {
      summary: truncate(alertSummary(alert), PEER_LIMITS.pagerDutySummaryMaxLength),
      source: labels.instance ?? labels.job ?? labels.alertname ?? 'alertbase',
      severity: pagerDutySeverity(alert, config.severity),
      timestamp: alert.startsAt,
      ...(labels.job === undefined ? {} : { component: labels.job }),
      ...(labels.alertname === undefined ? {} : { group: labels.alertname }),
      custom_details: {
        labels,
        annotations: alert.annotations,
        tenant: message.tenantId,
        receiver: message.receiver,
      },
    },
    client: 'alertbase',
    ...(message.externalURL === '' ? {} : { client_url: message.externalURL }),
    ...(alert.generatorURL === '' ? {} : { links: [{ href: alert.generatorURL, text: 'Source' }] }),
  };
  // PagerDuty refuses an event over its size limit: long annotations give way, the labels stay.
  if (Buffer.byteLength(JSON.stringify(event)) <= PEER_LIMITS.pagerDutyPayloadMaxBytes)
    return event;
  return { ...event, payload: { ...event.payload, custom_details: { labels } } };
}

/** Creates the PagerDuty sender (`hooks` are for tests). */
export function createPagerDutySender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'pagerduty'>> {
  return channelSender('pagerduty', true, hooks, async (attempt, message, config) => {
    // One after the other: a retry sends them all again, which the dedup keys make harmless.
    for (const alert of message.alerts) {
      await attempt.postJson(config.url, pagerDutyEvent(config, message, alert));
    }
  });
}

/** The PagerDuty sender. */
export const pagerDutySender = createPagerDutySender();
