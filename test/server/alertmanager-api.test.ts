/**
 * The Alertmanager API v2 routes through the app: groups, status,
 * receivers, one silence, expiry, roles and bad input. (What the answers
 * are, compared with a real Alertmanager, is in test/e2e/alertmanager-api.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, setup, type TestApp } from './helpers.js';

describe('Alertmanager API v2 routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
    const ingest = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [
        { labels: { alertname: 'Down', severity: 'critical', zone: 'a' } },
        { labels: { alertname: 'Down', severity: 'warning', zone: 'a' } },
        { labels: { alertname: 'Maint', severity: 'info' } },
      ],
    });
    expect(ingest.status).toBe(200);
    const rule = await call(t.app, 'POST', '/v1/inhibit-rules', {
      key: t.keys.editor,
      body: {
        name: 'critical mutes warning',
        source_matchers: [{ name: 'severity', value: 'critical', isRegex: false }],
        target_matchers: [{ name: 'severity', value: 'warning', isRegex: false }],
        equal: ['zone'],
      },
    });
    expect(rule.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('groups every alert under the default receiver, filtered as the alert list', async () => {
    const res = await call(t.app, 'GET', '/api/v2/alerts/groups?inhibited=false', {
      key: t.keys.viewer,
    });
    expect(res.status).toBe(200);
    const groups = res.body as unknown as {
      labels: object;
      receiver: { name: string };
      alerts: { labels: Record<string, string> }[];
    }[];
    expect(groups.map((g) => [g.labels, g.receiver.name, g.alerts.length])).toEqual([
      [{}, 'default', 2],
    ]);
    expect(groups[0]?.alerts.map((a) => a.labels.severity).sort()).toEqual(['critical', 'info']);
    const none = await call(t.app, 'GET', '/api/v2/alerts/groups?filter=alertname%3D%22Nope%22', {
      key: t.keys.viewer,
    });
    expect(none.body).toEqual([]);
  });

  it('reports status with the tenant configuration, and the receivers', async () => {
    const status = await call(t.app, 'GET', '/api/v2/status', { key: t.keys.viewer });
    expect(status.status).toBe(200);
    const body = status.body as {
      cluster: { status: string };
      versionInfo: { version: string };
      config: { original: string };
    };
    expect(body.cluster.status).toBe('disabled');
    expect(body.versionInfo.version).toBe('0.25.0');
    expect(body.config.original).toContain('inhibit_rules:');
    expect(body.config.original).toContain('severity="critical"');
    const receivers = await call(t.app, 'GET', '/api/v2/receivers', { key: t.keys.viewer });
    expect(receivers.body).toEqual([{ name: 'default' }]);
  });

  it('creates, reads and expires one silence; viewers read, editors write', async () => {
    const silence = {
      matchers: [{ name: 'alertname', value: 'Maint', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'ops',
      comment: 'window',
    };
    const denied = await call(t.app, 'POST', '/api/v2/silences', {
      key: t.keys.viewer,
      body: silence,
    });
    expect(denied.status).toBe(403);
    const created = await call(t.app, 'POST', '/api/v2/silences', {
      key: t.keys.editor,
      body: silence,
    });
    expect(created.status).toBe(200);
    const id = (created.body as { silenceID: string }).silenceID;
    const one = await call(t.app, 'GET', `/api/v2/silence/${id}`, { key: t.keys.viewer });
    expect(one.body).toMatchObject({ id, status: { state: 'active' }, comment: 'window' });
    const silenced = await call(t.app, 'GET', '/api/v2/alerts?active=false', {
      key: t.keys.viewer,
    });
    expect(
      (silenced.body as unknown as { labels: Record<string, string> }[]).map(
        (a) => a.labels.alertname,
      ),
    ).toEqual(['Down', 'Maint']);
    const expired = await call(t.app, 'DELETE', `/api/v2/silence/${id}`, { key: t.keys.editor });
    expect(expired.status).toBe(200);
    const after = await call(t.app, 'GET', `/api/v2/silence/${id}`, { key: t.keys.viewer });
    expect((after.body as { status: { state: string } }).status.state).toBe('expired');
    const other = await call(t.app, 'GET', `/api/v2/silence/${id}`, { key: t.otherKey });
    expect(other.status).toBe(404);
  });

  it('answers bad input with 400, as Alertmanager', async () => {
    for (const url of [
      '/api/v2/alerts?silenced=maybe',
      '/api/v2/alerts?filter=nonsense',
      '/api/v2/alerts?receiver=(',
      '/api/v2/silences?filter=a%3D%22x',
    ]) {
      const res = await call(t.app, 'GET', url, { key: t.keys.viewer });
      expect([url, res.status, res.body.code]).toEqual([
        url,
        400,
        'ALERTBASE_VALIDATION_BAD_REQUEST',
      ]);
    }
    const bad = await call(t.app, 'POST', '/api/v2/silences', {
      key: t.keys.editor,
      body: { matchers: [], startsAt: 'x', endsAt: 'y', createdBy: '', comment: '' },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'ALERTBASE_VALIDATION_BAD_REQUEST']);
    const notObject = await call(t.app, 'POST', '/api/v2/silences', {
      key: t.keys.editor,
      body: [1],
    });
    expect(notObject.status).toBe(400);
  });
});
