/**
 * A tenant's data version: the head of its audit chain. Every write of a
 * tenant's data appends its audit event in the write's own transaction,
 * under the tenant's audit lock, so the chain's head moves with every
 * committed write and with nothing else: a value cached under the version it
 * was read at is never served after a later write committed, whichever
 * instance made the write. Costs one primary-key read.
 */
import type { Database } from '../types.js';
import { AUDIT_HEAD_SQL } from './audit-log.js';
import { prepared } from './statements.js';

const HEAD = prepared(AUDIT_HEAD_SQL);

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
