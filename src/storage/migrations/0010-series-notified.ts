import type { Migration } from '../types.js';

/**
 * `notified` points in `alert_series`: each notification delivered to a
 * channel records one point per alert it carried (see `series/types.ts`).
 * Only the kind check changes. Frozen once released.
 */
export const migration0010: Migration = {
  id: 10,
  name: 'series-notified',
  sql: `-- alertbase 0010: notified points in the alert time series.
ALTER TABLE alert_series DROP CONSTRAINT alert_series_kind_check;
ALTER TABLE alert_series ADD CONSTRAINT alert_series_kind_check
  CHECK (kind IN ('created', 'acknowledged', 'resolved', 'status', 'heartbeat', 'notified'));
`,
};
