/**
 * Start-up as a user meets it (issue #13): `npm start` on a checkout where
 * `npm ci` ran, from the spawn to the first 200 of `/health/ready`, on the
 * embedded defaults (PGlite). Measured by `bench/startup.mjs` in a child
 * process (`--how npm`): `first` is an empty data directory and an empty
 * compile cache each run, `restart` one data directory and compile cache
 * reused. `ALERTBASE_BENCH_STARTUP_RUNS` starts per case (default 5); the
 * median is the row. The baseline is the target: under 2 s for a
 * first start, under 1.5 s for a restart (ratio > 1: within it).
 */

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { type BenchRow, benchRow } from './lib.js';

const SUITE = 'startup';
const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.ALERTBASE_BENCH_STARTUP_RUNS ?? 5);

/** The target of each case, ms, and how the row names it. */
const CASES = {
  first: {
    target: 2_000,
    name: '`npm start` to /health/ready, first start (empty data directory)',
  },
  restart: { target: 1_500, name: '`npm start` to /health/ready, restart' },
} as const;

/** What `bench/startup.mjs` prints on its last line, per `<how> <case>`. */
type Summary = Record<string, { medianMs: number; cpuMedianMs?: number }>;

export async function run(): Promise<BenchRow[]> {
  const { NODE_OPTIONS: _options, ...env } = process.env;
  const result = spawnSync(
    process.execPath,
    ['bench/startup.mjs', '--how', 'npm', '--case', 'first,restart', '--runs', String(RUNS)],
    { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0)
    throw new Error(`startup bench: bench/startup.mjs failed\n${result.stdout}`);
  const lines = result.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1] ?? '{}') as Summary;
  return (Object.keys(CASES) as (keyof typeof CASES)[]).map((kind) => {
    const measured = summary[`npm ${kind}`];
    if (measured === undefined) throw new Error(`startup bench: no "npm ${kind}" in the summary`);
    const cpu = measured.cpuMedianMs === undefined ? '' : `; CPU ${measured.cpuMedianMs} ms`;
    return benchRow({
      suite: SUITE,
      case: `${CASES[kind].name} (wall time, median of ${RUNS}${cpu})`,
      unit: 'ms',
      ours: measured.medianMs,
      baseline: CASES[kind].target,
      baselineName: 'target (issue #13)',
    });
  });
}
