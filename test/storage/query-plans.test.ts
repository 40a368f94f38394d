/**
 * Query shapes that do not hinge on estimates: every list and filter the API
 * offers on alerts and on the audit trail is planned as an index scan
 * stopped by its LIMIT, on tables of 50,000 rows in one tenant (plus other
 * tenants' rows; the audit rows in five monthly partitions), first without
 * planner statistics (filled after the last ANALYZE, as on PGlite, which has
 * no autovacuum) and then with them, on both engines.
 *
 * The statements are the repositories' own: the test runs the real calls
 * (`alerts.list`, `alerts.get`, `silences.list`, `audit.page`) through a database that records what they
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
import type { AuditListOptions } from '../../src/storage/repositories/audit-log.js';
import type {
  AlertFilter,
  ListOptions,
  StatusFilter,
} from '../../src/storage/repositories/types.js';
import type { TenantTransactionOptions } from '../../src/storage/types.js';
import { fillAlerts } from './helpers/bulk-alerts.js';
import { createAuditPartitions, fillAuditEvents } from './helpers/bulk-audit.js';
import { createServerDatabase, describeWithServer } from './helpers/server.js';

const TENANT = 'plans';
const ROWS = 50_000;
const OTHER_ROWS = 2_500;
/** The tenant's audit entries: one every 4 minutes from July 2026, into November. */
const AUDIT_FROM = new Date('2026-07-01T00:00:00Z');
const AUDIT_STEP_MS = 240_000;

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
  | { readonly name: string; readonly kind: 'audit'; readonly options: AuditListOptions }
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
    ...auditShapes(),
  ];
}

/** Every listing and filter of `GET /v1/audit` (src/server/routes/audit.ts), 50 per page. */
function auditShapes(): Shape[] {
  const audit = (name: string, options: AuditListOptions): Shape => ({
    name: `audit: ${name}`,
    kind: 'audit',
    options: { limit: 50, ...options },
  });
  const month = new Date('2026-09-01T00:00:00Z');
  const hour = new Date('2026-09-01T01:00:00Z');
  return [
    audit('first page', {}),
    audit('next page', { afterSeq: 25_000 }),
    audit('actor', { actor: 'user:u7' }),
    audit('action', { action: 'ingest' }),
    audit('entity type', { entityType: 'Silence' }),
    audit('entity id', { entityId: 'e7' }),
    audit('entity type and id', { entityType: 'Silence', entityId: 'e7' }),
    audit('since', { since: month }),
    audit('until', { until: month }),
    audit('time window', { since: month, until: hour }),
    audit('actor, action and time window, next page', {
      actor: 'user:u7',
      action: 'ingest',
      since: month,
      until: new Date('2026-10-01T00:00:00Z'),
      afterSeq: 20_000,
    }),
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
    const audit = { from: AUDIT_FROM, stepMs: AUDIT_STEP_MS };
    await fillAuditEvents(db, { tenantId: TENANT, rows: ROWS, ...audit });
    for (const tenantId of ['other', 'third']) {
      await fillAuditEvents(db, { tenantId, rows: OTHER_ROWS, ...audit });
    }
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
  }, 240_000);
  afterAll(async () => {
    await db?.close();
    await dispose();
  });

  /** The statement the repository call of `shape` sends, and its parameters. */
  async function statementOf(shape: Shape): Promise<Recorded> {
    seen.length = 0;
    if (shape.kind === 'get') await repos.alerts.get(TENANT, someId);
    else if (shape.kind === 'silences') await repos.silences.list(TENANT, shape.options);
    else if (shape.kind === 'audit') await repos.audit.page(TENANT, shape.options);
    else await repos.alerts.list(TENANT, shape.options);
    const reads = seen.filter(
      (s) =>
        /^\s*(SELECT|WITH)/i.test(s.sql) && /\bFROM (alerts|silences|audit_events)\b/.test(s.sql),
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

  /** The rows the planner believes `table` holds (of a partitioned one: its partitions'). */
  async function estimatedRows(table: 'alerts' | 'audit_events'): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT sum(greatest(c.reltuples, 0))::float8 AS n FROM pg_class c
        WHERE c.oid = $1::regclass
           OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)`,
      [table],
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

  it('plans every alert and audit listing as a bounded index scan without statistics', async () => {
    // The planner still believes what the last ANALYZE saw: one alert, a few
    // audit entries, and nothing of the partitions created since.
    expect(await estimatedRows('alerts')).toBeLessThanOrEqual(1);
    expect(await estimatedRows('audit_events')).toBeLessThan(10);
    await checkAll();
  }, 60_000);

  it('plans every alert and audit listing as a bounded index scan with statistics', async () => {
    await db.exec('ANALYZE alerts');
    await db.exec('ANALYZE audit_events');
    expect(await estimatedRows('alerts')).toBeGreaterThan(ROWS);
    expect(await estimatedRows('audit_events')).toBeGreaterThan(ROWS);
    await checkAll();
  }, 60_000);

  it('wrote the audit fill into its months, none in DEFAULT, as a chain that verifies', async () => {
    const { rows } = await db.query<{ name: string; n: number }>(
      `SELECT tableoid::regclass::text AS name, count(*)::int AS n FROM audit_events
        WHERE tenant_id = $1 GROUP BY 1 ORDER BY 1`,
      [TENANT],
    );
    const filled = rows.filter((r) => /^audit_events_2026_(07|08|09|10|11)$/.test(r.name));
    expect(filled.map((r) => r.name)).toEqual([
      'audit_events_2026_07',
      'audit_events_2026_08',
      'audit_events_2026_09',
      'audit_events_2026_10',
      'audit_events_2026_11',
    ]);
    expect(filled.reduce((sum, r) => sum + r.n, 0)).toBe(ROWS);
    expect(rows.find((r) => r.name === 'audit_events_default')).toBeUndefined();
    const verdict = await repos.audit.verify(TENANT);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.length).toBeGreaterThan(ROWS);
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

  it('returns the audit pages the filters select, in chain order', async () => {
    const page = await repos.audit.page(TENANT, {
      limit: 50,
      entityType: 'Silence',
      entityId: 'e7',
      afterSeq: 10_000,
    });
    expect(page.items).toHaveLength(50);
    const seqs = page.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBeGreaterThan(10_000);
    for (const e of page.items) expect([e.entityType, e.entityId]).toEqual(['Silence', 'e7']);
    expect(page.nextAfter).toBe(seqs.at(-1));
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
    // The same for the audit partitions the fill writes to, made before it.
    const last = new Date(AUDIT_FROM.getTime() + ROWS * AUDIT_STEP_MS);
    await createAuditPartitions(db, AUDIT_FROM, last);
    const { rows } = await db.query<{ name: string }>(
      `SELECT inhrelid::regclass::text AS name FROM pg_inherits
        WHERE inhparent = 'audit_events'::regclass`,
    );
    for (const { name } of rows) {
      await db.exec(`ALTER TABLE ${name} SET (autovacuum_enabled = false)`);
    }
    return { db, dispose: () => server.drop() };
  });
});
