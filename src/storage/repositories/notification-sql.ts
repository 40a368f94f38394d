/**
 * The SQL of notifications: events written with the change that causes
 * them, groups and their log, and the outbox (`docs/notifications.md`).
 */
import { ALERT_DOCUMENT_COLUMNS } from './alert-document.js';
import { prepared } from './statements.js';

/** The scheduler kind that routes events and flushes groups. */
export const NOTIFY_SCHEDULE = 'notify';
/** The scheduler kind that delivers the outbox. */
export const DELIVER_SCHEDULE = 'deliver';

/**
 * Whether an alert of rule `ruleExpr` in tenant `$1` can be notified at
 * all: the tenant has a routing tree, or the rule has channels. Read in the
 * transaction of the change, so a route created before it counts.
 */
export const routable = (ruleExpr: string): string =>
  `(EXISTS (SELECT 1 FROM routing_trees r WHERE r.tenant_id = $1 AND r.deleted_at IS NULL)
    OR EXISTS (SELECT 1 FROM alert_rules ar WHERE ar.tenant_id = $1 AND ar.id = ${ruleExpr}
                 AND ar.deleted_at IS NULL AND jsonb_array_length(ar.doc->'channelIds') > 0))`;

/**
 * Marks tenant `$1` due for routing now, when `source` (a CTE) has a row; a
 * tenant already due no later is left as it is (no new row version per ingest).
 */
const dueNow = (source: string): string =>
  `INSERT INTO scheduler_due (tenant_id, kind, due_at) SELECT $1, '${NOTIFY_SCHEDULE}', now() FROM ${source} LIMIT 1
   ON CONFLICT (tenant_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at
   WHERE scheduler_due.due_at > EXCLUDED.due_at`;

/**
 * @internal The ingest statement's events: its new and resolved rows
 * (CTEs `up` and, when `withResolved`, `res`), when routable.
 */
export const ingestEventsCte = (withResolved: boolean): string => `ev AS (
  INSERT INTO notification_events (tenant_id, alert_id, kind)
  SELECT $1, c.id, c.kind
    FROM (SELECT id, rule_id, kind FROM up WHERE kind = 'inserted'${
      withResolved ? `\n          UNION ALL SELECT id, rule_id, 'resolved' FROM res` : ''
    }) c
   WHERE ${routable('c.rule_id')}
  RETURNING 1
),
ev_due AS (
  ${dueNow('ev')}
  RETURNING 1
)
`;

/** @internal One event of one alert (`$2` id, `$3` kind, `$4` rule id), when routable. */
export const EVENT_INSERT = prepared(
  `WITH ev AS (
  INSERT INTO notification_events (tenant_id, alert_id, kind)
  SELECT $1, $2, $3 WHERE ${routable('$4')}
  RETURNING 1
)
${dueNow('ev')}`,
);

/** @internal Takes (deletes and returns) the tenant's oldest events. */
export const EVENTS_TAKE = prepared(
  `DELETE FROM notification_events e
    WHERE e.tenant_id = $1 AND e.seq IN (
      SELECT seq FROM notification_events WHERE tenant_id = $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
   RETURNING e.seq, e.alert_id, e.kind, e.created_at`,
);

/** @internal Alerts by id, with the columns their document is read with (`alert-document.ts`). */
export const ALERTS_BY_ID = prepared(
  `SELECT id, doc, ${ALERT_DOCUMENT_COLUMNS.join(', ')}, fingerprint AS fp FROM alerts WHERE tenant_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL`,
);

/** @internal The tenant's routing tree document, if any. */
export const ROUTING_TREE = prepared(
  `SELECT doc FROM routing_trees WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1`,
);

/** @internal Rules with channels, by id. */
export const RULE_CHANNELS = prepared(
  `SELECT id, doc->>'name' AS name, doc->'channelIds' AS channel_ids FROM alert_rules
    WHERE tenant_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL
      AND jsonb_array_length(doc->'channelIds') > 0`,
);

/** @internal Adds an alert to its group only if the group exists (a resolution). */
export const GROUP_JOIN_EXISTING = prepared(
  `UPDATE notification_groups SET members = members || $3::text
    WHERE tenant_id = $1 AND id = $2 AND NOT ($3::text = ANY(members))`,
);

/** @internal The tenant's groups due for a flush, locked. */
export const GROUPS_DUE = prepared(
  `SELECT id, route_key, receiver, group_key, group_labels, route, members, first_flush_at, next_flush_at
     FROM notification_groups
    WHERE tenant_id = $1 AND next_flush_at <= $2::timestamptz
    ORDER BY next_flush_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
);

/** @internal What was last notified for some groups. */
export const LOG_OF = prepared(
  `SELECT group_id, channel_id, firing, resolved, notified_at FROM notification_log
    WHERE tenant_id = $1 AND group_id = ANY($2::text[])`,
);

/** @internal When the tenant next needs routing, a flush or an escalation. */
export const NOTIFY_NEXT = prepared(
  `SELECT LEAST(
     (SELECT min(next_flush_at) FROM notification_groups WHERE tenant_id = $1),
     (SELECT min(due_at) FROM alert_escalations WHERE tenant_id = $1),
     (SELECT $2::timestamptz FROM notification_events WHERE tenant_id = $1 LIMIT 1)) AS due`,
);

/**
 * @internal Claims the tenant's due notifications: pending ones whose time
 * has come, and those whose sender's lease ran out (it crashed). The lease
 * becomes the next attempt time, so an unfinished claim comes back.
 */
export const OUTBOX_CLAIM = prepared(
  `UPDATE notifications n
      SET state = 'sending', lease_until = $3::timestamptz, next_attempt_at = $3::timestamptz,
          attempts = n.attempts + 1, updated_at = $2::timestamptz
    WHERE n.tenant_id = $1 AND n.id IN (
      SELECT id FROM notifications
       WHERE tenant_id = $1 AND state IN ('pending', 'sending') AND next_attempt_at <= $2::timestamptz
       ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
   RETURNING n.id, n.channel_id, n.action, n.payload, n.attempts, n.created_at`,
);

/** @internal When the tenant's outbox next needs a worker. */
export const OUTBOX_NEXT = prepared(
  `SELECT min(next_attempt_at) AS due FROM notifications
    WHERE tenant_id = $1 AND state IN ('pending', 'sending')`,
);

/** @internal Puts a notification back in line now (a retry asked for). */
export const OUTBOX_RETRY = prepared(
  `UPDATE notifications SET state = 'pending', next_attempt_at = $3::timestamptz, lease_until = NULL,
          updated_at = $3::timestamptz
    WHERE tenant_id = $1 AND id = $2 AND state IN ('dead', 'delivered', 'pending')
   RETURNING id`,
);

/** @internal Columns of a listed notification. */
export const OUTBOX_COLUMNS = `id, channel_id, group_id, receiver, action, state, alert_ids, payload, attempts,
  attempt_log, last_error, to_json(next_attempt_at) AS next_attempt_at, to_json(created_at) AS created_at,
  to_json(updated_at) AS updated_at, to_json(delivered_at) AS delivered_at`;

/** @internal Escalations due, locked. */
export const ESCALATIONS_DUE = prepared(
  `SELECT alert_id, step FROM alert_escalations
    WHERE tenant_id = $1 AND due_at <= $2::timestamptz ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
);

/** @internal Schedules an alert's next escalation step. */
export const ESCALATION_PUT = prepared(
  `INSERT INTO alert_escalations (tenant_id, alert_id, step, due_at) VALUES ($1, $2, $3, $4::timestamptz)
   ON CONFLICT (tenant_id, alert_id) DO UPDATE SET step = EXCLUDED.step, due_at = EXCLUDED.due_at`,
);

/** @internal Ends an alert's escalation. */
export const ESCALATION_DELETE = prepared(
  'DELETE FROM alert_escalations WHERE tenant_id = $1 AND alert_id = $2',
);

/** @internal What flushing needs of channels: type, enabled, send_resolved. */
export const CHANNELS_BY_ID = prepared(
  `SELECT id, doc->'config'->>'type' AS type, COALESCE((doc->>'enabled')::boolean, true) AS enabled,
          doc->'config'->'sendResolved' AS send_resolved
     FROM notification_channels WHERE tenant_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL`,
);

/** @internal The tenant's inhibition rules. */
export const INHIBIT_RULE_DOCS = prepared(
  'SELECT doc FROM inhibit_rules WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1000',
);

/**
 * @internal Adds alerts to their groups, creating groups, for a whole pass
 * (`$2`: one element per group, members merged). A group not yet flushed
 * flushes at the earlier of its time and the element's `flushAt`.
 */
export const GROUPS_JOIN = prepared(
  `INSERT INTO notification_groups AS g
     (tenant_id, id, route_key, receiver, group_key, group_labels, route, members, next_flush_at)
   SELECT $1, e->>'id', e->>'routeKey', e->>'receiver', e->>'groupKey', e->'groupLabels', e->'route',
          ARRAY(SELECT jsonb_array_elements_text(e->'members')), (e->>'flushAt')::timestamptz
     FROM jsonb_array_elements($2::jsonb) e
   ON CONFLICT (tenant_id, id) DO UPDATE SET
     members = g.members || ARRAY(SELECT m FROM unnest(EXCLUDED.members) m WHERE NOT (m = ANY(g.members))),
     route = EXCLUDED.route,
     next_flush_at = CASE WHEN g.first_flush_at IS NULL THEN LEAST(g.next_flush_at, EXCLUDED.next_flush_at)
                          ELSE g.next_flush_at END`,
);

/** @internal Records what was notified, for a whole pass (`$2`: `{g, c, f, r}`; `$3` the time). */
export const LOGS_PUT = prepared(
  `INSERT INTO notification_log (tenant_id, group_id, channel_id, firing, resolved, notified_at)
   SELECT $1, e->>'g', e->>'c', ARRAY(SELECT jsonb_array_elements_text(e->'f')),
          ARRAY(SELECT jsonb_array_elements_text(e->'r')), $3::timestamptz
     FROM jsonb_array_elements($2::jsonb) e
   ON CONFLICT (tenant_id, group_id, channel_id) DO UPDATE SET
     firing = EXCLUDED.firing, resolved = EXCLUDED.resolved, notified_at = EXCLUDED.notified_at`,
);

/** @internal Queues a pass's notifications (`$2`: `{id, channelId, groupId, receiver, action, alertIds, message}`). */
export const OUTBOX_INSERT_MANY = prepared(
  `INSERT INTO notifications (tenant_id, id, channel_id, group_id, receiver, action, state, alert_ids,
                              payload, next_attempt_at, created_at, updated_at)
   SELECT $1, e->>'id', e->>'channelId', e->>'groupId', e->>'receiver', e->>'action', 'pending',
          ARRAY(SELECT jsonb_array_elements_text(e->'alertIds')), e->'message',
          $3::timestamptz, $3::timestamptz, $3::timestamptz
     FROM jsonb_array_elements($2::jsonb) e`,
);

/** @internal After a pass's flushes: each group's members left and next flush (`$2`: `{id, members, next}`). */
export const GROUPS_FLUSHED = prepared(
  `UPDATE notification_groups g
      SET members = ARRAY(SELECT jsonb_array_elements_text(e->'members')),
          next_flush_at = (e->>'next')::timestamptz,
          first_flush_at = COALESCE(g.first_flush_at, $3::timestamptz)
     FROM jsonb_array_elements($2::jsonb) e
    WHERE g.tenant_id = $1 AND g.id = e->>'id'`,
);

/** @internal Groups with no alerts left. */
export const GROUPS_DELETE = prepared(
  'DELETE FROM notification_groups WHERE tenant_id = $1 AND id = ANY($2::text[])',
);

/**
 * @internal Records attempts' outcomes, each if its row is still that
 * attempt's (`$3`: `{id, n, state, next, attempt, error}`; `$2` the time).
 */
export const OUTBOX_SETTLE_MANY = prepared(
  `UPDATE notifications n
      SET state = e->>'state', next_attempt_at = COALESCE((e->>'next')::timestamptz, n.next_attempt_at),
          lease_until = NULL,
          attempt_log = CASE WHEN jsonb_array_length(n.attempt_log) >= 20 THEN (n.attempt_log - 0)
                             ELSE n.attempt_log END || jsonb_build_array(e->'attempt'),
          last_error = e->>'error', updated_at = $2::timestamptz,
          delivered_at = CASE WHEN e->>'state' = 'delivered' THEN $2::timestamptz ELSE n.delivered_at END
     FROM jsonb_array_elements($3::jsonb) e
    WHERE n.tenant_id = $1 AND n.id = e->>'id' AND n.attempts = (e->>'n')::int AND n.state = 'sending'
   RETURNING n.id`,
);
