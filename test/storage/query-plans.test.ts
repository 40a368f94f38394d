/**
 * Query shapes that do not hinge on estimates: every list and filter the API
 * offers on alerts is planned as an index scan stopped by its LIMIT, on a
 * table of 50,000 rows in one tenant (plus other tenants' rows), first
 * without planner statistics (filled after the last ANALYZE, as on PGlite,
 * which has no autovacuum) and then with them, on both engines.
 *
 * The statements are the repositories' own: the test runs the real calls
 * (`alerts.list`, `alerts.get`) through a database that records what they
 * send, then asks for the plan of each recorded statement with its
 * parameters, as the app role under row-level security. Plans only, never
 * timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  openDatabase,
  type PlannerMethod,
  type Repositories,
  type SqlValue,
  type TransactionClient,
} from '../../src/storage/index.js';
import type {
  AlertFilter,
  ListOptions,
  StatusFilter,
} from '../../src/storage/repositories/types.js';
import type { TenantTransactionOptions } from '../../src/storage/types.js';
import { fillAlerts } from './helpers/bulk-alerts.js';
import { createServerDatabase, describeWithServer } from './helpers/server.js';

const TENANT = 'plans';
const ROWS = 50_000;
const OTHER_ROWS = 2_500;

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

interface Recorded {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  /** The options of the `withTenant` the statement ran in (planner settings). */
  readonly options: TenantTransactionOptions | undefined;
}

/** `db`, with every statement run inside `withTenant` recorded (text, parameters, options). */
function recording(db: Database, seen: Recorded[]): Database {
  const wrap = (
    tx: TransactionClient,
    transaction: TenantTransactionOptions | undefined,
  ): TransactionClient =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === 'query') {
          return (sql: string, params: readonly SqlValue[] = [], options?: unknown) => {
            seen.push({ sql, params, options: transaction });
            return target.query(sql, params, options as never);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'withTenant') {
        return <T>(
          tenantId: string,
          fn: (tx: TransactionClient) => Promise<T>,
          options?: TenantTransactionOptions,
        ) => target.withTenant(tenantId, (tx) => fn(wrap(tx, options)), options);
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

function describePlan(node: PlanNode, depth = 0): string {
  const name = node['Index Name'] ?? node['Relation Name'];
  const line = `${'  '.repeat(depth)}${node['Node Type']}${name === undefined ? '' : ` ${name}`}`;
  return [line, ...(node.Plans ?? []).map((p) => describePlan(p, depth + 1))].join('\n');
}

/** Node types that read or sort more than the LIMIT needs. */
const UNBOUNDED = new Set([
  'Seq Scan',
  'Sort',
  'Incremental Sort',
  'Bitmap Heap Scan',
  'Bitmap Index Scan',
  'Hash',
  'Materialize',
]);
const SCANS = new Set(['Index Scan', 'Index Only Scan']);

/**
 * Why the plan is not an index scan bounded by its LIMIT, or null when it is:
 * a Limit on top, index scans only (in key order, merged when several), no
 * sort, bitmap or sequential scan anywhere. `limited` false: a lookup by key
 * (at most one row), which needs no Limit.
 */
function unboundedReason(plan: PlanNode, limited = true): string | null {
  const nodes = nodesOf(plan);
  if (limited && plan['Node Type'] !== 'Limit') return `top node is ${plan['Node Type']}`;
  const bad = nodes.find((n) => UNBOUNDED.has(n['Node Type']));
  if (bad !== undefined) return `has ${bad['Node Type']}`;
  if (!nodes.some((n) => SCANS.has(n['Node Type']))) return 'no index scan';
  return null;
}

type Shape =
  | { readonly name: string; readonly kind: 'list'; readonly options: ListOptions<AlertFilter> }
  | {
      readonly name: string;
      readonly kind: 'silences';
      readonly options: ListOptions<StatusFilter>;
    }
  | { readonly name: string; readonly kind: 'get' };

/** Every list and filter of `GET /v1/alerts` (see `listAlerts` in src/server/routes/alerts.ts). */
function shapes(cursor: { asc: string; desc: string }, fingerprint: string): Shape[] {
  const list = (name: string, options: ListOptions<AlertFilter>): Shape => ({
    name,
    kind: 'list',
    options,
  });
  const since = new Date('2026-01-01T10:00:00Z');
  const until = new Date('2026-01-01T11:00:00Z');
  return [
    list('first page', { limit: 50 }),
    list('first page, newest first', { limit: 50, order: 'desc' }),
    list('next page (keyset)', { limit: 50, cursor: cursor.asc }),
    list('next page, newest first (keyset)', { limit: 50, order: 'desc', cursor: cursor.desc }),
    list('label', { limit: 50, filter: { labels: { alertname: 'A7' } } }),
    list('label, newest first', { limit: 50, order: 'desc', filter: { labels: { job: 'db' } } }),
    list('status', { limit: 50, filter: { status: 'firing' } }),
    list('statuses', { limit: 50, filter: { status: ['firing', 'acknowledged'] } }),
    list('level', { limit: 50, filter: { levelAtLeast: 'high' } }),
    list('status and level', { limit: 50, filter: { status: 'firing', levelAtLeast: 'critical' } }),
    list('statuses and level, newest first', {
      limit: 50,
      order: 'desc',
      filter: { status: ['firing', 'acknowledged', 'suppressed'], levelAtLeast: 'high' },
    }),
    list('time window', { limit: 50, filter: { activeSince: since, activeUntil: until } }),
    list('active since', { limit: 50, order: 'desc', filter: { activeSince: since } }),
    list('fingerprint', { limit: 50, filter: { fingerprint } }),
    list('deleted included', { limit: 50, includeDeleted: true }),
    { name: 'get by id', kind: 'get' },
    { name: 'silences', kind: 'silences', options: { limit: 50 } },
    { name: 'active silences', kind: 'silences', options: { filter: { status: 'active' } } },
  ];
}

function planSuite(open: () => Promise<{ db: Database; dispose: () => Promise<void> }>) {
  let db: Database;
  let dispose: () => Promise<void> = async () => {};
  let repos: Repositories;
  const seen: Recorded[] = [];
  let cursor = { asc: '', desc: '' };
  let fingerprint = '';
  let someId = '';

  beforeAll(async () => {
    ({ db, dispose } = await open());
    const recorded = recording(db, seen);
    repos = createRepositories(recorded);
    for (const id of [TENANT, 'other', 'third']) {
      await repos.tenants.create({ id, name: id }, 'admin');
    }
    await repos.alerts.ingest(
      TENANT,
      [{ labels: { alertname: 'Seed' }, level: 'high', priority: 'P2' }],
      'key:seed',
    );
    // Statistics of an almost empty database, as after a first maintenance pass.
    await db.exec('ANALYZE');
    await fillAlerts(db, { tenantId: TENANT, rows: ROWS, offset: 0, templateTenant: TENANT });
    await fillAlerts(db, {
      tenantId: 'other',
      rows: OTHER_ROWS,
      offset: ROWS,
      templateTenant: TENANT,
    });
    await fillAlerts(db, {
      tenantId: 'third',
      rows: OTHER_ROWS,
      offset: ROWS + OTHER_ROWS,
      templateTenant: TENANT,
    });
    const first = await repos.alerts.list(TENANT, { limit: 500 });
    const newest = await repos.alerts.list(TENANT, { limit: 500, order: 'desc' });
    if (first.nextCursor === null || newest.nextCursor === null) throw new Error('no cursor');
    cursor = { asc: first.nextCursor, desc: newest.nextCursor };
    const some = first.items[100];
    if (some === undefined) throw new Error('no alert');
    someId = some.id;
    const { rows } = await db.query<{ fingerprint: string }>(
      'SELECT fingerprint FROM alerts WHERE tenant_id = $1 AND id = $2',
      [TENANT, someId],
    );
    fingerprint = rows[0]?.fingerprint ?? '';
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await dispose();
  });

  /** The statement the repository call of `shape` sends, and its parameters. */
  async function statementOf(shape: Shape): Promise<Recorded> {
    seen.length = 0;
    if (shape.kind === 'get') await repos.alerts.get(TENANT, someId);
    else if (shape.kind === 'silences') await repos.silences.list(TENANT, shape.options);
    else await repos.alerts.list(TENANT, shape.options);
    const reads = seen.filter(
      (s) => /^\s*(SELECT|WITH)/i.test(s.sql) && /\bFROM (alerts|silences)\b/.test(s.sql),
    );
    expect(reads).toHaveLength(1);
    return reads[0] as Recorded;
  }

  async function planOf(statement: Recorded, generic: boolean): Promise<PlanNode> {
    return db.withTenant(
      TENANT,
      async (tx) => {
        if (generic)
          await tx.query(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`);
        const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${statement.sql}`,
          statement.params,
        );
        const plan = rows[0]?.['QUERY PLAN'][0].Plan;
        if (plan === undefined) throw new Error('no plan');
        return plan;
      },
      statement.options,
    );
  }

  async function estimatedAlerts(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'alerts'::regclass`,
    );
    return rows[0]?.n ?? Number.NaN;
  }

  async function checkAll(): Promise<void> {
    const failures: string[] = [];
    for (const shape of shapes(cursor, fingerprint)) {
      const statement = await statementOf(shape);
      for (const generic of [false, true]) {
        const plan = await planOf(statement, generic);
        const reason = unboundedReason(plan, shape.kind !== 'get');
        if (reason !== null) {
          failures.push(
            `${shape.name}${generic ? ' (generic plan)' : ''}: ${reason}\n${describePlan(plan)}`,
          );
        }
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  }

  it('plans every alert listing as a bounded index scan without statistics', async () => {
    // The planner still believes what the last ANALYZE saw: one alert.
    expect(await estimatedAlerts()).toBeLessThanOrEqual(1);
    await checkAll();
  }, 60_000);

  it('plans every alert listing as a bounded index scan with statistics', async () => {
    await db.exec('ANALYZE alerts');
    expect(await estimatedAlerts()).toBeGreaterThan(ROWS);
    await checkAll();
  }, 60_000);

  it('merges the pages of several statuses in list order, as one filter would', async () => {
    const statuses = ['suppressed', 'firing', 'acknowledged', 'firing'];
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM alerts WHERE tenant_id = $1 AND deleted_at IS NULL AND status = ANY($2::text[])
        AND level_rank >= 4 ORDER BY created_at DESC, id DESC LIMIT 120`,
      [TENANT, statuses],
    );
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const got = await repos.alerts.list(TENANT, {
        limit: 40,
        order: 'desc',
        filter: { status: statuses, levelAtLeast: 'high' },
        ...(cursor === undefined ? {} : { cursor }),
      });
      ids.push(...got.items.map((a) => a.id));
      cursor = got.nextCursor ?? undefined;
    }
    expect(ids).toHaveLength(120);
    expect(ids).toEqual(rows.map((r) => r.id));
  });

  it('turns planner methods off for the transaction only, and refuses unknown ones', async () => {
    const inside = await db.withTenant(
      TENANT,
      async (tx) =>
        (await tx.query<{ s: string }>(`SELECT current_setting('enable_sort') AS s`)).rows,
      { plannerOff: ['enable_sort'] },
    );
    expect(inside[0]?.s).toBe('off');
    const after = await db.withTenant(
      TENANT,
      async (tx) =>
        (await tx.query<{ s: string }>(`SELECT current_setting('enable_sort') AS s`)).rows,
    );
    expect(after[0]?.s).toBe('on');
    await expect(
      db.withTenant(TENANT, async () => 1, {
        plannerOff: ['enable_everything' as PlannerMethod],
      }),
    ).rejects.toThrow(/unknown planner method/);
  });

  it('returns the pages the filters select', async () => {
    const page = await repos.alerts.list(TENANT, {
      limit: 50,
      filter: { status: 'firing', levelAtLeast: 'critical' },
    });
    expect(page.items.length).toBe(50);
    for (const a of page.items) {
      expect(a.status).toBe('firing');
      expect(a.level).toBe('critical');
    }
  });
}

describe('query plans: PGlite', () => {
  planSuite(async () => ({ db: await createTestDatabase(), dispose: async () => {} }));
});

describeWithServer('query plans: PostgreSQL server', () => {
  planSuite(async () => {
    const server = await createServerDatabase();
    // The bulk fill runs longer than a request may.
    const db = await openDatabase({ url: server.url, timeoutMs: 120_000 });
    // The test decides when statistics appear, whatever the server's autovacuum does.
    await db.exec('ALTER TABLE alerts SET (autovacuum_enabled = false)');
    return { db, dispose: () => server.drop() };
  });
});
