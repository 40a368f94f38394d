import type { Migration } from '../types.js';

/**
 * No planner statistics for `alerts.doc` and `alerts.annotations`: no
 * statement filters, joins or sorts on either column (a read of `doc->>'x'`
 * is an expression, which column statistics do not describe), yet `ANALYZE
 * alerts` sorted a sample of up to 30,000 values of each, the document about
 * 800 bytes. The maintenance pass analyzes `alerts` after large writes, and
 * PGlite holds its only connection for the whole `ANALYZE`. Measured
 * alternately with and without the two columns' statistics: 324-397 against
 * 224-233 ms on PGlite (40,000 new alerts), 759-781 against 506-572 ms on the
 * PostgreSQL server (42,600 alerts after the Prometheus workload). The
 * columns the API filters and sorts on (`labels`, the status and times) keep
 * theirs.
 */
export const migration0013: Migration = {
  id: 13,
  name: 'alert-statistics',
  sql: `-- alertbase 0013: no planner statistics for the alert's document and annotations.
ALTER TABLE alerts
  ALTER COLUMN doc SET STATISTICS 0,
  ALTER COLUMN annotations SET STATISTICS 0;
`,
};
