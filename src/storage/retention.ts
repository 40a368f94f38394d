/**
 * Retention: a tenant's closed alerts (resolved or expired) that ended, and
 * alerts deleted, before a cut-off are removed for good, with the rows that
 * hang off them (escalation state) and delivered or abandoned notifications
 * older than the cut-off. Removed in batches of bounded size, each batch its
 * own transaction (no long lock, no huge WAL burst), the whole pass bounded
 * by `maxRows`; one audit entry per pass that removed anything. The audit
 * trail itself is kept: it is the record, and its chain would break.
 * Archived ingest payloads (`archive`) older than their own cut-off go in
 * the same pass, in batches of the same size, from whichever engine keeps
 * them. So do the tenant's points of `alert_series` (the PostgreSQL store of
 * the alert time series) older than the cut-off: the same days InfluxDB's
 * retention policy of the tenant's tier keeps.
 */
import type { PayloadArchive } from './archive/types.js';
import { type AuditKeys, appendAudit } from './repositories/audit-log.js';
import { SERIES_KINDS } from './series/types.js';
import type { Database } from './types.js';

/** Options of {@link purgeExpired}. */
export interface RetentionOptions {
  /** Rows removed per transaction (default 1,000). */
  readonly batchSize?: number;
  /** Rows removed at most in one pass; the next pass goes on (default 50,000). */
  readonly maxRows?: number;
  /** The keys that seal the audit entry (the repositories' `auditKeys`). */
  readonly keys?: AuditKeys | undefined;
  /** The payload archive, and the cut-off of its entries (received before it are removed). */
  readonly archive?: { readonly store: PayloadArchive; readonly cutoff: Date } | undefined;
}

/** What one pass removed. */
export interface RetentionResult {
  readonly alerts: number;
  readonly notifications: number;
  /** Points of the alert time series in PostgreSQL (`alert_series`). */
  readonly series: number;
  /** Archived ingest payloads. */
  readonly payloads: number;
  /** Whether rows older than the cut-off remain (the pass reached `maxRows`). */
  readonly more: boolean;
}

const PURGE_ALERTS = `WITH doomed AS (
    SELECT id FROM alerts
     WHERE tenant_id = $1
       AND ((status IN ('resolved', 'expired') AND COALESCE(ends_at, updated_at) < $2::timestamptz)
            OR deleted_at < $2::timestamptz)
     LIMIT $3
  ),
  escalations AS (
    DELETE FROM alert_escalations e USING doomed d
     WHERE e.tenant_id = $1 AND e.alert_id = d.id
  )
  DELETE FROM alerts a USING doomed d WHERE a.tenant_id = $1 AND a.id = d.id`;

const PURGE_NOTIFICATIONS = `DELETE FROM notifications
   WHERE tenant_id = $1 AND id IN (
     SELECT id FROM notifications
      WHERE tenant_id = $1 AND state IN ('delivered', 'dead')
        AND updated_at < $2::timestamptz
      LIMIT $3)`;

/**
 * The points of the tenant's series before the cut-off; one index range
 * (`tenant_id, kind, at`) per kind, so the scan reads only doomed points.
 */
const PURGE_SERIES = `DELETE FROM alert_series
   WHERE tenant_id = $1 AND seq IN (
     SELECT seq FROM alert_series
      WHERE tenant_id = $1 AND kind IN (${SERIES_KINDS.map((kind) => `'${kind}'`).join(', ')})
        AND at < $2::timestamptz
      LIMIT $3)`;

/**
 * Removes what `tenantId` holds past `cutoff` (see the module comment).
 * @returns the rows removed per table.
 */
export async function purgeExpired(
  db: Database,
  tenantId: string,
  cutoff: Date,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? 1_000;
  const maxRows = options.maxRows ?? 50_000;
  let alerts = 0;
  let notifications = 0;
  let series = 0;
  let more = false;
  const removedSoFar = () => alerts + notifications + series;
  for (const [sql, add] of [
    [PURGE_ALERTS, (n: number) => (alerts += n)],
    [PURGE_NOTIFICATIONS, (n: number) => (notifications += n)],
    [PURGE_SERIES, (n: number) => (series += n)],
  ] as const) {
    for (;;) {
      if (removedSoFar() >= maxRows) {
        more = true;
        break;
      }
      const limit = Math.min(batchSize, maxRows - removedSoFar());
      const removed = await db.withTenant(tenantId, async (tx) => {
        const { rowCount } = await tx.query(sql, [tenantId, cutoff, limit]);
        return rowCount ?? 0;
      });
      add(removed);
      if (removed < limit) break;
    }
  }
  let payloads = 0;
  const archive = options.archive;
  while (archive !== undefined) {
    if (removedSoFar() + payloads >= maxRows) {
      more = true;
      break;
    }
    const limit = Math.min(batchSize, maxRows - removedSoFar() - payloads);
    const removed = await archive.store.purge(tenantId, archive.cutoff, limit);
    payloads += removed;
    if (removed < limit) break;
  }
  if (removedSoFar() + payloads > 0) {
    await db.withTenant(tenantId, (tx) =>
      appendAudit(
        tx,
        tenantId,
        {
          actor: 'system:retention',
          action: 'purge',
          entityType: 'retention',
          entityId: tenantId,
          before: null,
          after: null,
          details: {
            alerts,
            notifications,
            series,
            payloads,
            cutoff: cutoff.toISOString(),
            ...(archive === undefined ? {} : { archiveCutoff: archive.cutoff.toISOString() }),
          },
        },
        new Date(),
        options.keys,
      ),
    );
  }
  return { alerts, notifications, series, payloads, more };
}
