import type { AlertbaseMetrics } from './metrics.js';

/** What {@link observeDatabase} needs of a database (alertbase's `Database` has it). */
export interface ObservableDatabase {
  readonly engine: string;
  onQuery(
    listener: (event: {
      readonly sql: string;
      readonly name: string | undefined;
      readonly durationMs: number;
    }) => void,
  ): () => void;
  poolStats?():
    | { readonly size: number; readonly inUse: number; readonly waiting: number }
    | Promise<{ readonly size: number; readonly inUse: number; readonly waiting: number }>;
  query(sql: string): Promise<unknown>;
}

/** The SQL verbs a statement without a name is labelled by; anything else is `other`. */
const VERBS: ReadonlySet<string> = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'with',
  'begin',
  'commit',
  'rollback',
  'set',
  'listen',
  'notify',
]);

/**
 * The `statement` label of a query: its prepared-statement name, or else
 * its leading SQL verb (a bounded set), never the SQL text.
 */
export function statementLabel(sql: string, name: string | undefined): string {
  if (name !== undefined) return name;
  const verb = /^\s*([a-z]+)/i.exec(sql.slice(0, 64))?.[1]?.toLowerCase() ?? '';
  return VERBS.has(verb) ? verb : 'other';
}

/** How long the `alertbase_database_up` probe waits, ms. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Records every statement of `db` (duration by statement and engine), its
 * pool (`alertbase_db_pool_connections{state}`, `alertbase_db_pool_waiting`)
 * and, at each scrape, whether it answers (`alertbase_database_up`, one
 * `SELECT 1` bounded by 2 s). Returns the function that stops recording
 * statements.
 *
 * @example
 * ```ts
 * const stop = observeDatabase(db, metrics);
 * ```
 */
export function observeDatabase(db: ObservableDatabase, metrics: AlertbaseMetrics): () => void {
  const engine = db.engine;
  metrics.gauge(
    'alertbase_db_pool_connections',
    'Connections of the database pool, by state (in_use, idle).',
    ['engine', 'state'],
    async (set) => {
      const stats = await db.poolStats?.();
      if (stats === undefined) return;
      set({ engine, state: 'in_use' }, stats.inUse);
      set({ engine, state: 'idle' }, Math.max(stats.size - stats.inUse, 0));
    },
  );
  metrics.gauge(
    'alertbase_db_pool_waiting',
    'Statements and transactions waiting for a database connection.',
    ['engine'],
    async (set) => {
      const stats = await db.poolStats?.();
      if (stats !== undefined) set({ engine }, stats.waiting);
    },
  );
  metrics.gauge(
    'alertbase_database_up',
    'Whether the database answered SELECT 1 within 2 s at this scrape (1) or not (0).',
    ['engine'],
    async (set) => set({ engine }, (await probe(db, PROBE_TIMEOUT_MS)) ? 1 : 0),
  );
  return db.onQuery((event) => {
    metrics.query(statementLabel(event.sql, event.name), engine, event.durationMs / 1000);
  });
}

/** Whether `SELECT 1` answers within `timeoutMs`. */
export async function probe(
  db: Pick<ObservableDatabase, 'query'>,
  timeoutMs: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  // The query's failure is an answer too, even after the timeout won the race
  // (left unhandled, it was an unhandled rejection).
  const answered = db.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
