/**
 * A tenant's unresolved alerts, as few columns as an Alertmanager-style
 * view needs: what `GET /api/v2/alerts` lists and what inhibition reads
 * its sources from. An alert is unresolved while its status is open and
 * its `endsAt` has not passed (Alertmanager hides an alert whose `endsAt`
 * has passed even before anything resolves it).
 */
import type { Database, TransactionClient } from '../types.js';
import { prepared } from './statements.js';

/** One unresolved alert. */
export type OpenAlertView = {
  readonly id: string;
  readonly fingerprint: string;
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly starts_at: Date;
  readonly ends_at: Date | null;
  readonly last_received_at: Date;
  readonly generator_url: string | null;
};

const OPEN = prepared(
  `SELECT id, fingerprint, status, labels, annotations, starts_at, ends_at, last_received_at,
          doc->>'generatorURL' AS generator_url
     FROM alerts
    WHERE tenant_id = $1 AND status IN ('firing', 'acknowledged', 'suppressed')
      AND deleted_at IS NULL AND (ends_at IS NULL OR ends_at >= $2::timestamptz)
    ORDER BY fingerprint`,
);

/** The tenant's unresolved alerts at `at`, by fingerprint. */
export async function readOpenAlerts(
  db: Database,
  tenantId: string,
  at: Date,
): Promise<OpenAlertView[]> {
  return db.withTenant(tenantId, (tx) => readOpenAlertsIn(tx, tenantId, at));
}

/** The tenant's unresolved alerts at `at`, in the caller's transaction. */
export async function readOpenAlertsIn(
  tx: TransactionClient,
  tenantId: string,
  at: Date,
): Promise<OpenAlertView[]> {
  const { rows } = await tx.query<OpenAlertView>(OPEN.text, [tenantId, at], OPEN.options);
  return rows;
}
