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

const HOUR = 3_600_000;
/** `base` moved by `ms` milliseconds, as an ISO string. */
const shift = (base: string, ms: number): string => new Date(Date.parse(base) + ms).toISOString();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nameOf = (a: Record<string, unknown>): string =>
  (a.labels as { alertname: string }).alertname;
const pointers = (body: Record<string, unknown>): [string, string][] =>
  (body.errors as { pointer: string; code: string }[]).map((e) => [e.pointer, e.code]);

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

  it('pages a time range in SQL: each page holds `limit` matches, the cursor ends with null', async () => {
    const S = '2020-01-01T00:00:00.000Z';
    const U = '2020-01-02T00:00:00.000Z';
    // Every 5th alert is active within [S, U), edges included; the others
    // start at or after U, or ended before S. The last 4 come after the last match.
    const inRange: Record<number, Record<string, unknown>> = {
      0: { startsAt: shift(S, -24 * HOUR) }, // open, started before the window
      5: { startsAt: shift(S, -HOUR), endsAt: S }, // ended exactly at since
      10: { startsAt: shift(U, -1) }, // started 1 ms before until
      15: { startsAt: shift(S, HOUR), endsAt: shift(S, 2 * HOUR) },
      20: { startsAt: shift(S, -HOUR), endsAt: shift(U, HOUR) },
      25: { startsAt: shift(S, 3 * HOUR) },
    };
    const outside = (i: number): Record<string, unknown> =>
      i % 2 === 1
        ? { startsAt: i === 1 ? U : shift(U, i * HOUR) } // started exactly at until, or later
        : { startsAt: shift(S, -48 * HOUR), endsAt: i === 2 ? shift(S, -1) : shift(S, -i * HOUR) };
    for (let i = 0; i < 30; i++) {
      const res = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        body: [
          alert(`Win${i}`, { labels: { alertname: `Win${i}` }, ...(inRange[i] ?? outside(i)) }),
        ],
      });
      expect(res.body.counts).toMatchObject({ rejected: 0 });
    }
    const range = `since=${S}&until=${U}`;
    for (const order of ['asc', 'desc'] as const) {
      const pages: string[][] = [];
      const cursors: unknown[] = [];
      let url = `/v1/alerts?${range}&limit=2&order=${order}`;
      for (let i = 0; i < 10; i++) {
        const page = await call(t.app, 'GET', url, { key: t.keys.viewer });
        expect(page.status).toBe(200);
        pages.push((page.body.items ?? []).map(nameOf));
        cursors.push(page.body.next_cursor);
        if (page.body.next_cursor === null) break;
        url = `/v1/alerts?${range}&limit=2&order=${order}&cursor=${encodeURIComponent(String(page.body.next_cursor))}`;
      }
      const asc = [
        ['Win0', 'Win5'],
        ['Win10', 'Win15'],
        ['Win20', 'Win25'],
      ];
      expect(pages).toEqual(order === 'asc' ? asc : asc.map((p) => [...p].reverse()).reverse());
      expect(cursors.map((c) => typeof c)).toEqual(['string', 'string', 'object']);
      expect(cursors[2]).toBeNull();
    }
    // Equal bounds: the alerts active at that instant.
    const instant = await call(t.app, 'GET', `/v1/alerts?since=${S}&until=${S}`, {
      key: t.keys.viewer,
    });
    expect((instant.body.items ?? []).map(nameOf)).toEqual(['Win0', 'Win5', 'Win20']);
    expect(instant.body.next_cursor).toBeNull();
    // Combined with the other filters: the open ones.
    const open = await call(t.app, 'GET', `/v1/alerts?${range}&status=firing`, {
      key: t.keys.viewer,
    });
    expect((open.body.items ?? []).map(nameOf)).toEqual(['Win0', 'Win10', 'Win25']);
    // `until` before `since`: refused, naming `until`.
    const swapped = await call(t.app, 'GET', `/v1/alerts?since=${U}&until=${S}`, {
      key: t.keys.viewer,
    });
    expect(swapped.status).toBe(422);
    expect(swapped.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    expect(pointers(swapped.body)).toEqual([['/until', 'too_small']]);
    // A cursor continues only the range it came from.
    const first = await call(t.app, 'GET', `/v1/alerts?${range}&limit=2`, { key: t.keys.viewer });
    const moved = await call(
      t.app,
      'GET',
      `/v1/alerts?since=${shift(S, 1)}&until=${U}&limit=2&cursor=${encodeURIComponent(String(first.body.next_cursor))}`,
      { key: t.keys.viewer },
    );
    expect(moved.status).toBe(400);
    expect(moved.body.code).toBe('ALERTBASE_STORAGE_CURSOR_INVALID');
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
    // `expire` is the system's action: it has no endpoint, so it is not offered.
    expect(res.body.allowedActions).toEqual(['unacknowledge', 'resolve', 'suppress']);
    expect(res.body.detail).not.toContain('expire');
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

  it('filters actor, action, entity type and time in SQL: full pages, next_after ends with null', async () => {
    await t.repos.tenants.create({ id: 'initech', name: 'Initech' }, 'test');
    const key = (await t.repos.apiKeys.issue('initech', { name: 'v', role: 'viewer' }, 'test')).key;
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.repos.alertRules.create(
        'initech',
        { name: `r${i}`, level: 'high', priority: 'P2', condition: 'up == 0' },
        i % 2 === 0 ? 'alice' : 'bob',
      );
      ids.push(r.id);
    }
    await sleep(5);
    const t1 = new Date().toISOString();
    await sleep(5);
    for (const id of ids) await t.repos.alertRules.update('initech', id, { level: 'low' }, 'alice');
    await sleep(5);
    const t2 = new Date().toISOString();
    await sleep(5);
    for (const id of ids.slice(0, 3)) await t.repos.alertRules.delete('initech', id, 'bob');
    const get = (query: string) => call(t.app, 'GET', `/v1/audit?${query}`, { key });
    const walk = async (query: string): Promise<[unknown[][], unknown[]]> => {
      const pages: unknown[][] = [];
      const nexts: unknown[] = [];
      let res = await get(query);
      for (let i = 0; i < 10; i++) {
        expect(res.status).toBe(200);
        pages.push((res.body.items ?? []).map((e) => [e.actor, e.action, e.entity_id]));
        nexts.push(res.body.next_after);
        if (res.body.next_after === null) break;
        expect(res.body.next_after).toBe(res.body.items?.at(-1)?.seq);
        res = await get(`${query}&after=${String(res.body.next_after)}`);
      }
      return [pages, nexts];
    };
    // Alice created rules 0, 2, 4, 6; her updates follow them in the chain.
    const [created, createdNext] = await walk(
      'actor=alice&action=create&entity_type=AlertRule&limit=2',
    );
    expect(created).toEqual([
      [
        ['alice', 'create', ids[0]],
        ['alice', 'create', ids[2]],
      ],
      [
        ['alice', 'create', ids[4]],
        ['alice', 'create', ids[6]],
      ],
    ]);
    expect(createdNext[1]).toBeNull();
    // [t1, t2): the 8 updates, 3 a page.
    const [updated, updatedNext] = await walk(`since=${t1}&until=${t2}&limit=3`);
    expect(updated.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(updated.flat()).toEqual(ids.map((id) => ['alice', 'update', id]));
    expect(updatedNext[2]).toBeNull();
    const deleted = await get('actor=bob&action=delete&entity_type=AlertRule');
    expect((deleted.body.items ?? []).map((e) => e.entity_id)).toEqual(ids.slice(0, 3));
    expect(deleted.body.next_after).toBeNull();
    const keys = await get('entity_type=ApiKey');
    expect((keys.body.items ?? []).map((e) => [e.actor, e.action])).toEqual([
      ['test', 'key.create'],
    ]);
    // Nothing of Alice after t2; an empty range is an empty last page.
    expect((await get(`actor=alice&since=${t2}`)).body).toEqual({ items: [], next_after: null });
    expect((await get(`since=${t1}&until=${t1}`)).body).toEqual({ items: [], next_after: null });
    // Bad values: `until` before `since`, an unknown action.
    const swapped = await get(`since=${t2}&until=${t1}`);
    expect(swapped.status).toBe(422);
    expect(swapped.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    expect(pointers(swapped.body)).toEqual([['/until', 'too_small']]);
    const unknown = await get('action=explode');
    expect(unknown.status).toBe(422);
    expect(pointers(unknown.body).map(([pointer]) => pointer)).toEqual(['/action']);
  });
});
