/**
 * Growth: does a keyset page cost the same as the history grows?
 * `GET /v1/alerts?limit=50`, alone, with a label filter and with status and
 * level filters (query cache off, in process through `inject`,
 * on PGlite) timed at 10,000 and at 50,000 stored alerts of one tenant; the
 * row's ratio is the median at 10,000 over the median at 50,000 (1.0 is
 * flat). Twice: with the maintenance pass run after each ingest as the
 * service's maintenance scheduler would (`runMaintenancePass` until nothing
 * is due), and without it (PGlite has no autovacuum: the planner keeps an
 * empty table's estimates).
 */

import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  runMaintenancePass,
} from '../src/storage/index.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'growth';
const SIZES = [10_000, 50_000] as const;
const BATCH = 5_000;
const REQUESTS = 41;
/** The list shapes timed: the plain keyset page, a label filter, status and level. */
const PATHS = [
  '/v1/alerts?limit=50',
  '/v1/alerts?limit=50&label=alertname=HighCPU7',
  '/v1/alerts?limit=50&status=firing&level=critical',
] as const;

function alert(i: number): Record<string, unknown> {
  return {
    labels: { alertname: `HighCPU${i % 100}`, instance: `web-${i}:9100`, job: 'node' },
    annotations: { summary: `CPU high on web-${i}` },
    level: i % 7 === 0 ? 'critical' : 'high',
    priority: 'P2',
    startsAt: new Date(Date.now() - 600_000).toISOString(),
  };
}

/** Runs passes until nothing is due, as the scheduler would over a few ticks. */
async function maintain(db: Database): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const action = await runMaintenancePass(db);
    if (action.kind === 'none') return;
  }
}

async function medianMs(app: FastifyInstance, key: string, path: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const start = performance.now();
    const res = await app.inject({ url: path, headers: { authorization: `Bearer ${key}` } });
    const elapsed = performance.now() - start;
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
    if (i >= 3) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Medians per path at each size, with or without maintenance passes after each ingest. */
async function grow(withMaintenance: boolean): Promise<number[][]> {
  const db = await createTestDatabase();
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'bench', name: 'Bench', settings: UNLIMITED_SETTINGS }, 'bench');
  const key = (await repos.apiKeys.issue('bench', { name: 'b', role: 'viewer' }, 'bench')).key;
  const { config } = await loadConfig({
    env: { ENABLE_QUERY_CACHE: 'false' },
    cwd: '/nonexistent-alertbase-bench',
  });
  const app = await buildApp({ db, config, rateLimits: false });
  try {
    const medians: number[][] = PATHS.map(() => []);
    let stored = 0;
    for (const size of SIZES) {
      for (; stored < size; stored += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, k) => alert(stored + k));
        await repos.alerts.ingest('bench', batch, 'key:bench');
      }
      if (withMaintenance) await maintain(db);
      for (const [p, path] of PATHS.entries()) medians[p]?.push(await medianMs(app, key, path));
    }
    return medians;
  } finally {
    await app.close();
    await db.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const withMaintenance of [true, false]) {
    const medians = await grow(withMaintenance);
    for (const [p, path] of PATHS.entries()) {
      const [small, large] = medians[p] as [number, number];
      rows.push(
        benchRow({
          suite: SUITE,
          case: `GET ${path} p50 at 50,000 vs 10,000 alerts, ${withMaintenance ? 'maintenance passes on' : 'no maintenance (no ANALYZE ever)'} (PGlite, in process, query cache off)`,
          unit: 'ms',
          ours: large,
          baseline: small,
          baselineName: 'same at 10,000',
        }),
      );
    }
  }
  return rows;
}
