/**
 * `scheduler_due`: when each tenant next needs one of the service's
 * schedulers (silences, notifications, deliveries). A scheduler finds the
 * due tenants on the service's own connection, then acts inside each
 * tenant's transaction.
 */
import { prepared } from './statements.js';

/** @internal Sets a tenant's due time of a kind. */
export const DUE_SET = prepared(
  `INSERT INTO scheduler_due (tenant_id, kind, due_at) VALUES ($1, $2, $3::timestamptz)
   ON CONFLICT (tenant_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at`,
);

/**
 * @internal Moves a tenant's due time of a kind earlier (never later). A due
 * time already as early is left as it is, not written again: every write of
 * the row leaves a dead version behind (and PGlite never vacuums).
 */
export const DUE_SET_EARLIER = prepared(
  `INSERT INTO scheduler_due (tenant_id, kind, due_at) VALUES ($1, $2, $3::timestamptz)
   ON CONFLICT (tenant_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at
   WHERE scheduler_due.due_at > EXCLUDED.due_at`,
);

/**
 * @internal Locks a tenant's due time of a kind (when it is set), so that a
 * due time computed next is not written over one that a concurrent
 * transaction moved earlier (it waits, then its next statement sees that
 * transaction's rows).
 */
export const DUE_LOCK = prepared(
  'SELECT 1 FROM scheduler_due WHERE tenant_id = $1 AND kind = $2 FOR UPDATE',
);

/** @internal Clears a tenant's due time of a kind. */
export const DUE_CLEAR = prepared('DELETE FROM scheduler_due WHERE tenant_id = $1 AND kind = $2');

/** @internal The tenants due for a kind, earliest first. */
export const DUE_TENANTS = prepared(
  `SELECT tenant_id FROM scheduler_due WHERE kind = $1 AND due_at <= $2::timestamptz
    ORDER BY due_at LIMIT $3`,
);

/** @internal The earliest due time of a kind, over every tenant. */
export const DUE_FIRST = prepared('SELECT min(due_at) AS due FROM scheduler_due WHERE kind = $1');
