/**
 * Retention of the audit trail. Partitions are shared by every tenant while
 * retention is per tenant, so a pass goes in three steps:
 *
 * 1. Cut: for each tenant, the first entry of its chain (by position) that
 *    is not past its cut-off becomes the chain's new start; a sealed cut
 *    (`audit_cuts`) keeps the hash of the entry before it, and one audit
 *    entry records the cut. Every entry before the cut is past the cut-off,
 *    and the newest entry is never cut, so the chain stays verifiable from
 *    the cut and its next append links to its head.
 * 2. Drop: a past month's partition in which every row is before its
 *    tenant's cut is dropped whole (see `dropAuditPartitionIfCut`).
 * 3. Delete: what is left before each tenant's cut, in partitions that are
 *    kept for other tenants, is deleted row by row, in bounded batches.
 */
import {
  dropAuditPartitionIfCut,
  listAuditPartitions,
  ownsAuditTrail,
  seesAllTenants,
} from './audit-partitions.js';
import { latestAuditCut, writeAuditCut } from './repositories/audit-cut.js';
import {
  AUDIT_HEAD_SQL,
  type AuditKeys,
  appendAudit,
  auditLockOf,
} from './repositories/audit-log.js';
import type { Database } from './types.js';

/** Options of {@link purgeExpiredAudit}. */
export interface AuditRetentionOptions {
  /** Rows deleted per transaction (default 1,000). */
  readonly batchSize?: number;
  /** Rows deleted one by one at most in one pass; the next pass goes on (default 50,000). */
  readonly maxRows?: number;
  /** The keys that seal the cuts and the audit entries (the repositories' `auditKeys`). */
  readonly keys?: AuditKeys | undefined;
  /** The time of the cuts (default now). */
  readonly now?: Date;
}

/** What one pass did. */
export interface AuditRetentionResult {
  /** Tenants whose chain this pass cut, with the first position kept. */
  readonly cuts: ReadonlyMap<string, number>;
  /** Partitions dropped whole. */
  readonly partitionsDropped: readonly string[];
  /** Rows deleted one by one. */
  readonly rowsDeleted: number;
  /** Whether rows before a cut remain (the pass reached `maxRows`). */
  readonly more: boolean;
}

const FIRST_KEPT = `SELECT seq FROM audit_events
  WHERE tenant_id = $1 AND seq >= $2 AND created_at >= $3::timestamptz ORDER BY seq LIMIT 1`;
const HASH_AT = 'SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2';
const DELETE_BEFORE = `DELETE FROM audit_events
  WHERE tenant_id = $1 AND (seq, created_at) IN (
    SELECT seq, created_at FROM audit_events WHERE tenant_id = $1 AND seq < $2 LIMIT $3)`;

/**
 * Moves the tenant's chain start to its first entry at or after `cutoff`
 * (never past its newest entry), sealing a cut and recording it in the
 * chain. Under the tenant's audit lock, so no append runs in between.
 * @returns the new start, or `undefined` when nothing was cut.
 */
export async function cutAuditChain(
  db: Database,
  tenantId: string,
  cutoff: Date,
  options: Pick<AuditRetentionOptions, 'keys' | 'now'> = {},
): Promise<number | undefined> {
  const now = options.now ?? new Date();
  return db.withTenant(
    tenantId,
    async (tx) => {
      const from = (await latestAuditCut(tx, tenantId))?.seq ?? 0;
      const head = (await tx.query<{ seq: number | string }>(AUDIT_HEAD_SQL, [tenantId])).rows[0];
      if (head === undefined) return undefined;
      const headSeq = Number(head.seq);
      const first = (await tx.query<{ seq: number | string }>(FIRST_KEPT, [tenantId, from, cutoff]))
        .rows[0];
      const keep = Math.min(first === undefined ? headSeq : Number(first.seq), headSeq);
      if (keep <= from) return undefined;
      const prev = (await tx.query<{ hash: string }>(HASH_AT, [tenantId, keep - 1])).rows[0];
      // A gap where the entry before the cut should be: the chain is already
      // broken there, and a cut would hide it. Left for verification to report.
      if (prev === undefined) return undefined;
      await writeAuditCut(tx, tenantId, { seq: keep, prevHash: prev.hash, at: now }, options.keys);
      await appendAudit(
        tx,
        tenantId,
        {
          actor: 'system:retention',
          action: 'purge',
          entityType: 'audit_events',
          entityId: tenantId,
          before: null,
          after: null,
          details: { before: keep, cutoff: cutoff.toISOString() },
        },
        now,
        options.keys,
      );
      return keep;
    },
    { advisoryLock: auditLockOf(tenantId) },
  );
}

/** Deletes up to `limit` of the tenant's rows before position `before`, as the owner. */
async function deleteBefore(
  db: Database,
  tenantId: string,
  before: number,
  limit: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    // The owner is subject to the parent's policies too (FORCE): it acts as the tenant.
    await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const { rowCount } = await tx.query(DELETE_BEFORE, [tenantId, before, limit]);
    return rowCount ?? 0;
  });
}

/**
 * One retention pass over the audit trail (see the module comment), for
 * the tenants of `cutoffs` (a tenant missing there keeps everything, and
 * keeps every partition it has rows in). Does nothing on a connection that
 * does not own `audit_events`; partitions are dropped only on one whose role
 * sees every tenant's rows.
 */
export async function purgeExpiredAudit(
  db: Database,
  cutoffs: ReadonlyMap<string, Date>,
  options: AuditRetentionOptions = {},
): Promise<AuditRetentionResult> {
  const batchSize = options.batchSize ?? 1_000;
  const maxRows = options.maxRows ?? 50_000;
  const cuts = new Map<string, number>();
  // Only the owner can remove audit rows: another role cuts nothing it could not remove.
  if (!(await ownsAuditTrail(db))) {
    return { cuts, partitionsDropped: [], rowsDeleted: 0, more: false };
  }
  const starts = new Map<string, number>();
  for (const [tenantId, cutoff] of cutoffs) {
    const keep = await cutAuditChain(db, tenantId, cutoff, options);
    if (keep !== undefined) cuts.set(tenantId, keep);
    const start = await db.withTenant(tenantId, (tx) => latestAuditCut(tx, tenantId));
    if (start !== undefined) starts.set(tenantId, start.seq);
  }

  const partitionsDropped: string[] = [];
  const newestCutoff = Math.max(...[...cutoffs.values()].map((d) => d.getTime()));
  if (cutoffs.size > 0 && (await seesAllTenants(db))) {
    for (const partition of await listAuditPartitions(db)) {
      if (partition.to.getTime() > newestCutoff) break;
      if (await dropAuditPartitionIfCut(db, partition)) partitionsDropped.push(partition.name);
    }
  }

  let rowsDeleted = 0;
  let more = false;
  for (const [tenantId, before] of starts) {
    for (;;) {
      if (rowsDeleted >= maxRows) {
        more = true;
        break;
      }
      const limit = Math.min(batchSize, maxRows - rowsDeleted);
      const removed = await deleteBefore(db, tenantId, before, limit);
      rowsDeleted += removed;
      if (removed < limit) break;
    }
    if (more) break;
  }
  return { cuts, partitionsDropped, rowsDeleted, more };
}
