/**
 * The retention scheduler: every `tickMs` (default an hour; the first pass a
 * minute after start), each tenant's closed alerts and finished
 * notifications and its points of the alert time series in PostgreSQL older
 * than its tier's `retentionDays` (or its `settings.quotas.retentionDays`)
 * are removed (`purgeExpired`, audited),
 * and so are its archived ingest payloads older than the same number of
 * days, or `ARCHIVE_RETENTION_DAYS` when that is shorter; then the audit
 * trail: the partitions of the coming months are created, each tenant's
 * chain is cut at its cut-off, and past months' partitions holding only cut
 * entries are dropped (`purgeExpiredAudit`).
 * Several instances may all run it: removals are idempotent, and each
 * instance audits what it removed.
 */

import type { Tenant } from '../domain/tenant.js';
import { quotasOf } from '../domain/tenant.js';
import type { PayloadArchive } from '../storage/archive/types.js';
import { ensureAuditPartitions } from '../storage/audit-partitions.js';
import { type AuditRetentionResult, purgeExpiredAudit } from '../storage/audit-retention.js';
import type { AuditKeys } from '../storage/repositories/audit-log.js';
import { purgeExpired, type RetentionResult } from '../storage/retention.js';
import type { Database } from '../storage/types.js';

const DAY_MS = 86_400_000;

/** Options of {@link startRetentionScheduler}. */
export interface RetentionSchedulerOptions {
  /** Time between two passes, ms (default an hour). */
  readonly tickMs?: number;
  /** Time before the first pass, ms (default a minute). */
  readonly firstMs?: number;
  /** The clock (tests). */
  readonly now?: () => Date;
  /** The keys that seal the audit entries (the repositories' `auditKeys`). */
  readonly keys?: AuditKeys | undefined;
  /** The payload archive whose old entries go too. */
  readonly archive?: PayloadArchive | undefined;
  /** Days archived payloads are kept at most (`ARCHIVE_RETENTION_DAYS`); the tier's when shorter or unset. */
  readonly archiveRetentionDays?: number | undefined;
  /** Told of each tenant a pass removed rows of. */
  readonly onPurge?: (tenantId: string, result: RetentionResult) => void;
  /** Told of a pass that cut audit chains, dropped partitions or deleted audit rows. */
  readonly onAuditPurge?: (result: AuditRetentionResult) => void;
  /** Told of a pass that failed (the loop goes on). */
  readonly onError?: (err: unknown) => void;
}

/** Where tenants are read. */
export interface RetentionTenants {
  find(id: string): Promise<Tenant | undefined>;
}

/**
 * One pass over every tenant. The tenant list is read on the service's own
 * connection (as the other schedulers read what is due), each purge inside
 * the tenant's transactions.
 */
export async function runRetentionPass(
  db: Database,
  tenants: RetentionTenants,
  options: Pick<
    RetentionSchedulerOptions,
    'now' | 'onPurge' | 'onAuditPurge' | 'keys' | 'archive' | 'archiveRetentionDays'
  > = {},
): Promise<Map<string, RetentionResult>> {
  const now = (options.now ?? (() => new Date()))();
  const { rows } = await db.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM tenants ORDER BY tenant_id',
  );
  const results = new Map<string, RetentionResult>();
  const cutoffs = new Map<string, Date>();
  for (const { tenant_id: id } of rows) {
    const tenant = await tenants.find(id);
    if (tenant === undefined) continue;
    const days = quotasOf(tenant).retentionDays;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    cutoffs.set(id, cutoff);
    const archiveDays = Math.min(days, options.archiveRetentionDays ?? days);
    const archive =
      options.archive === undefined
        ? undefined
        : { store: options.archive, cutoff: new Date(now.getTime() - archiveDays * DAY_MS) };
    const result = await purgeExpired(db, id, cutoff, { keys: options.keys, archive });
    results.set(id, result);
    if (result.alerts + result.notifications + result.series + result.payloads > 0) {
      options.onPurge?.(id, result);
    }
  }
  await ensureAuditPartitions(db, now);
  const audit = await purgeExpiredAudit(db, cutoffs, { keys: options.keys, now });
  if (audit.cuts.size + audit.partitionsDropped.length + audit.rowsDeleted > 0) {
    options.onAuditPurge?.(audit);
  }
  return results;
}

/** A running scheduler. */
export interface RetentionScheduler {
  /** Ends the loop after the pass in progress. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the loop; its timer does not keep the process alive. */
export function startRetentionScheduler(
  db: Database,
  tenants: RetentionTenants,
  options: RetentionSchedulerOptions = {},
): RetentionScheduler {
  const tickMs = options.tickMs ?? 3_600_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const schedule = (ms: number): void => {
    timer = setTimeout(run, ms);
    timer.unref();
  };
  const run = (): void => {
    pass = (async () => {
      try {
        await runRetentionPass(db, tenants, options);
      } catch (err) {
        options.onError?.(err);
      }
      if (!stopped) schedule(tickMs);
    })();
  };
  schedule(options.firstMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await pass;
    },
  };
}
