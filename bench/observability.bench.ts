/**
 * The cost of metrics: ingest through the app (`POST /api/v2/alerts`,
 * batches of 100 Prometheus alerts resent, the common case: heartbeats) with
 * `METRICS_ENABLED` on against the same app with it off, each over its own
 * in-memory PGlite. Requests are injected (no sockets), so the fixed cost of
 * the metrics is the largest share it can be. The two alternate batch by
 * batch (the order swapped every pair), so the drift of a shared machine
 * falls on both alike; each round sums the time of its batches, and the
 * median round is reported. Target: on ≥ 0.97× off.
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { createTestDatabase, type Database } from '../src/storage/index.js';
import { createRepositories } from '../src/storage/repositories/index.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const BATCH = 100;
const WARMUP_BATCHES = 30;
const PAIRS_PER_ROUND = 40;
const ROUNDS = 7;

interface Subject {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly key: string;
}

async function subject(metricsEnabled: boolean): Promise<Subject> {
  const db = await createTestDatabase();
  const { config } = await loadConfig({
    env: { METRICS_ENABLED: String(metricsEnabled) },
    cwd: '/nonexistent-alertbase-bench',
  });
  const app = await buildApp({ db, config });
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'bench', name: 'Bench', settings: UNLIMITED_SETTINGS }, 'bench');
  const { key } = await repos.apiKeys.issue('bench', { name: 'p', role: 'responder' }, 'bench');
  return { app, db, key };
}

const body = JSON.stringify(
  Array.from({ length: BATCH }, (_, i) => ({
    labels: { alertname: 'BenchObservability', instance: `host-${i}`, severity: 'warning' },
    annotations: { summary: `alert ${i}` },
    generatorURL: 'http://prometheus.example/graph',
  })),
);

/** Posts one batch; returns its milliseconds. */
async function post(s: Subject): Promise<number> {
  const start = performance.now();
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v2/alerts',
    headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    payload: body,
  });
  if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`);
  return performance.now() - start;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function run(): Promise<BenchRow[]> {
  const on = await subject(true);
  const off = await subject(false);
  try {
    for (let i = 0; i < WARMUP_BATCHES; i++) {
      await post(on);
      await post(off);
    }
    const samples = { on: [] as number[], off: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const ms = { on: 0, off: 0 };
      for (let pair = 0; pair < PAIRS_PER_ROUND; pair++) {
        const order = pair % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const which of order) ms[which] += await post(which === 'on' ? on : off);
      }
      samples.on.push((PAIRS_PER_ROUND * BATCH * 1000) / ms.on);
      samples.off.push((PAIRS_PER_ROUND * BATCH * 1000) / ms.off);
    }
    return [
      benchRow({
        suite: 'observability',
        case: `ingest POST /api/v2/alerts (${BATCH} resent alerts, injected) with metrics on vs off`,
        unit: 'items/s',
        ours: median(samples.on),
        baseline: median(samples.off),
        baselineName: 'alertbase, METRICS_ENABLED=false',
      }),
    ];
  } finally {
    for (const s of [on, off]) {
      await s.app.close();
      await s.db.close();
    }
  }
}
