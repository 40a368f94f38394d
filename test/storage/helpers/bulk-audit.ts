import { AuditAction as AuditActions } from '../../../src/domain/audit-event.js';
import { auditPartitionOf, type Database } from '../../../src/storage/index.js';
import {
  type AuditAction,
  appendAuditMany,
  type TimedAuditEntry,
} from '../../../src/storage/repositories/audit-log.js';

/** What {@link fillAuditEvents} writes. */
export interface BulkAudit {
  readonly tenantId: string;
  readonly rows: number;
  /** The time of the first entry written; entry `n` (from 0) is at `from + n × stepMs`. */
  readonly from: Date;
  readonly stepMs: number;
}

/** Entries per transaction: a bounded transaction, whatever the total. */
const CHUNK = 2_500;

/** Entity types of the entries, in turn. */
const ENTITY_TYPES = ['Alert', 'AlertRule', 'Silence', 'Channel', 'ApiKey'];
const ACTIONS: readonly AuditAction[] = AuditActions.options;

/**
 * Entry `n` of the fill (from 0): actor `user:u(n%20)`, action the `n`th of
 * the actions in turn, entity type `ENTITY_TYPES[n%5]`, entity id
 * `e(n%500)`.
 */
function entryOf(n: number, at: Date): TimedAuditEntry {
  return {
    at,
    entry: {
      actor: `user:u${n % 20}`,
      action: ACTIONS[n % ACTIONS.length] as AuditAction,
      entityType: ENTITY_TYPES[n % ENTITY_TYPES.length] as string,
      entityId: `e${n % 500}`,
      before: null,
      after: null,
      details: { n },
    },
  };
}

/**
 * Creates, as the owner, the monthly partitions of `audit_events` from the
 * month of `from` to that of `to` when missing (`alertbase_audit_partition`).
 * @returns their names.
 */
export async function createAuditPartitions(db: Database, from: Date, to: Date): Promise<string[]> {
  const names: string[] = [];
  for (let month = auditPartitionOf(from); month.from <= to; month = auditPartitionOf(month.to)) {
    await db.transaction((tx) =>
      tx.query('SELECT alertbase_audit_partition($1::timestamptz)', [month.from]),
    );
    names.push(month.name);
  }
  return names;
}

/**
 * Audit events of one tenant appended to its chain as the repositories
 * append them (`appendAuditMany`: the tenant's lock, the head, hashed
 * entries, one insert per chunk), so the chain still verifies, at the given
 * times: the monthly partitions of those times are created first (as the
 * owner, `alertbase_audit_partition`), so every row lands in its month's
 * partition and none in DEFAULT. The entries' times are what `from` and
 * `stepMs` say, whatever the times of the entries already in the chain.
 */
export async function fillAuditEvents(db: Database, spec: BulkAudit): Promise<void> {
  const at = (n: number): Date => new Date(spec.from.getTime() + n * spec.stepMs);
  await createAuditPartitions(db, at(0), at(spec.rows - 1));
  for (let done = 0; done < spec.rows; done += CHUNK) {
    const entries = Array.from({ length: Math.min(CHUNK, spec.rows - done) }, (_, k) =>
      entryOf(done + k, at(done + k)),
    );
    await db.withTenant(spec.tenantId, (tx) => appendAuditMany(tx, spec.tenantId, entries));
  }
}
