/**
 * Smaller holes: a page cursor holding a date PostgreSQL cannot parse is a
 * 400 (was a 500); a channel URL that reaches this machine, a private
 * network or a cloud metadata service is refused before it is stored.
 */
import { expect, it } from 'vitest';
import { ADMIN_KEY, call, RULE } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

onEveryEngine('page cursors', (fixtures) => {
  it.each([
    ['2026-02-30T00:00:00.000000+00:00'],
    ['Tue March 7 2026'],
    ['0000-01-01T00:00:00+00:00'],
    ['2026-01-01T24:00:00+00:00'],
    ['275760-09-13T00:00:00Z'],
  ])('a cursor with the date %j is 400 ALERTBASE_STORAGE_CURSOR_INVALID', async (date) => {
    const t = fixtures();
    for (const name of ['cursor-a', 'cursor-b']) {
      await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, body: { ...RULE, name } });
    }
    const first = await call(t.app, 'GET', '/v1/rules?limit=1', { key: t.keys.viewer });
    const cursor = String(first.body.next_cursor);
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // A real cursor of this listing, with only its date changed.
    expect(state[1]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const forged = Buffer.from(JSON.stringify([state[0], date, ...state.slice(2)])).toString(
      'base64url',
    );
    const r = await call(t.app, 'GET', `/v1/rules?limit=1&cursor=${forged}`, {
      key: t.keys.viewer,
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ALERTBASE_STORAGE_CURSOR_INVALID');
    // The genuine cursor still works.
    const next = await call(t.app, 'GET', `/v1/rules?limit=1&cursor=${cursor}`, {
      key: t.keys.viewer,
    });
    expect(next.status).toBe(200);
  });
});

let channels = 0;
const channel = (config: Record<string, unknown>) => ({ name: `hook-${++channels}`, config });

onEveryEngine('channel URLs (allowPrivateNetworks: false)', (fixtures) => {
  it.each([
    ['http://127.0.0.1/hook', 'ssrf_loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'ssrf_cloud_metadata'],
    ['http://[::1]:8080/', 'ssrf_loopback'],
    ['http://0x7f.0.0.1/', 'ssrf_loopback'],
    ['http://2130706433/', 'ssrf_loopback'],
    ['http://10.1.2.3/', 'ssrf_private_address'],
    ['http://localhost:9093/', 'ssrf_localhost_name'],
    ['http://[::ffff:169.254.169.254]/', 'ssrf_cloud_metadata'],
  ])(
    'a webhook to %s is refused on create and on update (%s), nothing stored',
    async (url, category) => {
      const t = fixtures();
      const created = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: channel({ type: 'webhook', url }),
      });
      expect(created.status).toBe(400);
      expect(created.body.code).toBe('ALERTBASE_SECURITY_VIOLATION');
      expect(String(created.body.detail)).toContain('config.url');
      const slack = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: channel({ type: 'slack', webhook_url: url }),
      });
      expect(slack.status).toBe(400);
      const opsgenie = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: channel({ type: 'opsgenie', apiKey: 'k', apiUrl: url }),
      });
      expect(opsgenie.status).toBe(400);
      expect(String(opsgenie.body.detail)).toContain('config.apiUrl');
      const host = new URL(url).host;
      const email = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: channel({
          type: 'email',
          to: ['a@example.com'],
          smtp: { smarthost: `${host.replace(/:\d+$/, '')}:25` },
        }),
      });
      expect(email.status).toBe(400);
      expect(String(email.body.detail)).toContain('config.smtp.smarthost');
      const good = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: channel({ type: 'webhook', url: 'https://hooks.example.com/alertbase' }),
      });
      expect(good.status).toBe(201);
      const patched = await call(t.app, 'PATCH', `/v1/channels/${String(good.body.id)}`, {
        key: t.keys.editor,
        body: { config: { type: 'webhook', url } },
      });
      expect(patched.status).toBe(400);
      const stored = await call(t.app, 'GET', `/v1/channels/${String(good.body.id)}`, {
        key: t.keys.viewer,
      });
      expect(JSON.stringify(stored.body)).not.toContain(url);
      expect(category).toMatch(/^ssrf_/);
    },
  );

  it('with allowPrivateNetworks: true, private targets are stored; cloud metadata never', async () => {
    const t = fixtures();
    const tenant = await call(t.app, 'PATCH', '/v1/tenants/globex', {
      key: ADMIN_KEY,
      body: { settings: { allowPrivateNetworks: true } },
    });
    expect(tenant.status).toBe(200);
    const local = await call(t.app, 'POST', '/v1/channels', {
      key: t.otherKey,
      body: channel({ type: 'webhook', url: 'http://127.0.0.1:9093/hook' }),
    });
    expect(local.status).toBe(201);
    const metadata = await call(t.app, 'POST', '/v1/channels', {
      key: t.otherKey,
      body: channel({ type: 'webhook', url: 'http://169.254.169.254/' }),
    });
    expect(metadata.status).toBe(400);
    expect(metadata.body.code).toBe('ALERTBASE_SECURITY_VIOLATION');
  });
});

onEveryEngine('labels named constructor and prototype', (fixtures) => {
  it('a batch with them is stored and read back exactly (JSON, YAML, MessagePack)', async () => {
    const t = fixtures();
    const labels = { alertname: 'ProtoNames', constructor: 'c', prototype: 'p', toString: 's' };
    const annotations = { constructor: 'summary text', valueOf: 'v' };
    for (const format of ['json', 'yaml', 'msgpack'] as const) {
      const res = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        format,
        body: [
          { labels: { ...labels, format }, annotations, level: 'high', priority: 'P2' },
          { labels: { alertname: 'Plain', format }, level: 'low', priority: 'P4' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.counts).toMatchObject({ created: 2, rejected: 0 });
      const id = String((res.body.items as { id: string }[])[0]?.id);
      const stored = await call(t.app, 'GET', `/v1/alerts/${id}`, { key: t.keys.viewer });
      expect(stored.body.labels).toEqual({ ...labels, format });
      expect(stored.body.annotations).toEqual(annotations);
      // Filtering by such a label finds exactly that alert.
      const found = await call(
        t.app,
        'GET',
        `/v1/alerts?label=constructor=c&label=format=${format}`,
        { key: t.keys.viewer },
      );
      expect((found.body.items ?? []).map((a) => a.id)).toEqual([id]);
    }
    expect(({} as Record<string, unknown>).c).toBeUndefined();
  });
});
