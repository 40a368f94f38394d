import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { channelsFromAlertmanagerReceiver } from './receivers.js';

/** An Alertmanager configuration as teams write them (0.25+ fields; msteams from 0.26). */
const CONFIG = `
global:
  smtp_smarthost: smtp.example.com:587
  smtp_from: 'Alertmanager <alertmanager@example.com>'
  smtp_auth_username: alertmanager
  smtp_auth_password: smtp-secret
  slack_api_url: https://hooks.slack.com/services/T000/B000/globalsecret
  opsgenie_api_url: https://api.eu.opsgenie.com/

route:
  receiver: team-infra

receivers:
  - name: team-infra
    webhook_configs:
      - url: https://hooks.example.com/alertmanager
        send_resolved: false
        http_config:
          authorization:
            credentials: webhook-token
    slack_configs:
      - channel: '#infra-alerts'
        send_resolved: true
        title: '{{ template "slack.default.title" . }}'
    pagerduty_configs:
      - routing_key: 0123456789abcdef0123456789abcdef
        severity: critical
    opsgenie_configs:
      - api_key: genie-key
        responders:
          - name: infra
            type: team
          - username: oncall@example.com
            type: user
    msteams_configs:
      - webhook_url: https://example.webhook.office.com/webhookb2/abc
    email_configs:
      - to: 'oncall@example.com, sre@example.com'
        require_tls: false

  - name: leftovers
    webhook_configs:
      - url_file: /etc/alertmanager/url
      - url: https://hooks.example.com/x
        http_config:
          tls_config:
            insecure_skip_verify: true
    pagerduty_configs:
      - service_key: v1-key
      - routing_key: 0123456789abcdef0123456789abcdef
        severity: '{{ .CommonLabels.severity }}'
    opsgenie_configs:
      - api_key_file: /etc/alertmanager/genie
    slack_configs:
      - api_url: https://hooks.slack.com/services/T0/B0/x
        channel: 'Not A Channel'
    pushover_configs:
      - user_key: u
        token: t
`;

const am = parse(CONFIG) as { global: unknown; receivers: unknown[] };

describe('channelsFromAlertmanagerReceiver', () => {
  it('maps every supported integration of a receiver, globals filling the gaps', () => {
    const { configs, issues } = channelsFromAlertmanagerReceiver(am.receivers[0], {
      global: am.global,
    });
    expect(configs.map((c) => c.type)).toEqual([
      'webhook',
      'slack',
      'pagerduty',
      'opsgenie',
      'teams',
      'email',
    ]);
    const [webhook, slack, pagerduty, opsgenie, teams, email] = configs;
    if (webhook?.type !== 'webhook') throw new Error('expected a webhook');
    expect(webhook.url).toBe('https://hooks.example.com/alertmanager');
    expect(webhook.bearerToken?.reveal()).toBe('webhook-token');
    expect(webhook.sendResolved).toBe(false);
    if (slack?.type !== 'slack') throw new Error('expected slack');
    expect(slack.webhookUrl.reveal()).toBe(
      'https://hooks.slack.com/services/T000/B000/globalsecret',
    );
    expect(slack.channel).toBe('#infra-alerts');
    expect(slack.sendResolved).toBe(true);
    if (pagerduty?.type !== 'pagerduty') throw new Error('expected pagerduty');
    expect(pagerduty.routingKey.reveal()).toBe('0123456789abcdef0123456789abcdef');
    expect(pagerduty.severity).toBe('critical');
    expect(pagerduty.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(pagerduty.sendResolved).toBe(true);
    if (opsgenie?.type !== 'opsgenie') throw new Error('expected opsgenie');
    expect(opsgenie.region).toBe('eu');
    expect(opsgenie.apiUrl).toBeNull();
    expect(opsgenie.responders).toEqual(['infra', 'oncall@example.com']);
    if (teams?.type !== 'teams') throw new Error('expected teams');
    expect(teams.webhookUrl.reveal()).toBe('https://example.webhook.office.com/webhookb2/abc');
    expect(teams.sendResolved).toBe(true);
    if (email?.type !== 'email') throw new Error('expected email');
    expect(email.to).toEqual(['oncall@example.com', 'sre@example.com']);
    expect(email.from).toBe('alertmanager@example.com');
    expect(email.sendResolved).toBe(false);
    expect(email.smtp?.smarthost).toBe('smtp.example.com:587');
    expect(email.smtp?.authUsername).toBe('alertmanager');
    expect(email.smtp?.authPassword?.reveal()).toBe('smtp-secret');
    expect(email.smtp?.requireTls).toBe(false);
    // The only issue: a text template that alertbase replaces with its default text.
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/slack_configs/0/title', 'ignored_field'],
    ]);
  });

  it('reports what cannot be mapped, with paths and codes, and maps nothing half-way', () => {
    const { configs, issues } = channelsFromAlertmanagerReceiver(am.receivers[1]);
    expect(configs).toEqual([]);
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/webhook_configs/0/url_file', 'file_reference'],
      ['/webhook_configs/1/http_config/tls_config', 'unsupported_field'],
      ['/pagerduty_configs/0/service_key', 'unsupported_field'],
      ['/pagerduty_configs/1/severity', 'unsupported_field'],
      ['/opsgenie_configs/0/api_key_file', 'file_reference'],
      ['/slack_configs/0/channel', 'invalid_format'],
      ['/pushover_configs', 'unsupported_integration'],
    ]);
  });

  it('refuses what is not a receiver, and bounds the configs it reads', () => {
    expect(channelsFromAlertmanagerReceiver('x').issues.map((i) => i.code)).toEqual([
      'invalid_type',
    ]);
    const many = {
      name: 'many',
      webhook_configs: Array.from({ length: 150 }, (_, i) => ({
        url: `https://h.example.com/${i}`,
      })),
      slack_configs: {},
      email_configs: [42, { from: 'a@example.com' }],
    };
    const { configs, issues } = channelsFromAlertmanagerReceiver(many);
    expect(configs).toHaveLength(100);
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/webhook_configs', 'too_big'],
      ['/slack_configs', 'invalid_type'],
      ['/email_configs/0', 'invalid_type'],
      ['/email_configs/1/to', 'missing_field'],
    ]);
  });

  it('keeps an Opsgenie API URL of its own, refuses Basic authorization and responders by id', () => {
    const { configs, issues } = channelsFromAlertmanagerReceiver({
      name: 'x',
      opsgenie_configs: [
        { api_key: 'k', api_url: 'https://opsgenie.internal.example.com/' },
        { api_key: 'k', responders: [{ id: '4513b7ea', type: 'team' }] },
      ],
      msteams_configs: [
        { webhook_url: 'not a url' },
        {
          webhook_url: 'https://t.example.com/x',
          http_config: { authorization: { type: 'Basic', credentials: 'c' } },
        },
      ],
    });
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({
      type: 'opsgenie',
      region: 'us',
      apiUrl: 'https://opsgenie.internal.example.com',
    });
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/opsgenie_configs/1/responders/0', 'unsupported_field'],
      ['/msteams_configs/0/webhook_url', 'invalid_format'],
      ['/msteams_configs/1/http_config/authorization/type', 'unsupported_field'],
    ]);
  });

  it('reads http_config bearer tokens and reports every other way of authenticating', () => {
    const { configs, issues } = channelsFromAlertmanagerReceiver({
      name: 'auth',
      webhook_configs: [
        {
          url: 'https://h.example.com/a',
          http_config: { bearer_token: 'legacy-token', follow_redirects: true },
        },
        { url: 'https://h.example.com/b', http_config: 'nope' },
        {
          url: 'https://h.example.com/c',
          http_config: { authorization: { credentials_file: '/x' } },
        },
        { url: 'https://h.example.com/d', http_config: { bearer_token_file: '/x' } },
        { url: 'https://h.example.com/e', max_alerts: 5, timeout: '10s' },
      ],
      slack_configs: [
        { api_url: 'https://hooks.slack.com/x', http_config: { proxy_url: 'http://p' } },
      ],
      pagerduty_configs: [
        { routing_key: '0123456789abcdef0123456789abcdef', http_config: { basic_auth: {} } },
      ],
      opsgenie_configs: [
        { api_key: 'k', responders: 'infra' },
        { api_key: 'k', responders: ['infra'], http_config: { tls_config: {} } },
      ],
      msteams_configs: [{ webhook_url: 'https://t.example.com/x', send_resolved: false }],
    });
    expect(configs).toHaveLength(2);
    expect(configs[0]).toMatchObject({ type: 'webhook', url: 'https://h.example.com/a' });
    expect(configs[0]?.type === 'webhook' && configs[0].bearerToken?.reveal()).toBe('legacy-token');
    expect(configs[1]).toMatchObject({ type: 'teams', sendResolved: false });
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/webhook_configs/1/http_config', 'invalid_type'],
      ['/webhook_configs/2/http_config/authorization/credentials_file', 'file_reference'],
      ['/webhook_configs/3/http_config/bearer_token_file', 'file_reference'],
      ['/webhook_configs/4/timeout', 'unsupported_field'],
      ['/webhook_configs/4/max_alerts', 'unsupported_field'],
      ['/slack_configs/0/http_config/proxy_url', 'unsupported_field'],
      ['/pagerduty_configs/0/http_config/basic_auth', 'unsupported_field'],
      ['/opsgenie_configs/0/responders', 'invalid_type'],
      ['/opsgenie_configs/1/responders/0', 'invalid_type'],
      ['/opsgenie_configs/1/http_config/tls_config', 'unsupported_field'],
    ]);
  });
});
