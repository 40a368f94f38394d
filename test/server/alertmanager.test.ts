/**
 * The Alertmanager-compatible endpoints, with payloads as Prometheus 2.42
 * and Alertmanager 0.25 send them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/base/utils/fingerprint.js';
import { call, setup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

const labels = {
  alertname: 'AlwaysFiring',
  instance: 'localhost:9090',
  job: 'prometheus',
  severity: 'critical',
};

describe('POST /api/v2/alerts (Prometheus)', () => {
  const inFuture = () => new Date(Date.now() + 4 * 60_000).toISOString().replace('Z', '123456Z');

  it('stores alerts as Prometheus sends them, with Alertmanager fingerprints', async () => {
    const body = [
      {
        annotations: { summary: 'always' },
        endsAt: inFuture(),
        startsAt: '2026-11-28T06:00:00.123456789Z',
        generatorURL: 'http://vm:9090/graph?g0.expr=vector%281%29&g0.tab=1',
        labels,
      },
    ];
    const res = await call(t.app, 'POST', '/api/v2/alerts', { key: t.keys.responder, body });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 1, deduplicated: 0, resolved: 0, rejected: 0 });
    const listed = await call(t.app, 'GET', '/v1/alerts?label=alertname=AlwaysFiring', {
      key: t.keys.viewer,
    });
    const [stored] = listed.body.items ?? [];
    expect(stored).toMatchObject({
      fingerprint: fingerprint(labels),
      level: 'critical',
      priority: 'P1',
      status: 'firing',
      starts_at: '2026-11-28T06:00:00.123Z',
      generator_url: body[0]?.generatorURL,
    });
    // Prometheus resends while firing: a repeat, not a new alert.
    const again = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [{ ...body[0], endsAt: inFuture() }],
    });
    expect(again.body.counts).toMatchObject({ created: 0, deduplicated: 1 });
  });

  it('resolves an alert whose endsAt has passed; empty generatorURL is none', async () => {
    const res = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [
        {
          labels,
          endsAt: new Date(Date.now() - 5_000).toISOString(),
          startsAt: '2026-11-28T06:00:00.123456789Z',
          generatorURL: '',
        },
      ],
    });
    expect(res.body.counts).toMatchObject({ resolved: 1 });
  });

  it('reports bad alerts per item and stores the good ones', async () => {
    const res = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: [
        { labels: { alertname: 'Good' } },
        { annotations: {} },
        { labels: { 'bad name': 'x' } },
      ],
    });
    expect(res.status).toBe(200);
    const items = res.body.items as {
      index: number;
      result: string;
      errors?: { pointer: string }[];
    }[];
    expect(items.map((i) => [i.index, i.result])).toEqual([
      [0, 'created'],
      [1, 'rejected'],
      [2, 'rejected'],
    ]);
    expect(items[1]?.errors?.[0]?.pointer).toBe('/labels');
    expect(items[2]?.errors?.[0]?.pointer).toBe('/labels/bad name');
    const notArray = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.keys.responder,
      body: { labels },
    });
    expect(notArray.status).toBe(422);
    expect(notArray.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
  });

  it('uses the tenant level → priority overrides', async () => {
    await t.repos.tenants.update(
      'globex',
      { settings: { levelPriorities: { critical: 'P1', high: 'P1', medium: 'P1' } } },
      'test',
    );
    const res = await call(t.app, 'POST', '/api/v2/alerts', {
      key: t.otherKey,
      body: [{ labels: { alertname: 'Warn', severity: 'warning' } }],
    });
    const id = (res.body.items as { id: string }[])[0]?.id;
    const got = await call(t.app, 'GET', `/v1/alerts/${String(id)}`, { key: t.otherKey });
    expect(got.body).toMatchObject({ level: 'medium', priority: 'P1' });
  });
});

describe('POST /v1/webhooks/alertmanager (Alertmanager 0.25, payload version 4)', () => {
  const webhook = (alerts: unknown[], extra: Record<string, unknown> = {}) => ({
    receiver: 'alertbase',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'Webhooked' },
    commonLabels: { alertname: 'Webhooked' },
    commonAnnotations: {},
    externalURL: 'http://vm:9093',
    version: '4',
    groupKey: '{}:{alertname="Webhooked"}',
    truncatedAlerts: 0,
    ...extra,
  });
  const whLabels = { alertname: 'Webhooked', instance: 'a:1', severity: 'warning' };

  it('stores a notification: zero endsAt is no end, nanoseconds, empty generatorURL, fingerprint checked', async () => {
    const res = await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
      key: t.keys.responder,
      body: webhook([
        {
          status: 'firing',
          labels: whLabels,
          annotations: { summary: 's' },
          startsAt: '2026-11-28T06:00:01.987654321Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: fingerprint(whLabels),
        },
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 1, deduplicated: 0, resolved: 0, rejected: 0 });
    const id = (res.body.items as { id: string }[])[0]?.id;
    const got = await call(t.app, 'GET', `/v1/alerts/${String(id)}`, { key: t.keys.viewer });
    expect(got.body).toMatchObject({
      ends_at: null,
      generator_url: null,
      starts_at: '2026-11-28T06:00:01.987Z',
      level: 'medium',
      fingerprint: fingerprint(whLabels),
    });
  });

  it('resolves with a resolved notification, with or without endsAt', async () => {
    const res = await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
      key: t.keys.responder,
      body: webhook(
        [
          {
            status: 'resolved',
            labels: whLabels,
            annotations: {},
            startsAt: '2026-11-28T06:00:01.987654321Z',
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: '',
            fingerprint: fingerprint(whLabels),
          },
        ],
        { status: 'resolved' },
      ),
    });
    expect(res.body.counts).toMatchObject({ resolved: 1 });
  });

  it('rejects an alert whose fingerprint is not the one of its labels', async () => {
    const res = await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
      key: t.keys.responder,
      body: webhook([
        { status: 'firing', labels: { alertname: 'Tampered' }, fingerprint: '0123456789abcdef' },
        { status: 'maybe', labels: { alertname: 'Odd' } },
      ]),
    });
    expect(res.status).toBe(200);
    const items = res.body.items as {
      result: string;
      errors: { pointer: string; code: string }[];
    }[];
    expect(items[0]?.errors).toEqual([
      expect.objectContaining({ pointer: '/fingerprint', code: 'fingerprint_mismatch' }),
    ]);
    expect(items[1]?.errors?.[0]?.pointer).toBe('/status');
  });

  it('refuses another payload version', async () => {
    const res = await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
      key: t.keys.responder,
      body: webhook([], { version: '3' }),
    });
    expect(res.status).toBe(422);
    expect((res.body.errors as { pointer: string }[])[0]?.pointer).toBe('/version');
    const viewer = await call(t.app, 'POST', '/v1/webhooks/alertmanager', {
      key: t.keys.viewer,
      body: webhook([]),
    });
    expect(viewer.status).toBe(403);
  });
});
