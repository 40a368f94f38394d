/**
 * The ingest statement's lookups by fingerprint stay lookups under a generic
 * plan (what a prepared statement runs after five executions) and the
 * statistics PGlite keeps from its last ANALYZE: a resolving item among
 * 20,000 open alerts finds its rows by their fingerprint, never by walking
 * the tenant's rows. Plans only, never timings.
 *
 * A guard of the statement's shape (a lookup written by status, or one the
 * planner may scan, fails it). It does not recreate the statistics under
 * which the former `NOT EXISTS` became a join that walked the open rows
 * (bench/README.md, "A join the planner chose"): on this state that statement
 * passes too, with the planner forced off nested loops as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, createTestDatabase, type Database } from '../../src/storage/index.js';
import { INGEST } from '../../src/storage/repositories/alert-ingest-sql.js';
import { fillAlerts } from './helpers/bulk-alerts.js';

const TENANT = 'ingest-plans';
const TEMPLATE = 'ingest-plans-template';

/** A plan node of `EXPLAIN (FORMAT JSON)`. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Cond'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** Every scan of `alerts` in the plan (the rows a statement changes are not scans). */
function alertScans(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name'] === 'alerts' && node['Node Type'] !== 'ModifyTable') out.push(node);
  for (const child of node.Plans ?? []) alertScans(child, out);
  return out;
}

describe('the ingest statement under a generic plan (PGlite)', () => {
  let db: Database;

  beforeAll(async () => {
    db = await createTestDatabase();
    const repos = createRepositories(db);
    for (const id of [TENANT, TEMPLATE]) {
      await repos.tenants.create({ id, name: id, tier: 'enterprise' }, 'test');
    }
    await repos.alerts.ingest(
      TEMPLATE,
      [{ labels: { alertname: 'Template' }, level: 'medium', priority: 'P3' }],
      'test',
    );
    // Statistics of a nearly empty table, then 20,000 open alerts: what
    // PGlite, with no autovacuum, plans with until its next ANALYZE.
    await db.exec('ANALYZE alerts');
    await fillAlerts(db, {
      tenantId: TENANT,
      rows: 20_000,
      offset: 0,
      templateTenant: TEMPLATE,
      open: 20_000,
    });
  }, 60_000);
  afterAll(async () => db?.close());

  it('looks a resolving item up by its fingerprint, in every lookup', async () => {
    const now = new Date().toISOString();
    const input = JSON.stringify([
      {
        f: '0123456789abcdef',
        r: 2,
        n: 0,
        d: {
          id: '01900000-0000-7000-8000-000000000001',
          ruleId: null,
          status: 'resolved',
          level: 'medium',
          labels: { alertname: 'Gone' },
          annotations: {},
          startsAt: now,
          endsAt: now,
          createdAt: now,
          lastReceivedAt: now,
        },
      },
    ]);
    const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
    const plan = await db.withTenant(TENANT, async (tx) => {
      await tx.query("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)");
      await tx.exec(`PREPARE ingest_plan_test(text, jsonb) AS ${INGEST.text}`);
      const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE ingest_plan_test(${quote(TENANT)}, ${quote(input)})`,
      );
      return (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
    });
    // A prepared statement outlives the transaction (one session on PGlite).
    await db.exec('DEALLOCATE ingest_plan_test');
    const scans = alertScans(plan);
    expect(scans.length).toBeGreaterThanOrEqual(5);
    for (const scan of scans) {
      expect(scan['Node Type'], JSON.stringify(scan)).not.toBe('Seq Scan');
      // A lookup by fingerprint, or by primary key (the row found by one).
      expect(scan['Index Cond'] ?? '', JSON.stringify(scan)).toMatch(/fingerprint = |id = /);
    }
  });
});
