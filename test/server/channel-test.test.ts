/**
 * `POST /v1/channels/{id}/test` against real receivers on loopback: a
 * webhook that answers 200 gets the test message (signed, with its bearer
 * token); one that answers 503 and a closed port give a failed result with
 * the status or the error; the address check refuses a private receiver
 * once the tenant no longer allows private networks; a slow receiver is
 * given up at the delivery timeout; every test is audited; roles and
 * tenants are kept apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { TEST_ALERT_NAME } from '../../src/server/channel-test.js';
import { startWebhookReceiver, type WebhookReceiver } from '../e2e/webhook-receiver.js';
import { ADMIN_KEY, call, setup, type TestApp } from './helpers.js';

const SETTINGS = { timezone: 'UTC', levelPriorities: {}, allowPrivateNetworks: true };

describe('test notifications', () => {
  let t: TestApp;
  let ok: WebhookReceiver;
  let failing: WebhookReceiver;

  const channel = async (name: string, config: Record<string, unknown>) => {
    const res = await call(t.app, 'POST', '/v1/channels', {
      key: t.keys.editor,
      body: { name, config },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return String(res.body.id);
  };
  const test = (id: string, key: string = t.keys.editor) =>
    call(t.app, 'POST', `/v1/channels/${id}/test`, { key });

  beforeAll(async () => {
    ok = await startWebhookReceiver();
    failing = await startWebhookReceiver(
      () => 0,
      () => 503,
    );
    t = await setup();
    // The receivers are on loopback: the tenant allows private networks (the deployment does not).
    await t.repos.tenants.update('acme', { settings: SETTINGS }, 'test');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await ok?.close();
    await failing?.close();
  });

  it('delivers a test message through a webhook channel and says so', async () => {
    const id = await channel('ops-hook', {
      type: 'webhook',
      url: `${ok.url}/hook`,
      bearerToken: 'tok-123456',
      signingSecret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    });
    const res = await test(id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      channel_id: id,
      type: 'webhook',
      result: 'delivered',
      status: 200,
      error: null,
      code: null,
      retryable: false,
      requests: 1,
    });
    expect(res.body.duration_ms).toBeGreaterThanOrEqual(0);
    expect(ok.received).toHaveLength(1);
    const [got] = ok.received;
    expect(got?.path).toBe('/hook');
    expect(got?.headers.authorization).toBe('Bearer tok-123456');
    expect(got?.headers['webhook-id']).toBe(res.body.message_id);
    expect(String(got?.headers['webhook-signature'])).toMatch(/^v1,/);
    const body = got?.body as {
      version: string;
      receiver: string;
      status: string;
      alerts: { status: string; labels: Record<string, string> }[];
    };
    expect(body.version).toBe('4');
    expect(body.receiver).toBe('ops-hook');
    expect(body.status).toBe('firing');
    expect(body.alerts.map((a) => [a.status, a.labels.alertname, a.labels.channel])).toEqual([
      ['firing', TEST_ALERT_NAME, 'ops-hook'],
    ]);
    // Nothing was queued: a test is not a notification of the outbox.
    const outbox = await call(t.app, 'GET', `/v1/notifications?channel_id=${id}`, {
      key: t.keys.viewer,
    });
    expect(outbox.body.items).toEqual([]);
  });

  it('answers a failing receiver’s status, and a closed port’s error', async () => {
    const id = await channel('failing-hook', { type: 'webhook', url: `${failing.url}/down` });
    const res = await test(id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      result: 'failed',
      status: 503,
      code: 'ALERTBASE_DELIVERY_HTTP_STATUS',
      retryable: true,
      requests: 1,
    });
    expect(String(res.body.error)).toMatch(/503/);
    expect(failing.received).toHaveLength(1);

    const closed = await channel('closed-hook', { type: 'webhook', url: 'http://127.0.0.1:1/x' });
    const refused = await test(closed);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      result: 'failed',
      status: null,
      code: 'ALERTBASE_DELIVERY_NETWORK',
      retryable: true,
    });
    expect(String(refused.body.error)).not.toBe('');
  });

  it('tests a disabled channel too (before it is enabled)', async () => {
    const id = await channel('later', { type: 'webhook', url: `${ok.url}/later` });
    const off = await call(t.app, 'PATCH', `/v1/channels/${id}`, {
      key: t.keys.editor,
      body: { enabled: false },
    });
    expect(off.status).toBe(200);
    const res = await test(id);
    expect(res.body.result).toBe('delivered');
    expect(ok.received.at(-1)?.path).toBe('/later');
  });

  it('audits every test: success and failure, with the status', async () => {
    const res = await call(t.app, 'GET', '/v1/audit?action=channel.test&limit=100', {
      key: t.keys.viewer,
    });
    expect(res.status).toBe(200);
    const events = res.body.items as {
      actor: string;
      result: string;
      entity_type: string;
      details: Record<string, unknown>;
    }[];
    expect(events.map((e) => [e.result, e.details.status])).toEqual([
      ['success', 200],
      ['failure', 503],
      ['failure', null],
      ['success', 200],
    ]);
    expect(events.every((e) => e.entity_type === 'NotificationChannel')).toBe(true);
    expect(events[0]?.actor).toMatch(/^key:/);
    expect(events[1]?.details.code).toBe('ALERTBASE_DELIVERY_HTTP_STATUS');
    const chain = await call(t.app, 'GET', '/v1/audit/verify', { key: t.keys.viewer });
    expect(chain.body.ok).toBe(true);
  });

  it('needs the permission to edit channels, and keeps tenants apart', async () => {
    const id = await channel('guarded', { type: 'webhook', url: `${ok.url}/guarded` });
    const before = ok.received.length;
    expect((await test(id, t.keys.viewer)).status).toBe(403);
    expect((await test(id, t.keys.responder)).status).toBe(403);
    const other = await test(id, t.otherKey);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
    expect((await test('01a220fc-0000-7000-8000-00000000dead')).status).toBe(404);
    const deleted = await call(t.app, 'DELETE', `/v1/channels/${id}`, { key: t.keys.editor });
    expect(deleted.status).toBe(200);
    expect((await test(id)).status).toBe(404);
    expect(ok.received.length).toBe(before);
  });

  it('judges the receiver’s address when sending: refused once private networks are not allowed', async () => {
    const id = await channel('private', { type: 'webhook', url: `${ok.url}/private` });
    const tenant = await call(t.app, 'GET', '/v1/tenants/acme', { key: ADMIN_KEY });
    const patched = await call(t.app, 'PATCH', '/v1/tenants/acme', {
      key: ADMIN_KEY,
      body: { settings: { ...SETTINGS, allowPrivateNetworks: false } },
      headers: { 'if-match': String(tenant.headers.etag) },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const before = ok.received.length;
    const res = await test(id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      result: 'failed',
      status: null,
      code: 'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      retryable: false,
    });
    expect(ok.received.length).toBe(before);
  });
});

describe('test notifications, bounded by the delivery timeout', () => {
  let t: TestApp;
  let slow: WebhookReceiver;

  beforeAll(async () => {
    slow = await startWebhookReceiver(() => 5_000);
    const { config } = await loadConfig({
      env: { NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true', NOTIFY_TIMEOUT_SECONDS: '1' },
      cwd: '/nonexistent-alertbase-test',
    });
    t = await setup({ config });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await slow?.close();
  });

  it('answers a timeout when the receiver does not answer in time', async () => {
    const created = await call(t.app, 'POST', '/v1/channels', {
      key: t.keys.editor,
      body: { name: 'slow', config: { type: 'webhook', url: `${slow.url}/slow` } },
    });
    expect(created.status).toBe(201);
    const res = await call(t.app, 'POST', `/v1/channels/${String(created.body.id)}/test`, {
      key: t.keys.editor,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      result: 'failed',
      status: null,
      code: 'ALERTBASE_DELIVERY_TIMEOUT',
      retryable: true,
    });
    expect(slow.received).toHaveLength(1);
  });
});
