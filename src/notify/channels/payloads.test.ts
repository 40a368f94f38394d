import { describe, expect, it } from 'vitest';
import { ChannelConfig, type ChannelConfigOf } from '../../domain/notification-channel.js';
import type { NotificationMessage, NotifiedAlert } from '../types.js';
import {
  opsgenieApiUrl,
  opsgeniePriority,
  opsgenieRequest,
  opsgenieResponder,
} from './opsgenie.js';
import { pagerDutyEvent, pagerDutySeverity } from './pagerduty.js';
import { escapeSlack, firingLevel, slackPayload } from './slack.js';
import { teamsPayload } from './teams.js';

const alert = (
  labels: Record<string, string>,
  over: Partial<NotifiedAlert> = {},
): NotifiedAlert => ({
  status: 'firing',
  labels,
  annotations: {},
  startsAt: '2026-11-28T06:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  fingerprint: '0123456789abcdef',
  ...over,
});
const message = (
  alerts: NotifiedAlert[],
  over: Partial<NotificationMessage> = {},
): NotificationMessage => ({
  id: 'n',
  tenantId: 't',
  receiver: 'r',
  action: 'notify',
  status: 'firing',
  groupKey: '{}',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: '',
  truncatedAlerts: 0,
  alerts,
  ...over,
});
function config<T extends ChannelConfig['type']>(
  type: T,
  input: Record<string, unknown>,
): ChannelConfigOf<T> {
  const parsed = ChannelConfig.parse({ type, ...input });
  if (parsed.type !== type) throw new Error('wrong type');
  return parsed as ChannelConfigOf<T>;
}

describe('PagerDuty events', () => {
  const pd = config('pagerduty', { routingKey: 'a'.repeat(32) });
  it('maps severity from the severity or level label, a fixed severity winning', () => {
    expect(pagerDutySeverity(alert({ severity: 'critical' }), null)).toBe('critical');
    expect(pagerDutySeverity(alert({ severity: 'error' }), null)).toBe('error');
    expect(pagerDutySeverity(alert({ level: 'high' }), null)).toBe('error');
    expect(pagerDutySeverity(alert({ severity: 'info' }), null)).toBe('info');
    expect(pagerDutySeverity(alert({ severity: 'bogus' }), null)).toBe('warning');
    expect(pagerDutySeverity(alert({}), null)).toBe('warning');
    expect(pagerDutySeverity(alert({ severity: 'info' }), 'critical')).toBe('critical');
  });

  it('leaves out what an alert does not have, and gives way on size', () => {
    const bare = pagerDutyEvent(pd, message([alert({})]), alert({}));
    expect(bare).toEqual({
      routing_key: 'a'.repeat(32),
      event_action: 'trigger',
      dedup_key: '0123456789abcdef',
      payload: {
        summary: '0123456789abcdef',
        source: 'alertbase',
        severity: 'warning',
        timestamp: '2026-11-28T06:00:00Z',
        custom_details: { labels: {}, annotations: {}, tenant: 't', receiver: 'r' },
      },
      client: 'alertbase',
    });
    const huge = alert({ alertname: 'Big' }, { annotations: { description: 'x'.repeat(600_000) } });
    const event = pagerDutyEvent(pd, message([huge]), huge) as {
      payload: { custom_details: unknown };
    };
    expect(event.payload.custom_details).toEqual({ labels: { alertname: 'Big' } });
  });
});

describe('Opsgenie requests', () => {
  const og = config('opsgenie', { apiKey: 'k', region: 'eu' });
  it('priority from the priority label (any case), else from the severity', () => {
    expect(opsgeniePriority(alert({ priority: ' p4 ' }))).toBe('P4');
    expect(opsgeniePriority(alert({ priority: 'urgent', severity: 'critical' }))).toBe('P1');
    expect(opsgeniePriority(alert({ severity: 'info' }))).toBe('P5');
    expect(opsgeniePriority(alert({}))).toBe('P3');
  });

  it('bounds tags, names responders, picks the region URL', () => {
    const groupLabels = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`l${i}`, 'v'.repeat(80)]),
    );
    const { path, body } = opsgenieRequest(og, message([alert({})], { groupLabels }), alert({}));
    expect(path).toBe('/v2/alerts');
    const tags = body.tags as string[];
    expect(tags).toHaveLength(20);
    expect(tags.every((t) => t.length <= 50)).toBe(true);
    expect(body.entity).toBeUndefined();
    expect(opsgenieResponder('team-a')).toEqual({ type: 'team', name: 'team-a' });
    expect(opsgenieApiUrl(og)).toBe('https://api.eu.opsgenie.com');
    expect(opsgenieApiUrl(config('opsgenie', { apiKey: 'k' }))).toBe('https://api.opsgenie.com');
    expect(
      opsgenieApiUrl(config('opsgenie', { apiKey: 'k', apiUrl: 'http://og.example.com/' })),
    ).toBe('http://og.example.com');
  });
});

describe('Slack and Teams messages', () => {
  it('Slack: escapes markup, colours by the most severe firing alert, counts what was left out', () => {
    expect(escapeSlack('<a> & <b>')).toBe('&lt;a&gt; &amp; &lt;b&gt;');
    expect(firingLevel([alert({ severity: 'info' }), alert({ severity: 'warning' })])).toBe(
      'medium',
    );
    expect(firingLevel([alert({ severity: 'critical' }, { status: 'resolved' })])).toBe('medium');
    const payload = slackPayload(
      config('slack', { webhookUrl: 'https://hooks.slack.com/x' }),
      message([alert({ alertname: 'A', severity: 'info' }, { annotations: { summary: '<b>' } })], {
        truncatedAlerts: 2,
      }),
    );
    expect(payload.channel).toBeUndefined();
    const [attachment] = payload.attachments as Record<string, unknown>[];
    expect(attachment?.color).toBe('#607D8B');
    expect(attachment?.title_link).toBeUndefined();
    expect(attachment?.text).toBe('*Firing:* &lt;b&gt;\n… and 2 more alerts');
  });

  it('Teams: at most 20 alerts on a card, then a count; no action without a link', () => {
    const alerts = Array.from({ length: 25 }, (_, i) => alert({ alertname: `A${i}` }));
    const payload = teamsPayload(message(alerts, { truncatedAlerts: 5 }));
    const card = (
      payload.attachments as { content: { body: { text: string }[]; actions: unknown[] } }[]
    )[0]?.content;
    expect(card?.actions).toEqual([]);
    expect(card?.body.filter((b) => b.text.startsWith('**Firing:**'))).toHaveLength(20);
    expect(card?.body.at(-1)?.text).toBe('… and 10 more alerts');
  });
});
