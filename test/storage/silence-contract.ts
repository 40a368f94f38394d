/**
 * Silences acting on alerts, the same on every engine: suppression at
 * ingest and when a silence is created, un-suppression when the last
 * matching silence ends (by the scheduler's pass), expiry, Alertmanager's
 * update-or-replace, audit events naming the silences.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createRepositories,
  type Database,
  type IngestItemResult,
  type Repositories,
} from '../../src/storage/index.js';
import type { EngineFixture } from './engine-contract.js';

const MINUTE = 60_000;
const iso = (ms: number): string => new Date(Date.now() + ms).toISOString();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alert(labels: Record<string, string>): Record<string, unknown> {
  return { labels, level: 'high', priority: 'P2' };
}

function stored(r: IngestItemResult | undefined): { id: string; status: string } {
  if (r === undefined || r.outcome === 'rejected') throw new Error('expected a stored item');
  return r;
}

function silence(
  matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[],
  startsIn: number,
  endsIn: number,
): Record<string, unknown> {
  return {
    matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
    startsAt: iso(startsIn),
    endsAt: iso(endsIn),
    createdBy: 'ops@example.com',
    comment: 'maintenance',
  };
}

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (e: unknown) => {
      const err = e as { code?: unknown; issues?: { code: string }[] };
      return [err.code, err.issues?.map((i) => i.code)];
    },
  );
}

export function silenceContract(fixture: EngineFixture): void {
  let db: Database;
  let repos: Repositories;
  let n = 0;
  const tenant = async (): Promise<string> => {
    const id = `sil-${process.pid}-${++n}`;
    await repos.tenants.create({ id, name: id }, 'admin');
    return id;
  };

  beforeAll(async () => {
    db = await fixture.open();
    repos = createRepositories(db);
  });
  afterAll(async () => {
    await db?.close();
    await fixture.dispose?.();
  });

  const statusOf = async (t: string, id: string): Promise<[string, readonly string[]]> => {
    const a = await repos.alerts.get(t, id);
    return [a.status, a.silencedBy];
  };

  it('a new silence suppresses the open alerts it matches, and ingest stores new matches suppressed', async () => {
    const t = await tenant();
    const before = await repos.alerts.ingest(
      t,
      [alert({ alertname: 'Maint', instance: 'a' }), alert({ alertname: 'Other', instance: 'a' })],
      'key:test',
    );
    const maint = stored(before.items[0]).id;
    const other = stored(before.items[1]).id;
    await repos.alerts.transition(t, maint, 'acknowledge', 'user:1');

    const s = await repos.silences.create(
      t,
      silence([{ name: 'alertname', value: 'Maint' }], -MINUTE, 10 * MINUTE) as never,
      'user:1',
    );
    expect(await statusOf(t, maint)).toEqual(['suppressed', [s.id]]);
    expect(await statusOf(t, other)).toEqual(['firing', []]);
    expect((await repos.alerts.get(t, maint)).previousStatus).toBe('acknowledged');
    // A start in the past means now.
    expect(s.startsAt.getTime()).toBeGreaterThan(Date.now() - 5_000);

    const later = await repos.alerts.ingest(
      t,
      [alert({ alertname: 'Maint', instance: 'b' }), alert({ alertname: 'Maint', instance: 'a' })],
      'key:test',
    );
    expect(stored(later.items[0]).status).toBe('suppressed');
    expect(stored(later.items[1])).toMatchObject({ id: maint, status: 'suppressed' });
    const fresh = stored(later.items[0]).id;
    expect(await statusOf(t, fresh)).toEqual(['suppressed', [s.id]]);

    const events = await repos.audit.list(t, { action: 'transition' });
    const bySilencer = events.filter((e) => e.actor === 'system:silencer');
    expect(bySilencer.map((e) => [e.entityId, e.details.action, e.details.silences])).toEqual([
      [maint, 'suppress', s.id],
    ]);
  });

  it('expiring the last matching silence restores the status before suppression', async () => {
    const t = await tenant();
    const r = await repos.alerts.ingest(t, [alert({ alertname: 'Two', team: 'x' })], 'key:test');
    const id = stored(r.items[0]).id;
    await repos.alerts.transition(t, id, 'acknowledge', 'user:1');
    const s1 = await repos.silences.create(
      t,
      silence([{ name: 'alertname', value: 'Two' }], 0, 10 * MINUTE) as never,
      'user:1',
    );
    const s2 = await repos.silences.create(
      t,
      silence([{ name: 'team', value: 'x|y', isRegex: true }], 0, 10 * MINUTE) as never,
      'user:1',
    );
    expect(await statusOf(t, id)).toEqual(['suppressed', [s1.id, s2.id].sort()]);
    await repos.silences.expire(t, s1.id, 'user:1');
    expect(await statusOf(t, id)).toEqual(['suppressed', [s2.id]]);
    const expired = await repos.silences.expire(t, s2.id, 'user:1');
    expect(expired.endsAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await statusOf(t, id)).toEqual(['acknowledged', []]);
    // Expiring an expired silence changes nothing.
    const again = await repos.silences.expire(t, s2.id, 'user:1');
    expect(again.version).toBe(expired.version);
    const unsuppress = (await repos.audit.list(t, { action: 'transition' })).filter(
      (e) => e.details.action === 'unsuppress',
    );
    expect(unsuppress.map((e) => [e.entityId, e.details.to, e.details.silences])).toEqual([
      [id, 'acknowledged', s2.id],
    ]);
  });

  it('a silence that ends or starts later is applied by the scheduler pass, once', async () => {
    const t = await tenant();
    const r = await repos.alerts.ingest(t, [alert({ alertname: 'Soon' })], 'key:test');
    const id = stored(r.items[0]).id;
    const ending = await repos.silences.create(
      t,
      silence([{ name: 'alertname', value: 'Soon' }], 0, 1_000) as never,
      'user:1',
    );
    const pending = await repos.silences.create(
      t,
      silence([{ name: 'alertname', value: 'Soon', isRegex: true }], 3_000, 10 * MINUTE) as never,
      'user:1',
    );
    expect(pending.startsAt.getTime()).toBeGreaterThan(Date.now());
    expect(await statusOf(t, id)).toEqual(['suppressed', [ending.id]]);
    // Not due yet: nothing to do.
    expect(await repos.silences.settleDue(new Date())).not.toContain(t);
    await sleep(ending.endsAt.getTime() + 50 - Date.now());
    // Two passes over the same due tenant (two instances): the second changes nothing.
    const [first, second] = await Promise.all([
      repos.silences.settleDue(new Date()),
      repos.silences.settleDue(new Date()),
    ]);
    expect([...first, ...second]).toContain(t);
    expect(await statusOf(t, id)).toEqual(['firing', []]);
    await sleep(pending.startsAt.getTime() + 50 - Date.now());
    await repos.silences.settleDue(new Date());
    expect(await statusOf(t, id)).toEqual(['suppressed', [pending.id]]);
    const moves = (await repos.audit.list(t, { action: 'transition' })).map(
      (e) => e.details.action,
    );
    expect(moves).toEqual(['suppress', 'unsuppress', 'suppress']);
  });

  it('refuses a silence that ends in the past, ends before it starts, or matches everything', async () => {
    const t = await tenant();
    const name = [{ name: 'alertname', value: 'X' }];
    expect(
      await codeOf(repos.silences.create(t, silence(name, -2 * MINUTE, -MINUTE) as never, 'u')),
    ).toEqual(['ALERTBASE_VALIDATION_FAILED', ['ends_in_past']]);
    expect(
      await codeOf(repos.silences.create(t, silence(name, 2 * MINUTE, MINUTE) as never, 'u')),
    ).toEqual(['ALERTBASE_VALIDATION_FAILED', ['ends_before_start']]);
    const empty = [{ name: 'alertname', value: '.*', isRegex: true }];
    expect(await codeOf(repos.silences.create(t, silence(empty, 0, MINUTE) as never, 'u'))).toEqual(
      ['ALERTBASE_VALIDATION_FAILED', ['matches_everything']],
    );
    const bad = [{ name: 'alertname', value: '(a', isRegex: true }];
    expect(await codeOf(repos.silences.create(t, silence(bad, 0, MINUTE) as never, 'u'))).toEqual([
      'ALERTBASE_VALIDATION_FAILED',
      ['invalid_regex'],
    ]);
  });

  it("updates in place or replaces, as Alertmanager's POST /api/v2/silences", async () => {
    const t = await tenant();
    const base = silence([{ name: 'alertname', value: 'Up' }], 0, 10 * MINUTE);
    const id = await repos.silences.put(t, base as never, 'u');
    const created = await repos.silences.get(t, id);
    // Same matchers, same start: updated in place.
    const same = await repos.silences.put(
      t,
      {
        ...base,
        id,
        startsAt: created.startsAt.toISOString(),
        endsAt: iso(20 * MINUTE),
        comment: 'longer',
      } as never,
      'u',
    );
    expect(same).toBe(id);
    expect((await repos.silences.get(t, id)).comment).toBe('longer');
    // Other matchers: the old one expires, a new id holds the input.
    const replaced = await repos.silences.put(
      t,
      { ...silence([{ name: 'alertname', value: 'Other' }], 0, 10 * MINUTE), id } as never,
      'u',
    );
    expect(replaced).not.toBe(id);
    expect((await repos.silences.get(t, id)).endsAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(
      await codeOf(
        repos.silences.put(
          t,
          { ...base, id: '0190d7a4-0000-7000-8000-000000000000' } as never,
          'u',
        ),
      ),
    ).toEqual(['ALERTBASE_RESOURCE_NOT_FOUND', undefined]);
  });

  it("keeps tenants apart: one tenant's silence does not touch another's alerts", async () => {
    const a = await tenant();
    const b = await tenant();
    const ra = await repos.alerts.ingest(a, [alert({ alertname: 'Shared' })], 'key:test');
    const rb = await repos.alerts.ingest(b, [alert({ alertname: 'Shared' })], 'key:test');
    await repos.silences.create(
      a,
      silence([{ name: 'alertname', value: 'Shared' }], 0, MINUTE) as never,
      'u',
    );
    expect((await statusOf(a, stored(ra.items[0]).id))[0]).toBe('suppressed');
    expect((await statusOf(b, stored(rb.items[0]).id))[0]).toBe('firing');
  });
}
