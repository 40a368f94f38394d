/**
 * `npm run reliability`: load on loopback, then the fault suites, in one
 * bounded command; writes `bench/results/reliability.md`.
 *
 * - Load: alertbase (PGlite in a temporary directory, or `DATABASE_URL`)
 *   under autocannon for `--seconds` (default 30; 600 is the soak): mixed
 *   ingest of new alerts, lists and acknowledge/unacknowledge. Reports p50/p99
 *   latency, errors, event-loop lag p99, RSS over time, heap after the run
 *   against after warm-up, and acknowledged ingests not stored (must be 0).
 * - Faults: `test/reliability/` (data-directory lock, database unreachable
 *   and slow, PGlite disk full, SIGTERM under load, the restore drill), each
 *   suite's result.
 *
 * Flags: `--seconds N`, `--connections N` (default 10), `--skip-faults`,
 * `--heap-snapshots DIR` (V8 heap snapshots after warm-up and after the run,
 * for `bench/heap-diff.ts`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/index.js';
import { startServer } from '../src/server/start-server.js';
import { createRepositories } from '../src/storage/index.js';
import { UNLIMITED_SETTINGS } from './lib.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const value = i === -1 ? Number.NaN : Number(args[i + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const SECONDS = Math.min(flag('seconds', 30), 900);
const CONNECTIONS = Math.min(flag('connections', 10), 100);
const WARMUP_SECONDS = Math.min(5, Math.max(1, Math.floor(SECONDS / 6)));
const ACK_POOL = 2_000;
const snapshotsAt = args.indexOf('--heap-snapshots');
const SNAPSHOT_DIR = snapshotsAt === -1 ? undefined : args[snapshotsAt + 1];
const OUT = join(import.meta.dirname, 'results', 'reliability.md');

const mib = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
const gc = (): void => {
  const collect: unknown = Reflect.get(globalThis, 'gc');
  if (typeof collect === 'function') collect();
};

interface LoadReport {
  engine: string;
  seconds: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  lagP99Ms: number;
  rss: { at: number; mib: number }[];
  heapWarmMib: number;
  heapEndMib: number;
  acked: number;
  stored: number;
}

async function runLoad(): Promise<LoadReport> {
  const dir = await mkdtemp(join(tmpdir(), 'alertbase-reliability-'));
  const databaseUrl = process.env.DATABASE_URL;
  const { config } = await loadConfig({
    env:
      databaseUrl === undefined
        ? { ALERTBASE_DATA_DIR: join(dir, 'data') }
        : { DATABASE_URL: databaseUrl },
    cwd: dir,
  });
  const server = await startServer({
    config,
    env: {},
    port: 0,
    host: '127.0.0.1',
    logger: false,
    demoTenant: false,
    print: () => {},
    handleSignals: false,
  });
  try {
    const tenant = `load-${Date.now()}`;
    const repos = createRepositories(server.db);
    await repos.tenants.create(
      { id: tenant, name: 'Load', tier: 'enterprise', settings: UNLIMITED_SETTINGS },
      'reliability',
    );
    const { key } = await repos.apiKeys.issue(
      tenant,
      { name: 'load', role: 'responder' },
      'reliability',
    );
    const seeded = await repos.alerts.ingest(
      tenant,
      Array.from({ length: ACK_POOL }, (_, i) => ({
        labels: { alertname: 'AckPool', n: String(i) },
        level: 'high',
        priority: 'P2',
      })),
      'reliability',
    );
    const ids = seeded.items.map((item) => String(Reflect.get(item, 'id')));
    const acked = new Set<string>();
    let nextAck = 0;
    let seq = 0;
    let ingested = 0;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/v1/alerts',
        headers,
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify([
            { labels: { alertname: 'Load', seq: String(seq++) }, level: 'high', priority: 'P2' },
          ]),
        }),
        onResponse: (status) => {
          if (status === 200) ingested++;
        },
      },
      { method: 'GET', path: '/v1/alerts?limit=50', headers },
      {
        method: 'POST',
        headers,
        setupRequest: (req) => {
          const id = ids[nextAck++ % ids.length] ?? '';
          const action = acked.has(id) ? 'unacknowledge' : 'acknowledge';
          if (action === 'acknowledge') acked.add(id);
          else acked.delete(id);
          return { ...req, path: `/v1/alerts/${id}/${action}`, body: '{}' };
        },
      },
    ];
    const run = (seconds: number) =>
      autocannon({
        url: server.url,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 10,
        requests,
      });

    await run(WARMUP_SECONDS);
    gc();
    const heapWarm = process.memoryUsage().heapUsed;
    if (SNAPSHOT_DIR !== undefined) writeHeapSnapshot(join(SNAPSHOT_DIR, 'warm.heapsnapshot'));
    ingested = 0;
    const seqStart = seq;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const rss: { at: number; mib: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(
      () =>
        rss.push({
          at: Math.round((Date.now() - started) / 1000),
          mib: mib(process.memoryUsage.rss()),
        }),
      Math.max(1_000, (SECONDS * 1_000) / 20),
    );
    const result = await run(SECONDS);
    clearInterval(sampler);
    lag.disable();
    gc();
    const heapEnd = process.memoryUsage().heapUsed;
    if (SNAPSHOT_DIR !== undefined) writeHeapSnapshot(join(SNAPSHOT_DIR, 'end.heapsnapshot'));
    // Acknowledged ingests of the measured run must all be stored.
    const { rows } = await server.db.withTenant(tenant, (tx) =>
      tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM alerts WHERE labels->>'alertname' = 'Load' AND (labels->>'seq')::int >= $1",
        [seqStart],
      ),
    );
    return {
      engine: databaseUrl === undefined ? 'PGlite' : 'PostgreSQL server',
      seconds: SECONDS,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p50: result.latency.p50,
      p99: result.latency.p99,
      lagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
      rss,
      heapWarmMib: mib(heapWarm),
      heapEndMib: mib(heapEnd),
      acked: ingested,
      stored: rows[0]?.n ?? 0,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
}

async function readFaults(outputFile: string): Promise<SuiteResult[]> {
  const report = JSON.parse(await readFile(outputFile, 'utf8')) as {
    testResults: { name: string; assertionResults: { status: string }[] }[];
  };
  return report.testResults.map((file) => ({
    name: file.name.replace(/.*test\/reliability\//, ''),
    passed: file.assertionResults.filter((a) => a.status === 'passed').length,
    failed: file.assertionResults.filter((a) => a.status === 'failed').length,
    skipped: file.assertionResults.filter((a) => a.status !== 'passed' && a.status !== 'failed')
      .length,
  }));
}

async function faultSuites(): Promise<SuiteResult[]> {
  const outputFile = join(tmpdir(), `alertbase-reliability-${process.pid}.json`);
  const run = spawnSync(
    'npx',
    ['vitest', 'run', 'test/reliability', '--reporter=json', `--outputFile=${outputFile}`],
    { stdio: 'ignore', timeout: 15 * 60_000, cwd: join(import.meta.dirname, '..') },
  );
  try {
    return await readFaults(outputFile);
  } catch {
    // No report: the run was cut off (the 15-minute bound) or vitest failed to start.
    const ended = run.signal === null ? `exit code ${run.status}` : `signal ${run.signal}`;
    return [{ name: `(no report: vitest ended with ${ended})`, passed: 0, failed: 1, skipped: 0 }];
  } finally {
    await rm(outputFile, { force: true });
  }
}

const load = await runLoad();
const faults = args.includes('--skip-faults') ? undefined : await faultSuites();

const drift = ((load.heapEndMib - load.heapWarmMib) / load.heapWarmMib) * 100;
const lost = Math.max(load.acked - load.stored, 0);
const lines = [
  '# Reliability',
  '',
  `Run ${new Date().toISOString()} with \`npm run reliability\` (Node ${process.version}).`,
  '',
  `## Load (${load.engine}, ${load.seconds} s, ${CONNECTIONS} connections, autocannon on loopback)`,
  '',
  'Mixed traffic: ingest of a new alert, list of 50 alerts, acknowledge/unacknowledge.',
  '',
  '| measure | value |',
  '| --- | --- |',
  `| requests | ${load.requests} |`,
  `| non-2xx answers | ${load.non2xx} |`,
  `| connection errors / timeouts | ${load.errors} / ${load.timeouts} |`,
  `| latency p50 / p99 | ${load.p50} ms / ${load.p99} ms |`,
  `| event-loop lag p99 (server and load generator share the process) | ${load.lagP99Ms} ms |`,
  `| heap after warm-up → after the run (after GC) | ${load.heapWarmMib} MiB → ${load.heapEndMib} MiB (${drift >= 0 ? '+' : ''}${Math.round(drift * 10) / 10}%) |`,
  `| ingests acknowledged / stored / lost | ${load.acked} / ${load.stored} / ${lost} |`,
  '',
  `RSS over time (MiB): ${load.rss.map((s) => `${s.at}s ${s.mib}`).join(', ')}`,
  '',
];
if (faults !== undefined) {
  lines.push(
    '## Faults injected (test/reliability)',
    '',
    '| suite | passed | failed | skipped |',
    '| --- | --- | --- | --- |',
    ...faults.map((f) => `| ${f.name} | ${f.passed} | ${f.failed} | ${f.skipped} |`),
    '',
    'Each suite asserts that no acknowledged write is lost or stored twice.',
    '',
  );
}
await writeFile(OUT, `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
const failed = (faults ?? []).some((f) => f.failed > 0) || lost > 0 || load.errors > 0;
process.exitCode = failed ? 1 : 0;
