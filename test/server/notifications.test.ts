/**
 * Notifications through the API, with the schedulers running and real
 * channel senders: an Alertmanager configuration imported, alerts sent as
 * Prometheus sends them, the webhook receiving payload version 4 with its
 * idempotency key; the outbox listed, filtered, retried; the routing tree
 * read, replaced, refused and removed; roles and tenants kept apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../e2e/webhook-receiver.js';
import { call, setup, type TestApp } from './helpers.js';

const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('notifications API', () => {
  let t: TestApp;
  let hook: WebhookReceiver;

  const amConfig = (url: string) =>
    JSON.stringify({
      route: {
        receiver: 'ops',
        group_by: ['alertname'],
        group_wait: '100ms',
        group_interval: '1s',
        repeat_interval: '1h',
        routes: [{ receiver: 'dead-end', matchers: ['team="nobody"'] }],
      },
      receivers: [
        { name: 'ops', webhook_configs: [{ url, send_resolved: true }] },
        { name: 'dead-end', webhook_configs: [{ url: 'http://127.0.0.1:1/closed' }] },
      ],
      inhibit_rules: [
        {
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity="info"'],
          equal: ['alertname'],
        },
      ],
    });

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    const { config } = await loadConfig({
      env: { NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true', NOTIFY_TIMEOUT_SECONDS: '2' },
      cwd: '/nonexistent-alertbase-test',
    });
    t = await setup({ config, schedulers: true });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('imports an Alertmanager configuration: channels per receiver, inhibit rules, the tree', async () => {
    const res = await call(t.app, 'POST', '/v1/routing/import', {
      key: t.keys.editor,
      raw: amConfig(`${hook.url}/ops`),
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(200);
    expect(res.body.inhibit_rules).toBe(1);
    expect(
      (res.body.channels as { name: string; type: string }[]).map((c) => [c.name, c.type]),
    ).toEqual([
      ['ops', 'webhook'],
      ['dead-end', 'webhook'],
    ]);
    const tree = await call(t.app, 'GET', '/v1/routing', { key: t.keys.viewer });
    expect(tree.status).toBe(200);
    expect(tree.headers.etag).toBe('"1"');
    expect((tree.body.receivers as { name: string }[]).map((r) => r.name)).toEqual([
      'ops',
      'dead-end',
    ]);
    // Importing again updates in place: the same channels, a new version of the tree.
    const again = await call(t.app, 'POST', '/v1/routing/import', {
      key: t.keys.editor,
      raw: amConfig(`${hook.url}/ops`),
      contentType: 'application/yaml',
    });
    expect((again.body.channels as { id: string }[]).map((c) => c.id)).toEqual(
      (res.body.channels as { id: string }[]).map((c) => c.id),
    );
    expect((again.body.tree as { version: number }).version).toBe(2);
  });

  it('refuses what it cannot import, and a responder may not import', async () => {
    const bad = await call(t.app, 'POST', '/v1/routing/import', {
      key: t.keys.editor,
      raw: JSON.stringify({
        route: { receiver: 'nobody' },
        receivers: [{ name: 'x', sns_configs: [{}] }],
      }),
      contentType: 'application/yaml',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    const forbidden = await call(t.app, 'POST', '/v1/routing/import', {
      key: t.keys.responder,
      raw: amConfig(`${hook.url}/ops`),
      contentType: 'application/yaml',
    });
    expect(forbidden.status).toBe(403);
  });

  it('an alert sent as Prometheus sends it reaches the webhook, signed with its notification id', async () => {
    const sent = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [
        {
          labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical' },
          annotations: { summary: 'disk' },
        },
      ],
    });
    expect(sent.status).toBe(200);
    const got = await waitFor(async () => hook.received.find((r) => r.path === '/ops'));
    const body = got.body as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical' },
      truncatedAlerts: 0,
    });
    expect(body.groupKey).toBe('{}:{alertname="DiskFull"}');
    const list = await waitFor(async () => {
      const r = await call(t.app, 'GET', '/v1/notifications?state=delivered', {
        key: t.keys.viewer,
      });
      return r.body.items?.length === 1 ? r : undefined;
    });
    const n = list.body.items?.[0] as Record<string, unknown>;
    expect(got.headers['webhook-id']).toBe(n.id);
    expect(n).toMatchObject({ state: 'delivered', action: 'notify', receiver: 'ops', attempts: 1 });
    expect(
      (n.attempt_log as { outcome: string; status: number }[]).map((a) => [a.outcome, a.status]),
    ).toEqual([['delivered', 200]]);
    const one = await call(t.app, 'GET', `/v1/notifications/${String(n.id)}`, {
      key: t.keys.viewer,
    });
    expect(one.body.id).toBe(n.id);
    // Another tenant sees none of it.
    const other = await call(t.app, 'GET', `/v1/notifications/${String(n.id)}`, {
      key: t.otherKey,
    });
    expect(other.status).toBe(404);
    const otherList = await call(t.app, 'GET', '/v1/notifications', { key: t.otherKey });
    expect(otherList.body.items).toEqual([]);
  });

  it('a failing receiver is retried with backoff; retry puts it back; the filters work', async () => {
    await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: 'Lost', team: 'nobody' } }],
    });
    const failing = await waitFor(async () => {
      const r = await call(t.app, 'GET', '/v1/notifications?state=pending', { key: t.keys.viewer });
      const item = r.body.items?.find((i) => (i.attempts as number) >= 1);
      return item;
    });
    expect(failing.receiver).toBe('dead-end');
    expect(failing.last_error).toEqual(expect.any(String));
    const log = failing.attempt_log as { outcome: string; status: number | null }[];
    expect(log[0]?.outcome).toBe('retry');
    const byChannel = await call(
      t.app,
      'GET',
      `/v1/notifications?channel_id=${String(failing.channel_id)}`,
      { key: t.keys.viewer },
    );
    expect(byChannel.body.items?.map((i) => i.id)).toEqual([failing.id]);
    const alertId = (failing.alert_ids as string[])[0] ?? '';
    const byAlert = await call(t.app, 'GET', `/v1/notifications?alert_id=${alertId}`, {
      key: t.keys.viewer,
    });
    expect(byAlert.body.items?.map((i) => i.id)).toEqual([failing.id]);
    const viewer = await call(t.app, 'POST', `/v1/notifications/${String(failing.id)}/retry`, {
      key: t.keys.viewer,
    });
    expect(viewer.status).toBe(403);
    const retried = await call(t.app, 'POST', `/v1/notifications/${String(failing.id)}/retry`, {
      key: t.keys.responder,
    });
    expect(retried.status).toBe(200);
    expect(['pending', 'sending']).toContain(retried.body.state);
    const bad = await call(t.app, 'GET', '/v1/notifications?state=lost', { key: t.keys.viewer });
    expect(bad.status).toBe(422);
  });

  it('the tree: replaced with If-Match, refused with paths, removed', async () => {
    const current = await call(t.app, 'GET', '/v1/routing', { key: t.keys.viewer });
    const version = current.headers.etag;
    const invalid = await call(t.app, 'PUT', '/v1/routing', {
      key: t.keys.editor,
      body: { route: { receiver: 'ghost' }, receivers: [{ name: 'ops' }] },
    });
    expect(invalid.status).toBe(422);
    const stale = await call(t.app, 'PUT', '/v1/routing', {
      key: t.keys.editor,
      headers: { 'if-match': '"1"' },
      body: { route: { receiver: 'ops' }, receivers: [{ name: 'ops' }] },
    });
    expect(stale.status).toBe(412);
    const replaced = await call(t.app, 'PUT', '/v1/routing', {
      key: t.keys.editor,
      headers: { 'if-match': String(version) },
      body: { route: { receiver: 'ops', group_wait: '10s' }, receivers: [{ name: 'ops' }] },
    });
    expect(replaced.status).toBe(200);
    expect((replaced.body.route as { group_wait: number }).group_wait).toBe(10_000);
    expect((await call(t.app, 'DELETE', '/v1/routing', { key: t.keys.editor })).status).toBe(204);
    expect((await call(t.app, 'GET', '/v1/routing', { key: t.keys.viewer })).status).toBe(404);
    const created = await call(t.app, 'PUT', '/v1/routing', {
      key: t.keys.editor,
      body: { route: { receiver: 'ops' }, receivers: [{ name: 'ops' }] },
    });
    expect(created.status).toBe(201);
  });
});
