/**
 * The readiness check of a store written behind the answer (the time series,
 * the payload archive): `warn`, never `fail`, since neither is needed to
 * serve — when the store does not answer a ping within the timeout, or its
 * writes are failing; the output says what is buffered and dropped.
 */
import type { NamedCheck } from '../observability/index.js';
import type { BufferedWriterStats } from '../storage/buffered-writer.js';

/** What {@link writeBehindCheck} looks at. */
export interface WriteBehindCheckOptions {
  /** The check's key in `/health/ready` (`timeseries:responseTime`). */
  readonly key: string;
  /** The store, as the output names it (`InfluxDB at host:8086`). */
  readonly where: string;
  /** What the writer buffers, for the output (`points`, `payloads`). */
  readonly items: string;
  readonly ping: () => Promise<void>;
  readonly stats: () => BufferedWriterStats;
  readonly now: () => Date;
  readonly timeoutMs: number;
}

/** Pings the store (bounded by `timeoutMs`) and reads its writer's failures. */
export async function writeBehindCheck(options: WriteBehindCheckOptions): Promise<NamedCheck> {
  const { where, timeoutMs } = options;
  const started = performance.now();
  let problem: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      options.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    problem = `${where} does not answer (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    clearTimeout(timer);
  }
  const stats = options.stats();
  if (problem === undefined && stats.failures > 0) {
    problem = `writes to ${where} are failing (${stats.failures} in a row)`;
  }
  const ms = Math.round((performance.now() - started) * 1000) / 1000;
  return {
    key: options.key,
    critical: false,
    check: {
      componentType: 'datastore',
      observedValue: ms,
      observedUnit: 'ms',
      status: problem === undefined ? 'pass' : 'warn',
      time: options.now().toISOString(),
      ...(problem === undefined
        ? {}
        : {
            output: `${problem}; ${stats.buffered} ${options.items} buffered, ${stats.dropped} dropped since start`,
          }),
    },
  };
}
