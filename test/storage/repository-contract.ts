import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertRule, AlertRule as AlertRuleModel } from '../../src/domain/index.js';
import { FieldCipher, KeyRing } from '../../src/security/index.js';
import {
  type AlertFilter,
  type AuditListOptions,
  type CreateInput,
  createRepositories,
  type Database,
  GENESIS_HASH,
  type IngestItemResult,
  type QueryEvent,
  type Repositories,
} from '../../src/storage/index.js';
import type { EngineFixture } from './engine-contract.js';

const PAST = (): string => new Date(Date.now() - 60_000).toISOString();
const FUTURE = (): string => new Date(Date.now() + 3_600_000).toISOString();

/** A Prometheus-like alert. */
function alert(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    labels: { alertname: name, job: 'api' },
    annotations: { summary: `${name} fired` },
    level: 'high',
    priority: 'P2',
    startsAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function rule(
  name: string,
  extra: Record<string, unknown> = {},
): CreateInput<typeof AlertRuleModel> {
  return {
    name,
    level: 'high',
    priority: 'P2',
    condition: 'cpu_usage > 80',
    ...extra,
  } as CreateInput<typeof AlertRuleModel>;
}

function stored(r: IngestItemResult | undefined): { id: string; status: string; outcome: string } {
  if (r === undefined || r.outcome === 'rejected') throw new Error('expected a stored item');
  return r;
}

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code,
  );
}

/** The code of a refused call and the pointer and code of each of its issues. */
async function refusalOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (e: unknown) => {
      const err = e as { code?: unknown; issues?: { pointer: string; code: string }[] };
      return { code: err.code, issues: err.issues?.map((i) => [i.pointer, i.code]) };
    },
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `base` moved by `ms` milliseconds, as an ISO string. */
const at = (base: string, ms: number): string => new Date(Date.parse(base) + ms).toISOString();

const HOUR = 3_600_000;

/**
 * The repository contract: the same calls give the same results on every
 * engine (PGlite and a PostgreSQL server).
 */
export function repositoryContract(fixture: EngineFixture): void {
  let db: Database;
  let repos: Repositories;
  let n = 0;
  /** A fresh tenant per test keeps tests independent on one shared database. */
  const tenant = async (): Promise<string> => {
    const id = `t${++n}-${Math.random().toString(36).slice(2, 8)}`;
    await repos.tenants.create({ id, name: `Tenant ${id}` }, 'admin');
    return id;
  };
  const auditCount = async (tenantId: string): Promise<number> =>
    (await repos.audit.list(tenantId, { limit: 1_000 })).length;

  beforeAll(async () => {
    db = await fixture.open();
    repos = createRepositories(db, { cipher: new FieldCipher(KeyRing.generate('contract')) });
  });
  afterAll(async () => {
    await db?.close();
    await fixture.dispose?.();
  });

  describe('CRUD and versions', () => {
    it('creates with repository-owned fields, reads back, updates with versions', async () => {
      const t = await tenant();
      const created = await repos.alertRules.create(
        t,
        {
          ...rule('cpu'),
          createdAt: '2000-01-01T00:00:00Z',
          version: 42,
          createdBy: 'forged',
        } as never,
        'user:1',
      );
      expect(created).toMatchObject({
        tenantId: t,
        version: 1,
        createdBy: 'user:1',
        updatedBy: 'user:1',
      });
      expect(created.createdAt.getFullYear()).toBeGreaterThan(2000);
      expect(await repos.alertRules.get(t, created.id)).toEqual(created);
      const next = await repos.alertRules.update(t, created.id, { level: 'critical' }, 'user:2', {
        expectedVersion: 1,
      });
      expect(next).toMatchObject({
        level: 'critical',
        version: 2,
        createdBy: 'user:1',
        updatedBy: 'user:2',
      });
      expect(await repos.alertRules.versionOf(t, created.id)).toBe(2);
      const err = await repos.alertRules
        .update(t, created.id, { level: 'low' }, 'user:3', { expectedVersion: 1 })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'ALERTBASE_RESOURCE_VERSION_CONFLICT',
        context: { expectedVersion: 1, currentVersion: 2 },
      });
      // Without a version: last writer wins.
      expect(
        (await repos.alertRules.update(t, created.id, { level: 'low' }, 'user:3')).version,
      ).toBe(3);
    });

    it('two updates with the same version: exactly one wins', async () => {
      const t = await tenant();
      const r = await repos.alertRules.create(t, rule('race'), 'u');
      const results = await Promise.allSettled([
        repos.alertRules.update(t, r.id, { level: 'critical' }, 'a', { expectedVersion: 1 }),
        repos.alertRules.update(t, r.id, { level: 'low' }, 'b', { expectedVersion: 1 }),
      ]);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((x) => x.status === 'rejected');
      expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({
        code: 'ALERTBASE_RESOURCE_VERSION_CONFLICT',
        context: { currentVersion: 2 },
      });
      expect(await repos.alertRules.versionOf(t, r.id)).toBe(2);
    });

    it('refuses invalid input, immutable fields, another tenant id, duplicates and unknown tenants', async () => {
      const t = await tenant();
      expect(
        await codeOf(
          repos.alertRules.create(t, rule('x', { condition: 'DROP TABLE' }) as never, 'u'),
        ),
      ).toBe('ALERTBASE_VALIDATION_FAILED');
      expect(await codeOf(repos.alertRules.create(t, 'nope' as never, 'u'))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(
        await codeOf(repos.alertRules.create(t, { ...rule('x'), tenantId: 'other' } as never, 'u')),
      ).toBe('ALERTBASE_TENANT_ISOLATION');
      const r = await repos.alertRules.create(t, rule('dup'), 'u');
      expect(await codeOf(repos.alertRules.create(t, rule('dup'), 'u'))).toBe(
        'ALERTBASE_RESOURCE_ALREADY_EXISTS',
      );
      expect(
        await codeOf(
          repos.alertRules.update(t, r.id, { id: '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10' }, 'u'),
        ),
      ).toBe('ALERTBASE_VALIDATION_FAILED');
      expect(await codeOf(repos.alertRules.update(t, r.id, null as never, 'u'))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alertRules.create('no-such-tenant', rule('x'), 'u'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      expect(await codeOf(repos.alertRules.get(t, '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      expect(await codeOf(repos.alertRules.versionOf(t, 'missing'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
    });

    it('stores every model: channels (secrets kept), silences, api keys', async () => {
      const t = await tenant();
      const ch = await repos.notificationChannels.create(
        t,
        {
          name: 'hook',
          config: { type: 'webhook', url: 'https://example.com/hook', bearerToken: 'tok-123' },
        },
        'u',
      );
      const back = await repos.notificationChannels.get(t, ch.id);
      expect(back.config.type === 'webhook' && back.config.bearerToken?.reveal()).toBe('tok-123');
      const raw = await db.query<{ doc: string }>(
        'SELECT doc::text AS doc FROM notification_channels WHERE tenant_id = $1',
        [t],
      );
      expect(raw.rows[0]?.doc).toMatch(/"bearerToken": "ab1:contract:/);
      expect(raw.rows[0]?.doc).not.toContain('tok-123');
      const sil = await repos.silences.create(
        t,
        {
          matchers: [{ name: 'alertname', value: 'X', isRegex: false }],
          startsAt: new Date(Date.now() - 1_000).toISOString(),
          endsAt: FUTURE(),
          createdBy: 'ops',
          comment: 'maintenance',
        },
        'u',
      );
      await repos.silences.create(
        t,
        {
          matchers: [{ name: 'alertname', value: 'Y', isRegex: false }],
          startsAt: FUTURE(),
          endsAt: new Date(Date.now() + 7_200_000).toISOString(),
          createdBy: 'ops',
          comment: 'later',
        },
        'u',
      );
      const active = await repos.silences.list(t, { filter: { status: 'active' } });
      expect(active.items.map((s) => s.id)).toEqual([sil.id]);
      expect(
        (await repos.silences.list(t, { filter: { status: ['pending', 'expired'] } })).items,
      ).toHaveLength(1);
      expect((await repos.silences.list(t, { filter: { status: 'unknown' } })).items).toHaveLength(
        0,
      );
      expect(
        (await repos.notificationChannels.list(t, { filter: { status: 'enabled' } })).items,
      ).toHaveLength(1);
    });
  });

  describe("writes in the caller's transaction", () => {
    it('commit or roll back together, and only for the transaction of the same tenant', async () => {
      const t = await tenant();
      const kept = await repos.alertRules.create(t, rule('kept'), 'user:1');
      const failure = new Error('part-way');
      await expect(
        db.withTenant(t, async (transaction) => {
          await repos.alertRules.create(t, rule('lost'), 'user:1', { transaction });
          await repos.alertRules.update(t, kept.id, { enabled: false }, 'user:1', { transaction });
          await repos.alertRules.delete(t, kept.id, 'user:1', { transaction });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await repos.alertRules.list(t)).items.map((r) => [r.name, r.enabled])).toEqual([
        ['kept', true],
      ]);
      await db.withTenant(t, async (transaction) => {
        await repos.alertRules.create(t, rule('both-1'), 'user:1', { transaction });
        await repos.alertRules.create(t, rule('both-2'), 'user:1', { transaction });
      });
      expect((await repos.alertRules.list(t)).items.map((r) => r.name)).toEqual([
        'kept',
        'both-1',
        'both-2',
      ]);
      const other = await tenant();
      expect(
        await codeOf(
          db.withTenant(other, (transaction) =>
            repos.alertRules.create(t, rule('crossed'), 'user:1', { transaction }),
          ),
        ),
      ).toBe('ALERTBASE_TENANT_ISOLATION');
      expect((await repos.alertRules.list(t)).items).toHaveLength(3);
    });
  });

  describe('soft delete, restore, purge', () => {
    it('hides deleted records unless asked, restores them, purges for good', async () => {
      const t = await tenant();
      const r = await repos.alertRules.create(t, rule('gone'), 'u');
      const deleted = await repos.alertRules.delete(t, r.id, 'del', { expectedVersion: 1 });
      expect(deleted).toMatchObject({ deletedBy: 'del', version: 2 });
      expect(deleted.deletedAt).toBeInstanceOf(Date);
      expect(await repos.alertRules.find(t, r.id)).toBeUndefined();
      expect(await codeOf(repos.alertRules.get(t, r.id))).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
      expect((await repos.alertRules.get(t, r.id, { includeDeleted: true })).deletedBy).toBe('del');
      expect((await repos.alertRules.list(t)).items).toHaveLength(0);
      expect((await repos.alertRules.list(t, { includeDeleted: true })).items).toHaveLength(1);
      expect(await codeOf(repos.alertRules.update(t, r.id, { level: 'low' }, 'u'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      // Idempotent: no new version, no audit event.
      const events = await auditCount(t);
      expect((await repos.alertRules.delete(t, r.id, 'del')).version).toBe(2);
      expect(await auditCount(t)).toBe(events);
      // A deleted rule frees its name.
      await repos.alertRules.create(t, rule('gone2'), 'u');
      const restored = await repos.alertRules.restore(t, r.id, 'res');
      expect(restored).toMatchObject({
        deletedAt: null,
        deletedBy: null,
        version: 3,
        updatedBy: 'res',
      });
      expect((await repos.alertRules.restore(t, r.id, 'res')).version).toBe(3);
      expect(await codeOf(repos.alertRules.purge(t, r.id, 'p', { expectedVersion: 1 }))).toBe(
        'ALERTBASE_RESOURCE_VERSION_CONFLICT',
      );
      await repos.alertRules.purge(t, r.id, 'p');
      expect(await repos.alertRules.find(t, r.id, { includeDeleted: true })).toBeUndefined();
      expect(await codeOf(repos.alertRules.purge(t, r.id, 'p'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      const actions = (await repos.audit.list(t, { entityId: r.id })).map((e) => e.action);
      expect(actions).toEqual(['create', 'delete', 'restore', 'purge']);
    });

    it('soft-deletes models without a deletedAt field through the column', async () => {
      const t = await tenant();
      const { apiKey } = await repos.apiKeys.issue(t, { name: 'k', role: 'viewer' }, 'u');
      await repos.apiKeys.delete(t, apiKey.id, 'u');
      expect(await repos.apiKeys.find(t, apiKey.id)).toBeUndefined();
      expect(await repos.apiKeys.find(t, apiKey.id, { includeDeleted: true })).toBeDefined();
      await repos.apiKeys.restore(t, apiKey.id, 'u');
      expect(await repos.apiKeys.find(t, apiKey.id)).toBeDefined();
    });
  });

  describe('list: filters and keyset pagination', () => {
    it('filters alerts by status, level at least, labels and fingerprint', async () => {
      const t = await tenant();
      await repos.alerts.ingest(
        t,
        [
          alert('A', { level: 'critical', labels: { alertname: 'A', team: 'db' } }),
          alert('B', { level: 'medium', labels: { alertname: 'B', team: 'db' } }),
          alert('C', { level: 'info', labels: { alertname: 'C', team: 'web' } }),
          alert('D', { level: 'high', labels: { alertname: 'D', team: 'web' }, endsAt: PAST() }),
        ],
        'u',
      );
      const names = (items: readonly Alert[]): string[] =>
        items.map((a) => a.labels.alertname ?? '').sort();
      expect(names((await repos.alerts.list(t, { filter: { status: 'firing' } })).items)).toEqual([
        'A',
        'B',
        'C',
      ]);
      expect(
        names((await repos.alerts.list(t, { filter: { levelAtLeast: 'high' } })).items),
      ).toEqual(['A', 'D']);
      expect(
        names((await repos.alerts.list(t, { filter: { labels: { team: 'db' } } })).items),
      ).toEqual(['A', 'B']);
      expect(
        names(
          (
            await repos.alerts.list(t, {
              filter: { labels: { team: 'web' }, status: ['resolved'] },
            })
          ).items,
        ),
      ).toEqual(['D']);
      const a = (await repos.alerts.list(t, { filter: { labels: { alertname: 'A' } } })).items[0];
      expect(
        (await repos.alerts.list(t, { filter: { fingerprint: a?.fingerprint } })).items,
      ).toHaveLength(1);
      const rules = await Promise.all([
        repos.alertRules.create(t, rule('r1', { enabled: false, labels: { team: 'db' } }), 'u'),
        repos.alertRules.create(t, rule('r2', { level: 'critical' }), 'u'),
      ]);
      expect(
        (await repos.alertRules.list(t, { filter: { status: 'disabled' } })).items.map((r) => r.id),
      ).toEqual([rules[0].id]);
      expect(
        (await repos.alertRules.list(t, { filter: { levelAtLeast: 'critical' } })).items,
      ).toHaveLength(1);
      expect(
        (await repos.alertRules.list(t, { filter: { labels: { team: 'db' } } })).items,
      ).toHaveLength(1);
    });

    it('refuses bad filters, limits and cursors', async () => {
      const t = await tenant();
      expect(
        await codeOf(repos.alerts.list(t, { filter: { levelAtLeast: 'huge' as never } })),
      ).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
      // A filter key beside `filter` is refused, not ignored (the listing would be unfiltered).
      const misplaced = await repos.alerts
        .list(t, { levelAtLeast: 'critical', limit: 5 } as never)
        .catch((e: unknown) => e);
      expect(misplaced).toMatchObject({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [
          {
            pointer: '/levelAtLeast',
            code: 'unrecognized_key',
            message: 'unknown list option "levelAtLeast": filters go under "filter"',
          },
        ],
      });
      expect(
        await codeOf(repos.silences.list(t, { filter: { labels: { a: 'b' } } as never })),
      ).toBe('ALERTBASE_VALIDATION_FAILED');
      expect(await codeOf(repos.alerts.list(t, { filter: { labels: { a: 1 } as never } }))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alerts.list(t, { filter: { status: [] } }))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alerts.list(t, { limit: 0 }))).toBe('ALERTBASE_VALIDATION_FAILED');
      expect(await codeOf(repos.alerts.list(t, { limit: 1_001 }))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alerts.list(t, { order: 'up' as never }))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alerts.list(t, { cursor: 'not a cursor!' }))).toBe(
        'ALERTBASE_STORAGE_CURSOR_INVALID',
      );
      expect(
        await codeOf(repos.alerts.list(t, { cursor: Buffer.from('[2]').toString('base64url') })),
      ).toBe('ALERTBASE_STORAGE_CURSOR_INVALID');
      await repos.alertRules.create(t, rule('p1'), 'u');
      await repos.alertRules.create(t, rule('p2'), 'u');
      const first = await repos.alertRules.list(t, { limit: 1 });
      const cursor = first.nextCursor ?? '';
      expect(
        await codeOf(repos.alertRules.list(t, { cursor, filter: { status: 'enabled' } })),
      ).toBe('ALERTBASE_STORAGE_CURSOR_INVALID');
      expect(await codeOf(repos.alertRules.list(t, { cursor, order: 'desc' }))).toBe(
        'ALERTBASE_STORAGE_CURSOR_INVALID',
      );
    });

    it('walks every page once, in order, stable under inserts, both directions', async () => {
      const t = await tenant();
      const made: AlertRule[] = [];
      for (let i = 0; i < 23; i++)
        made.push(await repos.alertRules.create(t, rule(`rule-${i}`), 'u'));
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await repos.alertRules.list(t, {
            limit: 5,
            order,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor ?? undefined;
          // Rows inserted while walking come after the walk (asc) or are skipped (desc).
          if (pages++ === 0)
            made.push(await repos.alertRules.create(t, rule(`late-${order}`), 'u'));
        } while (cursor !== undefined);
        expect(new Set(seen).size).toBe(seen.length);
        const originals = made.slice(0, 23).map((r) => r.id);
        for (const id of originals) expect(seen).toContain(id);
        expect(seen.slice(0, 23)).toEqual(order === 'asc' ? originals : [...seen.slice(0, 23)]);
        if (order === 'desc') expect(seen).toEqual([...seen].sort().reverse());
      }
      const all = await repos.alertRules.list(t, { limit: 1_000 });
      expect(all.nextCursor).toBeNull();
      expect(all.items).toHaveLength(25);
    });

    it('filters alerts by the window [activeSince, activeUntil) in SQL: full pages, cursors end with null', async () => {
      const t = await tenant();
      const since = '2026-03-01T00:00:00.000Z';
      const until = '2026-03-02T00:00:00.000Z';
      // 30 alerts, every 5th active within the window; the last 4 (after the
      // last match in creation order) are outside it, so a page-by-page filter
      // would end with a cursor to pages of nothing.
      const batch = Array.from({ length: 30 }, (_, i) => {
        const labels = { alertname: `W${i}`, job: 'api' };
        if (i % 5 === 0) return alert(`W${i}`, { labels, startsAt: at(since, i * 60_000) });
        return i % 2 === 0
          ? alert(`W${i}`, { labels, startsAt: at(until, i * HOUR) })
          : alert(`W${i}`, {
              labels,
              startsAt: at(since, -48 * HOUR),
              endsAt: at(since, -i * HOUR),
            });
      });
      for (const item of batch) await repos.alerts.ingest(t, [item], 'u');
      const filter: AlertFilter = { activeSince: new Date(since), activeUntil: new Date(until) };
      const expected = ['W0', 'W5', 'W10', 'W15', 'W20', 'W25'];
      for (const order of ['asc', 'desc'] as const) {
        const pages: string[][] = [];
        const cursors: (string | null)[] = [];
        let cursor: string | undefined;
        do {
          const page = await repos.alerts.list(t, {
            filter,
            limit: 2,
            order,
            ...(cursor === undefined ? {} : { cursor }),
          });
          pages.push(page.items.map((a) => a.labels.alertname ?? ''));
          cursors.push(page.nextCursor);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && pages.length < 10);
        const inOrder = order === 'asc' ? expected : [...expected].reverse();
        expect(pages).toEqual([inOrder.slice(0, 2), inOrder.slice(2, 4), inOrder.slice(4, 6)]);
        expect(cursors.map((c) => typeof c)).toEqual(['string', 'string', 'object']);
        expect(cursors[2]).toBeNull();
      }
      // One page holding every match: no cursor, although rows follow it.
      const all = await repos.alerts.list(t, { filter, limit: 6 });
      expect(all.items.map((a) => a.labels.alertname)).toEqual(expected);
      expect(all.nextCursor).toBeNull();
      // With the other filters, in the same statement.
      const open = await repos.alerts.list(t, {
        filter: { ...filter, status: 'firing' },
        limit: 1,
      });
      expect(open.items.map((a) => a.labels.alertname)).toEqual(['W0']);
      expect(open.nextCursor).not.toBeNull();
      expect(
        (await repos.alerts.list(t, { filter: { ...filter, status: 'resolved' } })).items,
      ).toEqual([]);
    });

    it('keeps the window edges: start at until out, end at since in, open alerts in', async () => {
      const t = await tenant();
      const S = '2026-04-01T00:00:00.000Z';
      const U = '2026-04-01T06:00:00.000Z';
      const cases: [string, Record<string, unknown>][] = [
        ['startsAtUntil', { startsAt: U }],
        ['startsJustBeforeUntil', { startsAt: at(U, -1) }],
        ['endsAtSince', { startsAt: at(S, -HOUR), endsAt: S }],
        ['endsJustBeforeSince', { startsAt: at(S, -HOUR), endsAt: at(S, -1) }],
        ['openFromLongAgo', { startsAt: '2025-01-01T00:00:00.000Z' }],
        ['spansTheWindow', { startsAt: at(S, -HOUR), endsAt: at(U, HOUR) }],
        ['insideTheWindow', { startsAt: at(S, HOUR), endsAt: at(S, 2 * HOUR) }],
        ['later', { startsAt: at(U, HOUR) }],
      ];
      await repos.alerts.ingest(
        t,
        cases.map(([name, times]) => alert(name, { labels: { alertname: name }, ...times })),
        'u',
      );
      const names = async (filter: AlertFilter): Promise<string[]> =>
        (await repos.alerts.list(t, { filter, limit: 100 })).items
          .map((a) => a.labels.alertname ?? '')
          .sort();
      expect(await names({ activeSince: new Date(S), activeUntil: new Date(U) })).toEqual([
        'endsAtSince',
        'insideTheWindow',
        'openFromLongAgo',
        'spansTheWindow',
        'startsJustBeforeUntil',
      ]);
      // One bound only.
      expect(await names({ activeUntil: new Date(U) })).toEqual([
        'endsAtSince',
        'endsJustBeforeSince',
        'insideTheWindow',
        'openFromLongAgo',
        'spansTheWindow',
        'startsJustBeforeUntil',
      ]);
      expect(await names({ activeSince: new Date(U) })).toEqual([
        'later',
        'openFromLongAgo',
        'spansTheWindow',
        'startsAtUntil',
        'startsJustBeforeUntil',
      ]);
      // Equal bounds: the alerts active at that instant (started before it, not ended before it).
      expect(await names({ activeSince: new Date(S), activeUntil: new Date(S) })).toEqual([
        'endsAtSince',
        'openFromLongAgo',
        'spansTheWindow',
      ]);
    });

    it('refuses a bad window: since after until, invalid dates, other repositories, another window', async () => {
      const t = await tenant();
      expect(
        await refusalOf(
          repos.alerts.list(t, {
            filter: {
              activeSince: new Date('2026-01-02T00:00:00Z'),
              activeUntil: new Date('2026-01-01T00:00:00Z'),
            },
          }),
        ),
      ).toEqual({ code: 'ALERTBASE_VALIDATION_FAILED', issues: [['/activeUntil', 'too_small']] });
      expect(
        await refusalOf(repos.alerts.list(t, { filter: { activeSince: new Date('yesterday') } })),
      ).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/activeSince', 'invalid_type']],
      });
      expect(
        await refusalOf(
          repos.alerts.list(t, { filter: { activeUntil: '2026-01-01T00:00:00Z' as never } }),
        ),
      ).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/activeUntil', 'invalid_type']],
      });
      expect(
        await refusalOf(repos.alertRules.list(t, { filter: { activeSince: new Date() } as never })),
      ).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/activeSince', 'unrecognized_key']],
      });
      await repos.alerts.ingest(t, [alert('A'), alert('B')], 'u');
      const window = { activeSince: new Date('2025-01-01T00:00:00Z') };
      const first = await repos.alerts.list(t, { filter: window, limit: 1 });
      const cursor = first.nextCursor ?? '';
      expect(cursor).not.toBe('');
      expect((await repos.alerts.list(t, { filter: window, limit: 1, cursor })).items).toHaveLength(
        1,
      );
      expect(
        await codeOf(
          repos.alerts.list(t, {
            filter: { activeSince: new Date('2025-01-01T00:00:01Z') },
            cursor,
          }),
        ),
      ).toBe('ALERTBASE_STORAGE_CURSOR_INVALID');
    });
  });

  describe('ingest', () => {
    it('reports created, deduplicated, resolved and rejected per item, with values', async () => {
      const t = await tenant();
      const first = await repos.alerts.ingest(t, [alert('A'), alert('B'), alert('C')], 'prom', {
        batchId: 'b1',
      });
      expect(first.counts).toEqual({ created: 3, deduplicated: 0, resolved: 0, rejected: 0 });
      const second = await repos.alerts.ingest(
        t,
        [
          alert('A', { annotations: { summary: 'newer' }, value: 7 }),
          alert('B', { endsAt: PAST() }),
          { labels: {}, level: 'high', priority: 'P2' },
          alert('D'),
        ],
        'prom',
      );
      expect(second.counts).toEqual({ created: 1, deduplicated: 1, resolved: 1, rejected: 1 });
      expect(second.items.map((i) => i.outcome)).toEqual([
        'deduplicated',
        'resolved',
        'rejected',
        'created',
      ]);
      const rejected = second.items[2];
      expect(
        rejected?.outcome === 'rejected' && rejected.issues.map((i) => [i.pointer, i.code]),
      ).toEqual([['/labels', 'custom']]);
      const a = await repos.alerts.get(t, stored(first.items[0]).id);
      expect(stored(second.items[0]).id).toBe(a.id);
      expect(a).toMatchObject({
        status: 'firing',
        duplicateCount: 1,
        version: 2,
        value: 7,
        annotations: { summary: 'newer' },
      });
      expect(a.lastReceivedAt.getTime()).toBeGreaterThanOrEqual(a.createdAt.getTime());
      const b = await repos.alerts.get(t, stored(second.items[1]).id);
      expect(b).toMatchObject({ status: 'resolved', duplicateCount: 1 });
      expect(b.endsAt?.getTime()).toBeLessThan(Date.now());
      const audit = (await repos.audit.list(t)).filter((e) => e.action === 'ingest');
      expect(audit.map((e) => e.details)).toEqual([
        { batchId: 'b1', received: 3, created: 3, deduplicated: 0, resolved: 0, rejected: 0 },
        { received: 4, created: 1, deduplicated: 1, resolved: 1, rejected: 1 },
      ]);
      expect(second.auditEventId).toBe(audit[1]?.id);
    });

    it('folds duplicates inside a batch; a resolved alert that fires again opens a new row', async () => {
      const t = await tenant();
      const res = await repos.alerts.ingest(
        t,
        [
          alert('A', { annotations: { summary: '1' } }),
          alert('A', { annotations: { summary: '2' } }),
          alert('A', { annotations: { summary: '3' }, endsAt: PAST() }),
          alert('A', { startsAt: '2026-01-02T00:00:00Z' }),
          alert('A', { startsAt: '2026-01-02T00:00:00Z' }),
        ],
        'prom',
      );
      expect(res.items.map((i) => i.outcome)).toEqual([
        'created',
        'deduplicated',
        'resolved',
        'created',
        'deduplicated',
      ]);
      const [r0, , , r3] = res.items.map((i) => stored(i));
      expect(r0?.id).not.toBe(r3?.id);
      const rows = (await repos.alerts.list(t, { limit: 10 })).items;
      expect(rows.map((a) => [a.status, a.duplicateCount, a.annotations.summary])).toEqual([
        ['resolved', 2, '3'],
        ['firing', 1, 'A fired'],
      ]);
      // Re-firing after the resolve in an earlier batch also opens a new row.
      const again = await repos.alerts.ingest(
        t,
        [alert('A', { endsAt: PAST(), startsAt: '2026-01-02T00:00:00Z' })],
        'p',
      );
      expect(again.items[0]?.outcome).toBe('resolved');
      const reopened = await repos.alerts.ingest(
        t,
        [alert('A', { startsAt: '2026-01-03T00:00:00Z' })],
        'p',
      );
      expect(reopened.items[0]?.outcome).toBe('created');
      expect((await repos.alerts.list(t)).items).toHaveLength(3);
    });

    it('folds resent resolved alerts into the row they resolved; stores unknown resolved alerts once', async () => {
      const t = await tenant();
      const endsAt = PAST();
      const resolvedOnly = alert('R', { endsAt });
      const a = await repos.alerts.ingest(t, [resolvedOnly, resolvedOnly], 'p');
      expect(a.items.map((i) => i.outcome)).toEqual(['created', 'deduplicated']);
      const b = await repos.alerts.ingest(t, [resolvedOnly], 'p');
      expect(b.items[0]?.outcome).toBe('deduplicated');
      const rows = (await repos.alerts.list(t)).items;
      expect(rows.map((r) => [r.status, r.duplicateCount])).toEqual([['resolved', 2]]);
    });

    it('an acknowledged alert fires again when its level gets worse', async () => {
      const t = await tenant();
      const [first] = (await repos.alerts.ingest(t, [alert('A', { level: 'medium' })], 'p')).items;
      await repos.alerts.transition(t, stored(first).id, 'acknowledge', 'oncall');
      await repos.alerts.ingest(t, [alert('A', { level: 'medium' })], 'p');
      expect((await repos.alerts.get(t, stored(first).id)).status).toBe('acknowledged');
      await repos.alerts.ingest(t, [alert('A', { level: 'critical' })], 'p');
      expect(await repos.alerts.get(t, stored(first).id)).toMatchObject({
        status: 'firing',
        level: 'critical',
        acknowledgedBy: 'oncall',
        duplicateCount: 2,
      });
    });

    it('ignores repository-owned fields, rejects another tenant, and writes nothing when all are bad', async () => {
      const t = await tenant();
      const res = await repos.alerts.ingest(
        t,
        [
          alert('A', { status: 'acknowledged', duplicate_count: 99, version: 7, id: 'x' }),
          alert('B', { tenantId: 'other' }),
          {
            labels: { alertname: 'C' },
            level: 'low',
            priority: 'P4',
            generator_url: 'http://prom.example.com/graph',
            starts_at: '2026-01-01T00:00:00Z',
          },
          alert('E', { tenantId: t }),
        ],
        'p',
      );
      expect(res.items.map((i) => i.outcome)).toEqual([
        'created',
        'rejected',
        'created',
        'created',
      ]);
      const bad = res.items[1];
      expect(bad?.outcome === 'rejected' && bad.issues[0]?.code).toBe('tenant_mismatch');
      expect(await repos.alerts.get(t, stored(res.items[0]).id)).toMatchObject({
        status: 'firing',
        duplicateCount: 0,
        version: 1,
      });
      expect((await repos.alerts.get(t, stored(res.items[2]).id)).generatorURL).toBe(
        'http://prom.example.com/graph',
      );
      const before = await auditCount(t);
      const none = await repos.alerts.ingest(t, [null, 'x', { level: 'high' }], 'p');
      expect(none).toMatchObject({ auditEventId: null, counts: { rejected: 3, created: 0 } });
      expect(await auditCount(t)).toBe(before);
      expect(await codeOf(repos.alerts.ingest(t, 'nope' as never, 'p'))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect(await codeOf(repos.alerts.ingest(t, new Array(10_001).fill(alert('Z')), 'p'))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      const empty = await repos.alerts.ingest(t, [], 'p');
      expect(empty.items).toEqual([]);
    });

    it('is atomic: a failing batch writes nothing', async () => {
      const t = await tenant();
      // An audit actor longer than the model allows fails the audit step, after the upsert.
      await expect(repos.alerts.ingest(t, [alert('A')], 'x'.repeat(300))).rejects.toMatchObject({
        code: 'ALERTBASE_VALIDATION_FAILED',
      });
      expect((await repos.alerts.list(t)).items).toHaveLength(0);
    });

    it('commits concurrent batches of a tenant together, with the results of one after the other', async () => {
      const batches = [
        [alert('A'), alert('B')],
        [alert('A', { annotations: { summary: 'second' } }), alert('C')],
        [alert('B', { endsAt: PAST() }), alert('D')],
        [alert('B'), alert('A', { value: 3, level: 'critical', priority: 'P1' })],
        [alert('E'), alert('E'), alert('C', { endsAt: PAST() })],
      ];
      // The same batches one after the other, on another tenant: the reference.
      const ref = await tenant();
      const sequential = [];
      for (const b of batches) sequential.push(await repos.alerts.ingest(ref, b, 'p'));
      const t = await tenant();
      const events: QueryEvent[] = [];
      const off = db.onQuery((e) => events.push(e));
      const concurrent = await Promise.all(
        batches.map((b, k) => repos.alerts.ingest(t, b, 'p', { batchId: `b${k}` })),
      );
      off();
      const statements = events.filter((e) => e.sql.startsWith('WITH input') && e.tenantId === t);
      // The batches queued by the time the first transaction holds the audit
      // lock share it, the rest the next one: two statements for a group that
      // holds B's resolution and B again (it resolves in one round and fires
      // again in the next), three when the first batch went alone.
      expect(statements.length).toBeGreaterThanOrEqual(2);
      expect(statements.length).toBeLessThanOrEqual(3);
      const outcomes = (rs: typeof concurrent) =>
        rs.map((r) => [r.counts, r.items.map((i) => i.outcome)]);
      expect(outcomes(concurrent)).toEqual(outcomes(sequential));
      const rowsOf = async (tenantId: string) =>
        (await repos.alerts.list(tenantId, { limit: 100 })).items
          .map((a) => [
            a.labels.alertname,
            a.status,
            a.duplicateCount,
            a.value,
            a.annotations,
            a.level,
          ])
          .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(await rowsOf(t)).toEqual(await rowsOf(ref));
      // `version` counts stored changes: a group changes A's row once, however many
      // copies of A it holds (one group of all five batches inserts it at version 1;
      // after the first batch alone, the group of the other four changes it once).
      const a = await repos.alerts.get(t, stored(concurrent[0]?.items[0]).id);
      const version = statements.length === 2 ? 1 : 2;
      expect([a.duplicateCount, a.version, a.level]).toEqual([2, version, 'critical']);
      // The level rank column follows the newest copy too ("level at least" filters).
      const critical = await repos.alerts.list(t, { filter: { levelAtLeast: 'critical' } });
      expect(critical.items.map((x) => x.labels.alertname)).toEqual(['A']);
      // Each batch has its own audit event, in arrival order, and the chain holds.
      const audit = (await repos.audit.list(t)).filter((e) => e.action === 'ingest');
      expect(audit.map((e) => e.entityId)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
      expect(concurrent.map((r) => r.auditEventId)).toEqual(audit.map((e) => e.id));
      expect(audit.map((e) => e.details.created)).toEqual(sequential.map((r) => r.counts.created));
      // The tenant's own creation is the first entry.
      expect(await repos.audit.verify(t)).toEqual({ ok: true, length: audit.length + 1 });
    });

    it('validates large batches in slices while a transaction runs, every result in its place', async () => {
      const t = await tenant();
      const big = (prefix: string) => Array.from({ length: 45 }, (_, k) => alert(`${prefix}${k}`));
      const [a, b, c] = await Promise.all([
        repos.alerts.ingest(t, big('a'), 'p'),
        repos.alerts.ingest(t, big('b'), 'p'),
        repos.alerts.ingest(t, [...big('a'), null], 'p'),
      ]);
      expect([a?.counts, b?.counts, c?.counts]).toEqual([
        { created: 45, deduplicated: 0, resolved: 0, rejected: 0 },
        { created: 45, deduplicated: 0, resolved: 0, rejected: 0 },
        { created: 0, deduplicated: 45, resolved: 0, rejected: 1 },
      ]);
      expect(c?.items.map((i) => i.index)).toEqual(Array.from({ length: 46 }, (_, k) => k));
      expect(c?.items.slice(0, 45).map((i) => stored(i).id)).toEqual(
        a?.items.map((i) => stored(i).id),
      );
    });

    it('stores a large batch slice by slice with the results of one statement, one audit event', async () => {
      // 700 items: repeats across the 250-item slices, a resolution in a later
      // slice of an alert fired in an earlier one, a re-fire after it, bad items.
      const items: unknown[] = [];
      for (let k = 0; k < 700; k++) {
        if (k % 97 === 5) items.push({ labels: {} });
        else if (k === 600) items.push(alert('R', { endsAt: PAST() }));
        else if (k === 650) items.push(alert('R', { startsAt: '2026-01-03T00:00:00Z' }));
        else if (k === 10) items.push(alert('R'));
        else items.push(alert(`P${k % 300}`, { value: k }));
      }
      const t = await tenant();
      const events: QueryEvent[] = [];
      const off = db.onQuery((e) => events.push(e));
      const [big, after] = await Promise.all([
        repos.alerts.ingest(t, items, 'p', { batchId: 'big' }),
        // Arrives while the big batch is stored: waits, then folds into its rows.
        repos.alerts.ingest(t, [alert('P1'), alert('NEW')], 'p', { batchId: 'after' }),
      ]);
      off();
      const statements = events.filter((e) => e.sql.startsWith('WITH input') && e.tenantId === t);
      expect(statements.length).toBeGreaterThanOrEqual(3);
      // The reference: the same items one at a time on another tenant.
      const ref = await tenant();
      const one = [];
      for (const item of items) one.push((await repos.alerts.ingest(ref, [item], 'p')).items[0]);
      await repos.alerts.ingest(ref, [alert('P1'), alert('NEW')], 'p');
      expect(big.items.map((i) => i.outcome)).toEqual(one.map((i) => i?.outcome));
      expect(big.counts).toEqual({ created: 302, deduplicated: 389, resolved: 1, rejected: 8 });
      expect(after.items.map((i) => i.outcome)).toEqual(['deduplicated', 'created']);
      const rowsOf = async (tenantId: string) =>
        (await repos.alerts.list(tenantId, { limit: 1_000 })).items
          .map((a) => [a.labels.alertname, a.status, a.value, a.startsAt.toISOString()].join())
          .sort();
      const rows = await rowsOf(t);
      expect(rows).toEqual(await rowsOf(ref));
      expect(rows).toHaveLength(303);
      const p1 = (await repos.alerts.list(t, { filter: { labels: { alertname: 'P1' } } })).items;
      // Three copies in the big batch (k = 1, 301, 601), one after it, which has no value.
      expect(p1.map((a) => [a.duplicateCount, a.value])).toEqual([[3, null]]);
      const audit = (await repos.audit.list(t)).filter((e) => e.action === 'ingest');
      expect(audit.map((e) => [e.entityId, e.details.received])).toEqual([
        ['big', 700],
        ['after', 2],
      ]);
      expect(await repos.audit.verify(t)).toEqual({ ok: true, length: 3 });
    });

    it('keeps one audit chain while ingest groups and other writers of the tenant interleave', async () => {
      const t = await tenant();
      const work: Promise<unknown>[] = [];
      for (let k = 0; k < 12; k++) {
        work.push(repos.alerts.ingest(t, [alert(`I${k}`), alert('shared')], 'p'));
        work.push(repos.alertRules.create(t, rule(`r${k}`), 'u'));
      }
      await Promise.all(work);
      const events = await repos.audit.list(t, { limit: 1_000 });
      expect(events.filter((e) => e.action === 'ingest')).toHaveLength(12);
      expect(events.filter((e) => e.action === 'create')).toHaveLength(13); // 12 rules + the tenant
      expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
      expect(await repos.audit.verify(t)).toEqual({ ok: true, length: events.length });
    });

    it('retries the batches of a failed group one by one: only the failing batch fails', async () => {
      const t = await tenant();
      const results = await Promise.allSettled([
        repos.alerts.ingest(t, [alert('A')], 'p'),
        repos.alerts.ingest(t, [alert('B')], 'p'),
        // Its audit actor is longer than the model allows: its transaction fails.
        repos.alerts.ingest(t, [alert('C')], 'x'.repeat(300)),
        repos.alerts.ingest(t, [alert('D'), alert('B')], 'p'),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const failed = results[2];
      expect(failed?.status === 'rejected' && (failed.reason as { code: string }).code).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      const last = results[3];
      expect(last?.status === 'fulfilled' && last.value.items.map((i) => i.outcome)).toEqual([
        'created',
        'deduplicated',
      ]);
      const names = (await repos.alerts.list(t)).items.map((a) => a.labels.alertname).sort();
      expect(names).toEqual(['A', 'B', 'D']);
      const ingests = (await repos.audit.list(t)).filter((e) => e.action === 'ingest');
      expect(ingests.map((e) => e.actor)).toEqual(['p', 'p', 'p']);
      expect(await repos.audit.verify(t)).toMatchObject({ ok: true });
    });
  });

  describe('transitions', () => {
    it('applies allowed actions with who and when, and refuses the others with codes', async () => {
      const t = await tenant();
      const [item] = (await repos.alerts.ingest(t, [alert('A')], 'p')).items;
      const id = stored(item).id;
      const acked = await repos.alerts.transition(t, id, 'acknowledge', 'user:ann', {
        expectedVersion: 1,
      });
      expect(acked).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'user:ann',
        version: 2,
      });
      expect(acked.acknowledgedAt).toBeInstanceOf(Date);
      const suppressed = await repos.alerts.transition(t, id, 'suppress', 'u');
      expect(suppressed).toMatchObject({ status: 'suppressed', previousStatus: 'acknowledged' });
      const back = await repos.alerts.transition(t, id, 'unsuppress', 'u');
      expect(back).toMatchObject({ status: 'acknowledged', previousStatus: null });
      expect(
        (await repos.alerts.transition(t, id, 'unacknowledge', 'u')).acknowledgedBy,
      ).toBeNull();
      const resolved = await repos.alerts.transition(t, id, 'resolve', 'u');
      expect(resolved.status).toBe('resolved');
      expect(resolved.endsAt).toBeInstanceOf(Date);
      const err = await repos.alerts.transition(t, id, 'acknowledge', 'u').catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'ALERTBASE_STATUS_INVALID_TRANSITION',
        allowed: ['reopen'],
      });
      expect(await codeOf(repos.alerts.transition(t, id, 'explode' as never, 'u'))).toBe(
        'ALERTBASE_VALIDATION_UNKNOWN_VALUE',
      );
      expect(
        await codeOf(repos.alerts.transition(t, id, 'reopen', 'u', { expectedVersion: 1 })),
      ).toBe('ALERTBASE_RESOURCE_VERSION_CONFLICT');
      // Another occurrence is open: reopening this one would make two.
      await repos.alerts.ingest(t, [alert('A')], 'p');
      expect(await codeOf(repos.alerts.transition(t, id, 'reopen', 'u'))).toBe(
        'ALERTBASE_RESOURCE_ALREADY_EXISTS',
      );
      const [other] = (await repos.alerts.ingest(t, [alert('B')], 'p')).items;
      await repos.alerts.transition(t, stored(other).id, 'expire', 'system');
      expect((await repos.alerts.transition(t, stored(other).id, 'reopen', 'u')).endsAt).toBeNull();
      const transitions = (await repos.audit.list(t, { entityId: id })).filter(
        (e) => e.action === 'transition',
      );
      expect(transitions.map((e) => e.details.action)).toEqual([
        'acknowledge',
        'suppress',
        'unsuppress',
        'unacknowledge',
        'resolve',
      ]);
      expect(transitions[0]?.details).toMatchObject({ from: 'firing', to: 'acknowledged' });
    });
  });

  describe('tenants and API keys', () => {
    it('creates, updates, suspends and reactivates tenants', async () => {
      const id = `tn-${Math.random().toString(36).slice(2, 8)}`;
      const created = await repos.tenants.create({ id, name: 'One', version: 9 } as never, 'admin');
      expect(created).toMatchObject({ id, version: 1, createdBy: 'admin', status: 'active' });
      expect(await codeOf(repos.tenants.create({ id, name: 'Again' }, 'admin'))).toBe(
        'ALERTBASE_RESOURCE_ALREADY_EXISTS',
      );
      expect(
        (await repos.tenants.update(id, { name: 'Renamed' }, 'ops', { expectedVersion: 1 })).name,
      ).toBe('Renamed');
      expect(
        await codeOf(repos.tenants.update(id, { name: 'X' }, 'ops', { expectedVersion: 1 })),
      ).toBe('ALERTBASE_RESOURCE_VERSION_CONFLICT');
      expect(await codeOf(repos.tenants.update(id, 'x' as never, 'ops'))).toBe(
        'ALERTBASE_VALIDATION_FAILED',
      );
      expect((await repos.tenants.suspend(id, 'ops')).status).toBe('suspended');
      expect((await repos.tenants.activate(id, 'ops')).status).toBe('active');
      expect((await repos.tenants.get(id)).version).toBe(4);
      expect(await codeOf(repos.tenants.get('missing-tenant'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      expect(await codeOf(repos.tenants.suspend('missing-tenant', 'ops'))).toBe(
        'ALERTBASE_RESOURCE_NOT_FOUND',
      );
      expect((await repos.audit.verify(id)).ok).toBe(true);
      expect((await repos.audit.list(id)).map((e) => e.action)).toEqual([
        'create',
        'update',
        'update',
        'update',
      ]);
    });

    it('issues keys that find their tenant, compares hashes, refuses revoked and foreign keys', async () => {
      const t = await tenant();
      const other = await tenant();
      const { key, apiKey } = await repos.apiKeys.issue(
        t,
        { name: 'prom', role: 'responder' },
        'u',
      );
      expect(key).toMatch(new RegExp(`^ab_${t}_[0-9a-f]{48}$`));
      expect(apiKey.prefix).toBe(`ab_${key.slice(-48, -40)}`);
      expect(JSON.stringify(apiKey)).not.toContain(key);
      expect((await repos.apiKeys.findByKey(key))?.id).toBe(apiKey.id);
      // Change the last hex digit (to another one: the key may already end in 0).
      const wrong = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
      expect(wrong).not.toBe(key);
      expect(await repos.apiKeys.findByKey(wrong)).toBeUndefined();
      expect(
        await repos.apiKeys.findByKey(key.replace(`ab_${t}_`, `ab_${other}_`)),
      ).toBeUndefined();
      expect(await repos.apiKeys.findByKey('Bearer nonsense')).toBeUndefined();
      expect(await repos.apiKeys.findByKey(42 as never)).toBeUndefined();
      const expired = await repos.apiKeys.issue(
        t,
        { name: 'old', role: 'viewer', expiresAt: PAST() },
        'u',
      );
      expect(await repos.apiKeys.findByKey(expired.key)).toBeUndefined();
      const revoked = await repos.apiKeys.revoke(t, apiKey.id, 'sec');
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect((await repos.apiKeys.revoke(t, apiKey.id, 'sec')).revokedAt).toEqual(
        revoked.revokedAt,
      );
      expect(await repos.apiKeys.findByKey(key)).toBeUndefined();
      expect((await repos.apiKeys.list(t, { filter: { status: 'revoked' } })).items).toHaveLength(
        1,
      );
      expect((await repos.audit.list(t, { entityId: apiKey.id })).map((e) => e.action)).toEqual([
        'key.create',
        'key.revoke',
      ]);
    });
  });

  describe('API key use (lastUsedAt)', () => {
    it('records a usable key at most once per interval, never back in time, not as a change', async () => {
      const t = await tenant();
      const interval = 60_000;
      const t0 = Date.parse('2030-01-01T00:00:00Z');
      const at = (ms: number): Date => new Date(t0 + ms);
      const { apiKey } = await repos.apiKeys.issue(t, { name: 'k', role: 'viewer' }, 'u');
      const use = (id: string, ms: number) => repos.apiKeys.recordUse(t, id, at(ms), interval);
      expect(apiKey.lastUsedAt).toBeNull();
      expect(await use(apiKey.id, 0)).toBe(true);
      expect(await use(apiKey.id, interval - 1)).toBe(false);
      expect(await use(apiKey.id, -5_000)).toBe(false);
      expect((await repos.apiKeys.get(t, apiKey.id)).lastUsedAt).toEqual(at(0));
      expect(await use(apiKey.id, interval)).toBe(true);
      const used = await repos.apiKeys.get(t, apiKey.id);
      expect(used.lastUsedAt).toEqual(at(interval));
      expect(used.updatedAt).toEqual(apiKey.updatedAt);
      expect(await repos.apiKeys.versionOf(t, apiKey.id)).toBe(1);
      expect((await repos.apiKeys.list(t)).items[0]?.lastUsedAt).toEqual(at(interval));
      expect((await repos.audit.list(t, { entityId: apiKey.id })).map((e) => e.action)).toEqual([
        'key.create',
      ]);
      // Another tenant's key, an unknown id: nothing to write.
      const other = await tenant();
      expect(await repos.apiKeys.recordUse(other, apiKey.id, at(interval * 10), interval)).toBe(
        false,
      );
      expect(await use('no-such-key', 0)).toBe(false);
    });

    it('never records an expired, revoked or deleted key', async () => {
      const t = await tenant();
      const now = Date.now();
      const expiring = await repos.apiKeys.issue(
        t,
        { name: 'e', role: 'viewer', expiresAt: new Date(now + 60_000).toISOString() },
        'u',
      );
      const use = (id: string, at: number) => repos.apiKeys.recordUse(t, id, new Date(at), 0);
      expect(await use(expiring.apiKey.id, now)).toBe(true);
      expect(await use(expiring.apiKey.id, now + 60_000)).toBe(false);
      const revoked = await repos.apiKeys.issue(t, { name: 'r', role: 'viewer' }, 'u');
      await repos.apiKeys.revoke(t, revoked.apiKey.id, 'u');
      expect(await use(revoked.apiKey.id, now)).toBe(false);
      const deleted = await repos.apiKeys.issue(t, { name: 'd', role: 'viewer' }, 'u');
      await repos.apiKeys.delete(t, deleted.apiKey.id, 'u');
      expect(await use(deleted.apiKey.id, now)).toBe(false);
      expect((await repos.apiKeys.get(t, revoked.apiKey.id)).lastUsedAt).toBeNull();
      expect(
        (await repos.apiKeys.get(t, deleted.apiKey.id, { includeDeleted: true })).lastUsedAt,
      ).toBeNull();
      expect((await repos.apiKeys.get(t, expiring.apiKey.id)).lastUsedAt).toEqual(new Date(now));
    });
  });

  describe('tenant isolation through the repositories', () => {
    it('tenant A never sees or changes B’s records; B’s ids are not found', async () => {
      const a = await tenant();
      const b = await tenant();
      const bRule = await repos.alertRules.create(b, rule('secret'), 'u');
      const [bAlert] = (await repos.alerts.ingest(b, [alert('A')], 'p')).items;
      const bId = stored(bAlert).id;
      for (const call of [
        () => repos.alertRules.get(a, bRule.id),
        () => repos.alertRules.update(a, bRule.id, { level: 'low' }, 'u'),
        () => repos.alertRules.delete(a, bRule.id, 'u'),
        () => repos.alertRules.restore(a, bRule.id, 'u'),
        () => repos.alertRules.purge(a, bRule.id, 'u'),
        () => repos.alerts.transition(a, bId, 'acknowledge', 'u'),
        () => repos.alerts.get(a, bId),
      ]) {
        expect(await codeOf(call())).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
      }
      expect((await repos.alertRules.list(a, { includeDeleted: true })).items).toHaveLength(0);
      // The same fingerprint in A is a different alert.
      const [aAlert] = (await repos.alerts.ingest(a, [alert('A')], 'p')).items;
      expect(aAlert?.outcome).toBe('created');
      expect((await repos.alerts.get(b, bId)).duplicateCount).toBe(0);
      expect((await repos.alertRules.get(b, bRule.id)).version).toBe(1);
      expect((await repos.audit.list(a)).every((e) => e.tenantId === a)).toBe(true);
    });
  });

  describe('audit trail', () => {
    it('writes one event per change, in the same transaction', async () => {
      const t = await tenant();
      const start = await auditCount(t);
      const r = await repos.alertRules.create(t, rule('a'), 'u');
      await repos.alertRules.update(t, r.id, { level: 'low', description: 'x' }, 'u');
      await repos.alertRules
        .update(t, r.id, { level: 'low' }, 'u', { expectedVersion: 1 })
        .catch(() => undefined);
      expect(await auditCount(t)).toBe(start + 2);
      const [created, updated] = await repos.audit.list(t, { entityId: r.id });
      expect(created).toMatchObject({
        action: 'create',
        actor: 'u',
        entityType: 'AlertRule',
        before: null,
      });
      expect(updated?.before).toBe(created?.after);
      expect(updated?.details).toEqual({ fields: 'description,level' });
      // Silence has no createdBy of its own, so an over-long actor fails only
      // at the audit step: the insert before it must roll back with it.
      await expect(
        repos.silences.create(
          t,
          {
            matchers: [{ name: 'a', value: 'b', isRegex: false }],
            startsAt: PAST(),
            endsAt: FUTURE(),
            createdBy: 'ops',
            comment: 'c',
          },
          'x'.repeat(300),
        ),
      ).rejects.toMatchObject({ code: 'ALERTBASE_VALIDATION_FAILED' });
      expect((await repos.silences.list(t)).items).toHaveLength(0);
      expect(await auditCount(t)).toBe(start + 2);
      const page = await repos.audit.list(t, { afterSeq: 0, limit: 1 });
      expect(page.map((e) => e.seq)).toEqual([1]);
      const first = (await repos.audit.list(t, { limit: 1 }))[0];
      expect(first?.prevHash).toBe(GENESIS_HASH);
    });

    it('filters by actor, action, entity type and time in SQL: full pages, nextAfter ends with null', async () => {
      const t = await tenant();
      const rules: AlertRule[] = [];
      for (let i = 0; i < 8; i++)
        rules.push(await repos.alertRules.create(t, rule(`a${i}`), i % 2 === 0 ? 'alice' : 'bob'));
      await sleep(5);
      const t1 = new Date();
      await sleep(5);
      for (const r of rules) await repos.alertRules.update(t, r.id, { level: 'low' }, 'alice');
      await sleep(5);
      const t2 = new Date();
      await sleep(5);
      for (const r of rules.slice(0, 3)) await repos.alertRules.delete(t, r.id, 'bob');
      await repos.alerts.ingest(t, [alert('A')], 'alice');
      const walk = async (options: AuditListOptions): Promise<[number[][], (number | null)[]]> => {
        const pages: number[][] = [];
        const nexts: (number | null)[] = [];
        let afterSeq: number | undefined;
        do {
          const page = await repos.audit.page(t, {
            ...options,
            ...(afterSeq === undefined ? {} : { afterSeq }),
          });
          pages.push(page.items.map((e) => e.seq));
          nexts.push(page.nextAfter);
          if (page.nextAfter !== null) expect(page.nextAfter).toBe(page.items.at(-1)?.seq);
          afterSeq = page.nextAfter ?? undefined;
        } while (afterSeq !== undefined && pages.length < 20);
        return [pages, nexts];
      };
      const all = await repos.audit.list(t, { limit: 1_000 });
      const seqs = (keep: (e: (typeof all)[number]) => boolean): number[] =>
        all.filter(keep).map((e) => e.seq);

      // Alice's rule creations: rules 0, 2, 4, 6; later events of Alice's follow them.
      const created = seqs((e) => e.actor === 'alice' && e.action === 'create');
      expect(created).toHaveLength(4);
      const [pages, nexts] = await walk({
        actor: 'alice',
        action: 'create',
        entityType: 'AlertRule',
        limit: 2,
      });
      expect(pages).toEqual([created.slice(0, 2), created.slice(2, 4)]);
      expect(nexts).toEqual([created[1], null]);
      const byId = await repos.audit.list(t, { actor: 'alice', action: 'create', limit: 10 });
      expect(byId.map((e) => e.entityId)).toEqual(
        [rules[0], rules[2], rules[4], rules[6]].map((r) => r?.id),
      );

      // The updates, by time: [t1, t2), 3 a page.
      const updates = seqs((e) => e.action === 'update');
      expect(updates).toHaveLength(8);
      const [byTime, timeNexts] = await walk({ since: t1, until: t2, limit: 3 });
      expect(byTime).toEqual([updates.slice(0, 3), updates.slice(3, 6), updates.slice(6)]);
      expect(timeNexts.at(-1)).toBeNull();
      expect((await walk({ actor: 'alice', since: t1, until: t2, limit: 8 }))[1]).toEqual([null]);

      // Bob's deletes; the ingest is about alerts; the time edges.
      expect(
        (
          await repos.audit.page(t, { actor: 'bob', action: 'delete', entityType: 'AlertRule' })
        ).items.map((e) => e.entityId),
      ).toEqual(rules.slice(0, 3).map((r) => r.id));
      const ingest = await repos.audit.page(t, { entityType: 'Alert' });
      expect(ingest.items.map((e) => [e.action, e.actor])).toEqual([['ingest', 'alice']]);
      expect(ingest.nextAfter).toBeNull();
      const firstUpdate = all.find((e) => e.action === 'update');
      const edge = firstUpdate?.at ?? new Date(0);
      expect((await repos.audit.list(t, { since: edge, until: edge })).length).toBe(0);
      expect((await repos.audit.list(t, { since: edge, action: 'update', limit: 1 }))[0]?.seq).toBe(
        firstUpdate?.seq,
      );
      expect((await repos.audit.list(t, { until: edge, limit: 1_000 })).map((e) => e.seq)).toEqual(
        seqs((e) => e.at.getTime() < edge.getTime()),
      );
      // Nothing matches: an empty last page.
      expect(await repos.audit.page(t, { actor: 'carol' })).toEqual({ items: [], nextAfter: null });
      // `list` keeps its array form and takes the same filters.
      expect(
        (await repos.audit.list(t, { actor: 'bob', action: 'delete', limit: 2 })).map((e) => e.seq),
      ).toEqual(seqs((e) => e.actor === 'bob' && e.action === 'delete').slice(0, 2));
    });

    it('refuses bad audit filters with their codes', async () => {
      const t = await tenant();
      expect(
        await refusalOf(
          repos.audit.page(t, {
            since: new Date('2026-01-02T00:00:00Z'),
            until: new Date('2026-01-01T00:00:00Z'),
          }),
        ),
      ).toEqual({ code: 'ALERTBASE_VALIDATION_FAILED', issues: [['/until', 'too_small']] });
      expect(await refusalOf(repos.audit.page(t, { since: new Date('soon') }))).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/since', 'invalid_type']],
      });
      expect(await refusalOf(repos.audit.list(t, { actor: 42 as never }))).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/actor', 'invalid_type']],
      });
      expect(await refusalOf(repos.audit.page(t, { afterSeq: 1.5 }))).toEqual({
        code: 'ALERTBASE_VALIDATION_FAILED',
        issues: [['/afterSeq', 'invalid_type']],
      });
      expect(await codeOf(repos.audit.page(t, { action: 'explode' as never }))).toBe(
        'ALERTBASE_VALIDATION_UNKNOWN_VALUE',
      );
    });

    it('50 concurrent writers on one tenant keep one verifiable chain', async () => {
      const t = await tenant();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => repos.alertRules.create(t, rule(`c${i}`), `w${i}`)),
      );
      const check = await repos.audit.verify(t);
      expect(check).toEqual({ ok: true, length: 51 });
      const events = await repos.audit.list(t, { limit: 100 });
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    });

    it('detects a flipped byte, a deleted row and swapped rows at their index', async () => {
      const chain = async (): Promise<string> => {
        const t = await tenant();
        for (let i = 0; i < 7; i++) await repos.alertRules.create(t, rule(`r${i}`), 'u');
        expect(await repos.audit.verify(t)).toEqual({ ok: true, length: 8 });
        return t;
      };
      // As the table owner, outside the app role: what an attacker with database access does.
      const [flip, column, gone, swap, forged] = await Promise.all([
        chain(),
        chain(),
        chain(),
        chain(),
        chain(),
      ]);
      await db.query(
        `UPDATE audit_events SET doc = jsonb_set(doc, '{details,tampered}', 'true') WHERE tenant_id = $1 AND seq = 3`,
        [flip],
      );
      expect(await repos.audit.verify(flip)).toEqual({
        ok: false,
        index: 3,
        reason: 'hash_mismatch',
      });
      await db.query(`UPDATE audit_events SET actor = 'mallory' WHERE tenant_id = $1 AND seq = 2`, [
        column,
      ]);
      expect(await repos.audit.verify(column)).toEqual({
        ok: false,
        index: 2,
        reason: 'column_mismatch',
      });
      await db.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 5', [gone]);
      expect(await repos.audit.verify(gone)).toEqual({
        ok: false,
        index: 5,
        reason: 'seq_mismatch',
      });
      await db.query('UPDATE audit_events SET seq = 100 WHERE tenant_id = $1 AND seq = 4', [swap]);
      await db.query('UPDATE audit_events SET seq = 4 WHERE tenant_id = $1 AND seq = 5', [swap]);
      await db.query('UPDATE audit_events SET seq = 5 WHERE tenant_id = $1 AND seq = 100', [swap]);
      expect(await repos.audit.verify(swap)).toEqual({
        ok: false,
        index: 4,
        reason: 'seq_mismatch',
      });
      // A rewritten entry with its own hash recomputed still breaks the next link.
      await db.query(
        `UPDATE audit_events SET doc = jsonb_set(doc, '{details,x}', '1'), hash = $2
          WHERE tenant_id = $1 AND seq = 6`,
        [forged, 'f'.repeat(64)],
      );
      await db.query(
        `UPDATE audit_events SET doc = jsonb_set(doc, '{hash}', to_jsonb($2::text)) WHERE tenant_id = $1 AND seq = 6`,
        [forged, 'f'.repeat(64)],
      );
      expect(await repos.audit.verify(forged)).toEqual({
        ok: false,
        index: 6,
        reason: 'hash_mismatch',
      });
      await db.query(
        `UPDATE audit_events SET doc = doc - 'actor' WHERE tenant_id = $1 AND seq = 1`,
        [forged],
      );
      expect(await repos.audit.verify(forged)).toEqual({
        ok: false,
        index: 1,
        reason: 'invalid_entry',
      });
      await db.query(
        `UPDATE audit_events SET doc = jsonb_set(doc, '{seq}', '0') WHERE tenant_id = $1 AND seq = 0`,
        [column],
      );
      await db.query(
        `UPDATE audit_events SET prev_hash = $2, doc = jsonb_set(doc, '{prevHash}', to_jsonb($2::text))
          WHERE tenant_id = $1 AND seq = 1`,
        [column, 'a'.repeat(64)],
      );
      expect(await repos.audit.verify(column)).toEqual({
        ok: false,
        index: 1,
        reason: 'prev_hash_mismatch',
      });
    });
  });

  describe('alerts tied to their rule', () => {
    it('ties an alert without a rule id to the live rule named as its alertname, and to nothing else', async () => {
      const t = await tenant();
      const cpu = await repos.alertRules.create(t, rule('HighCPU'), 'user:1');
      const r = await repos.alerts.ingest(
        t,
        [
          alert('HighCPU'),
          alert('NoSuchRule'),
          alert('HighCPU', { labels: { alertname: 'HighCPU', job: 'x' }, ruleId: null }),
        ],
        'key:test',
      );
      const ids = r.items.map((i) => stored(i).id);
      expect((await repos.alerts.get(t, ids[0] as string)).ruleId).toBe(cpu.id);
      expect((await repos.alerts.get(t, ids[1] as string)).ruleId).toBeNull();
      expect((await repos.alerts.get(t, ids[2] as string)).ruleId).toBe(cpu.id);
      // A rule created or deleted by this process is seen by the next batch.
      const disk = await repos.alertRules.create(t, rule('DiskFull'), 'user:1');
      await repos.alertRules.delete(t, cpu.id, 'user:1');
      const next = await repos.alerts.ingest(
        t,
        [alert('DiskFull'), alert('HighCPU', { labels: { alertname: 'HighCPU', job: 'y' } })],
        'key:test',
      );
      const [d, c] = next.items.map((i) => stored(i).id);
      expect((await repos.alerts.get(t, d as string)).ruleId).toBe(disk.id);
      expect((await repos.alerts.get(t, c as string)).ruleId).toBeNull();
    });
  });

  describe('statements', () => {
    it('names hot statements and reports them with their timing', async () => {
      const t = await tenant();
      const events: QueryEvent[] = [];
      const off = db.onQuery((e) => events.push(e));
      await repos.alerts.ingest(t, [alert('A')], 'p');
      await repos.alerts.ingest(t, [alert('A')], 'p');
      off();
      const ingest = events.filter((e) => e.sql.startsWith('WITH input'));
      expect(ingest).toHaveLength(2);
      expect(ingest[0]?.name).toMatch(/^ab_[0-9a-f]{24}$/);
      expect(ingest[1]?.name).toBe(ingest[0]?.name);
      expect(ingest.every((e) => e.tenantId === t && e.durationMs >= 0)).toBe(true);
    });
  });
}
