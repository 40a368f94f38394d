/**
 * Silences acting on stored alerts: one pass over a tenant's open alerts
 * that suppresses those an active silence matches and un-suppresses those
 * no active silence matches any more, as two statements whatever their
 * number, with one audit event (`transition`) per alert changed, naming the
 * silences. Run in the transaction that changes a silence, and by the
 * scheduler when a silence starts or ends. Each status change is also a
 * `status` point of the alert time series, handed back for the caller to
 * record once its transaction has committed.
 */
import { isoString } from '../../base/utils/iso-time.js';
import type { SeriesPoint } from '../series/types.js';
import type { TransactionClient } from '../types.js';
import { notifyAlertChanges } from './alert-changes.js';
import { type AuditKeys, appendAuditMany, auditLockOf, type TimedAuditEntry } from './audit-log.js';
import type { TenantSilences } from './silence-index.js';
import { prepared } from './statements.js';
import type { ActorId } from './types.js';

/** The actor of changes made by silences (audit, `updatedBy`). */
export const SILENCER_ACTOR: ActorId = 'system:silencer';

const LOCK = prepared('SELECT pg_advisory_xact_lock(hashtext($1))');

const OPEN_ALERTS = prepared(
  `SELECT id, labels, status, level, rule_id, doc->'silencedBy' AS silenced_by,
          doc->>'previousStatus' AS previous
     FROM alerts
    WHERE tenant_id = $1 AND status IN ('firing', 'acknowledged', 'suppressed') AND deleted_at IS NULL`,
);

/**
 * `$2`: `[{i: id, s: status, p: previous status or null, b: silence ids}]`.
 * Times and versions move as for any change of the alert.
 */
const APPLY = prepared(
  `UPDATE alerts a
      SET status = c->>'s', version = a.version + 1, updated_at = $3::timestamptz,
          doc = a.doc || jsonb_build_object('status', c->>'s', 'previousStatus', c->'p',
                'silencedBy', c->'b', 'version', a.version + 1, 'updatedAt', $4::text)
     FROM jsonb_array_elements($2::jsonb) AS c
    WHERE a.tenant_id = $1 AND a.id = c->>'i'
   RETURNING a.id, a.version`,
);

type OpenAlertRow = {
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly status: string;
  readonly level: string;
  readonly rule_id: string | null;
  readonly silenced_by: string[] | null;
  readonly previous: string | null;
};

/** What a pass changed. */
export interface SuppressionResult {
  readonly suppressed: number;
  readonly unsuppressed: number;
  /** Alerts still suppressed whose list of silences changed. */
  readonly relisted: number;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Brings the tenant's open alerts in line with its silences at `now`
 * (see the module comment). Takes the tenant's audit lock first, so that
 * it and ingest (which holds the same lock) see each other's rows.
 *
 * @param points receives a `status` point per alert whose status changed.
 */
export async function applySilences(
  tx: TransactionClient,
  tenantId: string,
  silences: TenantSilences,
  now: Date,
  auditKeys?: AuditKeys,
  points?: SeriesPoint[],
): Promise<SuppressionResult> {
  await tx.query(LOCK.text, [auditLockOf(tenantId)], LOCK.options);
  const { rows } = await tx.query<OpenAlertRow>(OPEN_ALERTS.text, [tenantId], OPEN_ALERTS.options);
  const at = now.getTime();
  const changes: { i: string; s: string; p: string | null; b: string[] }[] = [];
  const audits: TimedAuditEntry[] = [];
  const result = { suppressed: 0, unsuppressed: 0, relisted: 0 };
  for (const row of rows) {
    const current = row.silenced_by ?? [];
    const wanted = silences.empty ? [] : silences.silencedBy(row.labels, at);
    if (row.status !== 'suppressed') {
      if (wanted.length === 0) continue;
      changes.push({ i: row.id, s: 'suppressed', p: row.status, b: wanted });
      audits.push(entry(row.id, 'suppress', row.status, 'suppressed', wanted, now));
      points?.push(statusPoint(tenantId, row, 'suppressed', at));
      result.suppressed++;
    } else if (wanted.length === 0) {
      // Suppressed by hand (no silence listed): not the silences' to undo.
      if (current.length === 0) continue;
      const to = row.previous === 'acknowledged' ? 'acknowledged' : 'firing';
      changes.push({ i: row.id, s: to, p: null, b: [] });
      audits.push(entry(row.id, 'unsuppress', 'suppressed', to, current, now));
      points?.push(statusPoint(tenantId, row, to, at));
      result.unsuppressed++;
    } else if (!sameList(current, wanted)) {
      changes.push({ i: row.id, s: 'suppressed', p: row.previous, b: wanted });
      result.relisted++;
    }
  }
  if (changes.length > 0) {
    const { rows: applied } = await tx.query<{ id: string; version: number }>(
      APPLY.text,
      [tenantId, JSON.stringify(changes), now, isoString(now)],
      APPLY.options,
    );
    // The status of these alerts changed: no instance may answer their resends from memory.
    notifyAlertChanges(
      tx,
      tenantId,
      applied.map((r) => [r.id, r.version] as const),
    );
    await appendAuditMany(tx, tenantId, audits, undefined, auditKeys);
  }
  return result;
}

function statusPoint(tenantId: string, row: OpenAlertRow, status: string, at: number): SeriesPoint {
  return {
    kind: 'status',
    tenantId,
    time: at,
    rule: row.rule_id,
    alertname: Object.hasOwn(row.labels, 'alertname') ? (row.labels.alertname ?? null) : null,
    severity: row.level,
    status,
    count: 1,
    durationMs: null,
  };
}

function entry(
  id: string,
  action: 'suppress' | 'unsuppress',
  from: string,
  to: string,
  silences: readonly string[],
  at: Date,
): TimedAuditEntry {
  return {
    entry: {
      actor: SILENCER_ACTOR,
      action: 'transition',
      entityType: 'Alert',
      entityId: id,
      before: null,
      after: null,
      details: { action, from, to, silences: silences.join(',').slice(0, 4_096) },
    },
    at,
  };
}
