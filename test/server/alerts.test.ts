/**
 * Alerts: batch ingest with per-item results, listing with filters and a
 * time range, status actions, the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/base/utils/fingerprint.js';
import { call, setup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

const alert = (name: string, extra: Record<string, unknown> = {}) => ({
  labels: { alertname: name, job: 'api' },
  level: 'high',
  priority: 'P2',
  ...extra,
});

describe('POST /v1/alerts', () => {
  it('answers 200 with one result per item: created, deduplicated, rejected', async () => {
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [
        alert('Cpu'),
        alert('Cpu', { annotations: { summary: 'again' } }),
        { labels: {} },
        alert('Disk'),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 2, deduplicated: 1, resolved: 0, rejected: 1 });
    const items = res.body.items as Record<string, unknown>[];
    expect(items.map((i) => i.result)).toEqual(['created', 'deduplicated', 'rejected', 'created']);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3]);
    expect(items[0]?.fingerprint).toBe(fingerprint({ alertname: 'Cpu', job: 'api' }));
    expect(items[1]?.id).toBe(items[0]?.id);
    expect(
      ((items[2]?.errors ?? []) as { pointer: string }[]).map((e) => e.pointer).sort(),
    ).toEqual(['/labels', '/level', '/priority']);
  });

  it('takes { alerts: [...] } and resolves open alerts whose endsAt passed', async () => {
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: { alerts: [alert('Disk', { endsAt: new Date(Date.now() - 1_000).toISOString() })] },
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ resolved: 1 });
    expect((res.body.items as { status: string }[])[0]?.status).toBe('resolved');
  });

  it('refuses a body that is not a batch', async () => {
    for (const body of [{ labels: { a: 'b' } }, 'alerts', 42]) {
      const res = await call(t.app, 'POST', '/v1/alerts', { key: t.keys.responder, body });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    }
  });
});

describe('GET /v1/alerts', () => {
  it('filters by status, level, labels, fingerprint', async () => {
    await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [
        alert('Mem', { level: 'low', priority: 'P4', labels: { alertname: 'Mem', job: 'db' } }),
      ],
    });
    const firing = await call(t.app, 'GET', '/v1/alerts?status=firing', { key: t.keys.viewer });
    expect(
      firing.body.items
        ?.map((a) => a.labels && (a.labels as { alertname: string }).alertname)
        .sort(),
    ).toEqual(['Cpu', 'Mem']);
    const severe = await call(t.app, 'GET', '/v1/alerts?level=medium', { key: t.keys.viewer });
    expect(severe.body.items?.every((a) => a.level === 'high')).toBe(true);
    const db = await call(t.app, 'GET', '/v1/alerts?label=job=db', { key: t.keys.viewer });
    expect(db.body.items).toHaveLength(1);
    const fp = fingerprint({ alertname: 'Cpu', job: 'api' });
    const byFp = await call(t.app, 'GET', `/v1/alerts?fingerprint=${fp}`, { key: t.keys.viewer });
    expect(byFp.body.items?.map((a) => a.fingerprint)).toEqual([fp]);
    const bad = await call(t.app, 'GET', '/v1/alerts?status=burning&since=yesterday', {
      key: t.keys.viewer,
    });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/since',
      '/status/0',
    ]);
  });

  it('filters by time range, across pages', async () => {
    const old = new Date(Date.now() - 86_400_000 * 3);
    await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [
        alert('Old', {
          startsAt: old.toISOString(),
          endsAt: new Date(old.getTime() + 60_000).toISOString(),
        }),
      ],
    });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const recent = await call(t.app, 'GET', `/v1/alerts?since=${yesterday}&limit=2`, {
      key: t.keys.viewer,
    });
    expect(recent.status).toBe(200);
    const names = new Set<string>();
    let page = recent;
    for (let i = 0; i < 10; i++) {
      for (const a of page.body.items ?? [])
        names.add((a.labels as { alertname: string }).alertname);
      if (page.body.next_cursor === null) break;
      page = await call(
        t.app,
        'GET',
        `/v1/alerts?since=${yesterday}&limit=2&cursor=${encodeURIComponent(String(page.body.next_cursor))}`,
        { key: t.keys.viewer },
      );
    }
    expect(names.has('Old')).toBe(false);
    expect(names.has('Cpu')).toBe(true);
    const until = new Date(old.getTime() + 1_000).toISOString();
    const early = await call(t.app, 'GET', `/v1/alerts?until=${until}`, { key: t.keys.viewer });
    expect(early.body.items?.map((a) => (a.labels as { alertname: string }).alertname)).toEqual([
      'Old',
    ]);
  });
});

describe('alert actions', () => {
  let id = '';
  beforeAll(async () => {
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [alert('Act')],
    });
    id = String((res.body.items as { id: string }[])[0]?.id);
  });

  it('acknowledges, with who and when', async () => {
    const got = await call(t.app, 'GET', `/v1/alerts/${id}`, { key: t.keys.viewer });
    expect(got.status).toBe(200);
    expect(got.body.status).toBe('firing');
    const res = await call(t.app, 'POST', `/v1/alerts/${id}/acknowledge`, {
      key: t.keys.responder,
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('acknowledged');
    expect(res.body.acknowledged_by).toMatch(/^key:ab_/);
    expect(res.headers.etag).toBe(`"${String(res.body.version)}"`);
  });

  it('refuses an illegal transition with 409 and the allowed actions', async () => {
    const res = await call(t.app, 'POST', `/v1/alerts/${id}/reopen`, { key: t.keys.responder });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALERTBASE_STATUS_INVALID_TRANSITION');
    expect(res.body.allowedActions).toEqual(['unacknowledge', 'resolve', 'suppress', 'expire']);
  });

  it('refuses a stale If-Match with 412', async () => {
    const res = await call(t.app, 'POST', `/v1/alerts/${id}/suppress`, {
      key: t.keys.responder,
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(412);
    expect(res.body.code).toBe('ALERTBASE_RESOURCE_PRECONDITION_FAILED');
  });

  it('walks the table: suppress, unsuppress, unacknowledge, resolve, reopen', async () => {
    const steps = [
      ['suppress', 'suppressed'],
      ['unsuppress', 'acknowledged'],
      ['unacknowledge', 'firing'],
      ['resolve', 'resolved'],
      ['reopen', 'firing'],
    ] as const;
    for (const [action, status] of steps) {
      const current = await call(t.app, 'GET', `/v1/alerts/${id}`, { key: t.keys.viewer });
      const res = await call(t.app, 'POST', `/v1/alerts/${id}/${action}`, {
        key: t.keys.responder,
        headers: { 'if-match': String(current.headers.etag) },
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
    }
  });

  it("answers 404 for unknown and another tenant's alerts", async () => {
    expect((await call(t.app, 'GET', `/v1/alerts/${id}`, { key: t.otherKey })).status).toBe(404);
    const res = await call(t.app, 'POST', `/v1/alerts/${id}/resolve`, { key: t.otherKey });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
  });
});

describe('audit', () => {
  it('lists events with filters and verifies the chain', async () => {
    const all = await call(t.app, 'GET', '/v1/audit?limit=1000', { key: t.keys.viewer });
    expect(all.status).toBe(200);
    const events = all.body.items ?? [];
    expect(events.length).toBeGreaterThan(5);
    const transitions = await call(t.app, 'GET', '/v1/audit?action=transition&limit=2', {
      key: t.keys.viewer,
    });
    expect(transitions.body.items).toHaveLength(2);
    expect(transitions.body.items?.every((e) => e.action === 'transition')).toBe(true);
    const next = await call(
      t.app,
      'GET',
      `/v1/audit?action=transition&after=${String(transitions.body.next_after)}`,
      {
        key: t.keys.viewer,
      },
    );
    expect(next.body.items?.length).toBeGreaterThan(0);
    expect(next.body.items?.[0]?.seq).toBeGreaterThan(Number(transitions.body.next_after));
    const first = events[0] as {
      actor: string;
      entity_type: string;
      entity_id: string;
      at: string;
    };
    const byActor = await call(
      t.app,
      'GET',
      `/v1/audit?actor=${encodeURIComponent(first.actor)}&entity_type=${first.entity_type}&entity_id=${first.entity_id}&since=${first.at}&until=2999-01-01T00:00:00Z`,
      { key: t.keys.viewer },
    );
    expect(byActor.body.items?.[0]).toMatchObject({
      actor: first.actor,
      entity_id: first.entity_id,
    });
    expect(byActor.body.next_after).toBeNull();
    const verify = await call(t.app, 'GET', '/v1/audit/verify', { key: t.keys.viewer });
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ ok: true, length: events.length });
    const other = await call(t.app, 'GET', '/v1/audit', { key: t.otherKey });
    expect(other.body.items?.some((e) => e.entity_type === 'Alert')).toBe(false);
  });
});
