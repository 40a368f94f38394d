/**
 * A tenant's data version: the head of its audit chain and the sum of its
 * write counters. Every write of a tenant's data appends its audit event in
 * the write's own transaction, under the tenant's audit lock, or (the
 * heartbeat write-behind, which must not hold that lock) moves its write
 * counter (`write_counters`, migration 0012) in its own transaction; so the
 * version moves with every committed write and with nothing else: a value
 * cached under the version it was read at is never served after a later
 * write committed, whichever instance made the write. Costs two primary-key
 * reads in one statement.
 */
import { sqlLiteral } from '../base-database.js';
import type { Database } from '../types.js';
import { AUDIT_HEAD_SQL } from './audit-log.js';
import { prepared } from './statements.js';

const HEAD = prepared(AUDIT_HEAD_SQL);
const VERSION = prepared(
  `SELECT (SELECT seq FROM (${AUDIT_HEAD_SQL}) h) AS seq,
          (SELECT coalesce(sum(value), 0) FROM write_counters WHERE tenant_id = $1) AS counted`,
);

/**
 * The statement that moves a tenant's write counter `source` by one, for the
 * writer's transaction to run at its commit (`TransactionClient.atCommit`).
 */
export function countWrite(tenantId: string, source: string): string {
  return `INSERT INTO write_counters AS c (tenant_id, source, value) VALUES (${sqlLiteral(tenantId)}, ${sqlLiteral(source)}, 1)
   ON CONFLICT (tenant_id, source) DO UPDATE SET value = c.value + 1`;
}

/**
 * The tenant's data version: 0 before its first write, then the sequence
 * number of its latest audit event plus one.
 *
 * @example
 * ```ts
 * const v = await dataVersionOf(db, 'acme');
 * await repos.rules.create('acme', rule, 'key:ab12');
 * (await dataVersionOf(db, 'acme')) > v; // true
 * ```
 */
export async function dataVersionOf(db: Database, tenantId: string): Promise<number> {
  const { rows } = await db.withTenant(tenantId, (tx) =>
    tx.query<{ seq: number | string }>(HEAD.text, [tenantId], HEAD.options),
  );
  const head = rows[0];
  return head === undefined ? 0 : Number(head.seq) + 1;
}

/**
 * The version a cached answer of the tenant's data is kept under: the audit
 * chain's head (as {@link dataVersionOf}) and the sum of the write counters,
 * as `head.counted`. Moves with every committed write, audited or counted.
 *
 * @example
 * ```ts
 * const v = await cacheVersionOf(db, 'acme'); // '41.7'
 * ```
 */
export async function cacheVersionOf(db: Database, tenantId: string): Promise<string> {
  const { rows } = await db.withTenant(tenantId, (tx) =>
    tx.query<{ seq: number | string | null; counted: number | string }>(
      VERSION.text,
      [tenantId],
      VERSION.options,
    ),
  );
  const row = rows[0];
  const head = row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq) + 1;
  return `${head}.${String(row?.counted ?? 0)}`;
}
