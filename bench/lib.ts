/**
 * Shared helpers of the benchmark suites: the row type every suite returns,
 * the one place that decides which way a ratio points, and a measurement loop
 * that times competitors in interleaved rounds and reports medians.
 *
 * A suite is a file `bench/<suite>.bench.ts` exporting `run(): Promise<BenchRow[]>`;
 * `bench/run.ts` finds, runs and reports it (see `bench/README.md`).
 */

import { performance } from 'node:perf_hooks';

/** Units where more is better (alertbase better when `ours > baseline`). */
export const THROUGHPUT_UNITS = ['ops/s', 'items/s', 'MB/s'] as const;
/** Units where less is better: times and sizes (alertbase better when `ours < baseline`). */
export const COST_UNITS = ['ns/op', 'µs/op', 'ms', 'bytes', 'KB', 'MB'] as const;

/** A throughput unit. */
export type ThroughputUnit = (typeof THROUGHPUT_UNITS)[number];
/** A time or size unit. */
export type CostUnit = (typeof COST_UNITS)[number];
/** Every unit a row may have; a new unit must be added to one of the two lists above. */
export type Unit = ThroughputUnit | CostUnit;

/** One measured comparison: alertbase against a baseline (a peer or the raw library). */
export interface BenchRow {
  /** The suite's name: its file name before `.bench.ts`. */
  readonly suite: string;
  /** What was measured, including any caveat a reader needs (e.g. "peer does not parse PromQL"). */
  readonly case: string;
  /** One of {@link Unit}; typed `string` so rows read back from JSON fit (the harness checks it). */
  readonly unit: string;
  /** alertbase's value, in `unit`. */
  readonly ours: number;
  /** The baseline's value, in `unit`. */
  readonly baseline: number;
  /** Who the baseline is: `zod`, `ajv`, `typebox`, ... */
  readonly baselineName: string;
  /** Greater than 1 when alertbase is better (faster or smaller). Use {@link benchRow}. */
  readonly ratio: number;
}

/** Does a higher value mean better for this unit? Throws for a unit in neither list. */
export function higherIsBetter(unit: string): boolean {
  if ((THROUGHPUT_UNITS as readonly string[]).includes(unit)) return true;
  if ((COST_UNITS as readonly string[]).includes(unit)) return false;
  throw new Error(`bench: unknown unit "${unit}"; add it to THROUGHPUT_UNITS or COST_UNITS`);
}

/**
 * The ratio of a row, > 1 when alertbase is better: `ours / baseline` for
 * throughput units, `baseline / ours` for times and sizes.
 */
export function ratioOf(unit: string, ours: number, baseline: number): number {
  if (!(ours > 0) || !(baseline > 0) || !Number.isFinite(ours) || !Number.isFinite(baseline)) {
    throw new Error(
      `bench: values must be finite and positive, got ours=${ours}, baseline=${baseline}`,
    );
  }
  return higherIsBetter(unit) ? ours / baseline : baseline / ours;
}

/** A row without its ratio: what a suite knows. */
export type BenchRowInput = Omit<BenchRow, 'ratio' | 'unit'> & { readonly unit: Unit };

/**
 * Makes a row and computes its ratio, so no suite gets the direction backwards.
 *
 * @example
 * ```ts
 * benchRow({ suite: 'models', case: 'Alert valid', unit: 'ops/s', ours: 2e5, baseline: 1e5, baselineName: 'zod' });
 * // ratio 2: alertbase does twice the operations per second
 * ```
 */
export function benchRow(input: BenchRowInput): BenchRow {
  return { ...input, ratio: ratioOf(input.unit, input.ours, input.baseline) };
}

/** Is this a well-formed row with a correctly computed ratio? Returns the problem, or undefined. */
export function checkRow(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const r = value as Record<string, unknown>;
  for (const key of ['suite', 'case', 'unit', 'baselineName'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') return `"${key}" must be a non-empty string`;
  }
  for (const key of ['ours', 'baseline', 'ratio'] as const) {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      return `"${key}" must be a finite positive number`;
    }
  }
  const unit = r.unit as string;
  if (![...THROUGHPUT_UNITS, ...COST_UNITS].includes(unit as Unit)) {
    return `unknown unit "${unit}" (add it to THROUGHPUT_UNITS or COST_UNITS in bench/lib.ts)`;
  }
  const expected = ratioOf(unit, r.ours as number, r.baseline as number);
  if (Math.abs(expected - (r.ratio as number)) > 1e-9 * expected) {
    return `ratio ${String(r.ratio)} does not match ${expected} for unit ${unit} (use benchRow())`;
  }
  return undefined;
}

/**
 * Results are written here so that the optimiser cannot drop a call whose
 * value is never read.
 */
let sink: unknown;

/** Keeps a value alive (see `sink`), for suites that time with their own loop. */
export function consume(value: unknown): void {
  sink = value;
}

/** The last value kept alive; reading it keeps `sink` observable. */
export function lastConsumed(): unknown {
  return sink;
}

/** Options of {@link measureThroughput}. */
export interface MeasureOptions {
  /** Time spent running each function before any sample is taken, ms. Default 150. */
  readonly warmupMs?: number;
  /** Length of one sample, ms. Default 60. */
  readonly sampleMs?: number;
  /** Samples per function; the median is reported. Default 7. */
  readonly samples?: number;
}

/** The throughput of one function. */
export interface Throughput {
  /** Median of the samples, operations per second. */
  readonly opsPerSec: number;
  /** Every sample, operations per second. */
  readonly samples: readonly number[];
  /** Relative spread of the samples: (max - min) / median. */
  readonly spread: number;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/** Runs `fn` `n` times; returns the elapsed ms. */
function timeBatch(fn: () => unknown, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) sink = fn();
  return performance.now() - start;
}

/** Runs `fn` for about `ms` milliseconds; returns the batch size that takes about `sampleMs`. */
function warmUp(fn: () => unknown, ms: number, sampleMs: number): number {
  let n = 1;
  let elapsed = 0;
  const deadline = performance.now() + ms;
  // Double the batch until one batch takes a measurable time, and keep running until the deadline.
  while (performance.now() < deadline || elapsed < 1) {
    elapsed = timeBatch(fn, n);
    if (elapsed < sampleMs / 4) n *= 2;
  }
  const perOp = Math.max(elapsed, 1e-3) / n;
  return Math.max(1, Math.round(sampleMs / perOp));
}

/**
 * Measures the throughput of several functions, in interleaved rounds: each
 * round takes one sample of every function (in an order rotated each round),
 * so drift in machine speed (thermal, other processes) affects all alike.
 * Every function is warmed up first (the JIT compiles it), then timed in
 * batches of about `sampleMs`; the median of the samples is reported.
 *
 * @example
 * ```ts
 * const r = measureThroughput({ ours: () => Alert.safeParse(p), zod: () => raw.safeParse(p) });
 * r.ours.opsPerSec;
 * ```
 */
export function measureThroughput<K extends string>(
  fns: Readonly<Record<K, () => unknown>>,
  options: MeasureOptions = {},
): Record<K, Throughput> {
  const warmupMs = options.warmupMs ?? 150;
  const sampleMs = options.sampleMs ?? 60;
  const sampleCount = options.samples ?? 7;
  const names = Object.keys(fns) as K[];
  const batch = new Map<K, number>();
  for (const name of names) batch.set(name, warmUp(fns[name], warmupMs, sampleMs));
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < sampleCount; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as K;
      const n = batch.get(name) ?? 1;
      const ms = timeBatch(fns[name], n);
      samples.get(name)?.push((n * 1000) / Math.max(ms, 1e-6));
    }
  }
  const out = {} as Record<K, Throughput>;
  for (const name of names) {
    const s = samples.get(name) ?? [];
    const med = median(s);
    out[name] = {
      opsPerSec: med,
      samples: s,
      spread: med > 0 ? (Math.max(...s) - Math.min(...s)) / med : 0,
    };
  }
  return out;
}

/**
 * The "alertbase vs fastest peer" row of a case: given the rows of one case
 * (same `ours`, same unit), a row against the baseline that is best for the unit.
 */
export function vsBest(rows: readonly BenchRow[], caseName: string): BenchRow {
  const first = rows[0];
  if (first === undefined) throw new Error('bench: vsBest needs at least one row');
  const higher = higherIsBetter(first.unit);
  let best = first;
  for (const r of rows) {
    if (r.unit !== first.unit || r.ours !== first.ours) {
      throw new Error('bench: vsBest rows must be of one case (same unit and same ours)');
    }
    if (higher ? r.baseline > best.baseline : r.baseline < best.baseline) best = r;
  }
  return {
    suite: first.suite,
    case: caseName,
    unit: first.unit,
    ours: first.ours,
    baseline: best.baseline,
    baselineName: `fastest peer (${best.baselineName})`,
    ratio: ratioOf(first.unit, first.ours, best.baseline),
  };
}

/**
 * Tenant settings for a bench tenant that sends far more than any tier
 * allows (requests and alerts a minute): the rows measure the work, not the
 * quotas. Pass as `settings` when creating or updating the tenant.
 */
export const UNLIMITED_SETTINGS = Object.freeze({
  timezone: 'UTC',
  levelPriorities: {},
  allowPrivateNetworks: false,
  quotas: {
    maxAlertsPerMinute: 1_000_000_000,
    requestsPerMinute: 1_000_000_000,
    keyRequestsPerMinute: 1_000_000_000,
  },
});

/** One sample of Prometheus's text format (`series` with its labels, as exposed), or NaN when absent. */
export function metricSample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}
