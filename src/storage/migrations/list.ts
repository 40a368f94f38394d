import type { Migration } from '../types.js';
import { migration0001 } from './0001-tenant-tables.js';
import { migration0002 } from './0002-alert-ingest.js';
import { migration0003 } from './0003-silences-inhibition.js';
import { migration0006 } from './0006-people-sessions.js';

/** Every migration of alertbase, in the order they are applied. Append only. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  migration0001,
  migration0002,
  migration0003,
  // BRANCH-LOCAL STAND-INS for 0004 and 0005, which other branches add at the same
  // time: ids must be 1, 2, 3, ... so 0006 needs them here until those are merged.
  // When merging, replace these two lines with the real migration0004 and migration0005.
  { id: 4, name: 'reserved-0004', sql: 'SELECT 1' },
  { id: 5, name: 'reserved-0005', sql: 'SELECT 1' },
  migration0006,
]);
