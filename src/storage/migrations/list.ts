import type { Migration } from '../types.js';
import { migration0001 } from './0001-tenant-tables.js';
import { migration0002 } from './0002-alert-ingest.js';
import { migration0003 } from './0003-silences-inhibition.js';
import { migration0004 } from './0004-notifications.js';
import { migration0005 } from './0005-people-sessions.js';
import { migration0006 } from './0006-alert-series.js';
import { migration0007 } from './0007-audit-partitions.js';
import { migration0008 } from './0008-payload-archive.js';
import { migration0009 } from './0009-alert-list-indexes.js';
import { migration0010 } from './0010-series-notified.js';
import { migration0011 } from './0011-archive-body-text.js';
import { migration0012 } from './0012-write-counters.js';
import { migration0013 } from './0013-alert-statistics.js';

/** Every migration of alertbase, in the order they are applied. Append only. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
]);
