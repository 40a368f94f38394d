/**
 * HTTP ingest throughput: Alertmanager postable alerts in batches of 100,
 * 8 requests in flight over keep-alive connections, into alertbase's
 * `POST /api/v2/alerts` (what Prometheus calls) with PGlite in a data
 * directory (what `alertbase serve` runs by default: in a worker thread; the
 * Prometheus workload also on the event loop, `PGLITE_THREAD=main`) and with the PostgreSQL
 * server, next to a real Alertmanager 0.25 (Debian's
 * `prometheus-alertmanager`) receiving the same request bodies on its own
 * `/api/v2/alerts`, in the same run.
 *
 * Each target runs in its own process (alertbase is forked from this file),
 * so the load generator never shares an event loop with the server. Per
 * target: a warm-up pass, then 20,000 alerts with unique label sets (every
 * one stored: alertbase answers `created` for each, Alertmanager lists them
 * all afterwards), then the same 20,000 again (alertbase answers
 * `deduplicated` for each; Alertmanager merges them into the alerts it holds).
 *
 * What differs: Alertmanager keeps alerts in memory (its `--storage.path`
 * holds only silences and the notification log); alertbase validates each
 * alert with the `Alert` model, writes it in a transaction with a
 * hash-chained audit event per batch and answers a per-item result.
 *
 * Two more rows are not alertbase: the floors of any store that keeps each
 * alert as a PostgreSQL row (see {@link measureFloors}), against the same
 * Alertmanager pass, so that the run shows what a ratio can reach at most.
 *
 * The machine's speed drifts within minutes, so Alertmanager and alertbase on
 * the PostgreSQL server are measured in rounds, one after the other
 * (ALERTBASE_BENCH_HTTP_ROUNDS, default 3), and each server row is reported
 * from the round whose ratio is the median; a last row gives new alerts
 * against the `alerts`-table floor of the same round. PGlite and the bare
 * ceiling run once, after the rounds, against the last round's Alertmanager.
 *
 * Needs `prometheus-alertmanager` (the baseline; the suite fails without it) and
 * the PostgreSQL server at ALERTBASE_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres; without it only PGlite runs).
 * ALERTBASE_BENCH_HTTP_ALERTS changes the 20,000.
 */

import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fingerprint } from '../src/base/utils/fingerprint.js';
import { newIds } from '../src/storage/repositories/ids.js';
import {
  ALERTMANAGER_BIN,
  findBinary,
  type RunningAlertmanager,
  startAlertmanager,
  type TempDir,
  tempDir,
} from '../test/e2e/processes.js';
import { type BenchRow, benchRow, metricSample, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'http';
const TOTAL = Number(process.env.ALERTBASE_BENCH_HTTP_ALERTS ?? 20_000);
const BATCH = 100;
const CONCURRENCY = 8;
const WARMUP = 2_000;
const ADMIN_URL =
  process.env.ALERTBASE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The argument that makes this file an alertbase server process (see {@link serveChild}). */
const SERVER_FLAG = '--alertbase-http-bench-server';
/** The argument that makes this file the bare-HTTP ceiling (see {@link serveBareChild}). */
const BARE_FLAG = '--alertbase-http-bench-bare';
/** The Prometheus workload: alerts per cycle, batch size (Prometheus's), cycles timed, share new or resolved. */
const CYCLE_ALERTS = Number(process.env.ALERTBASE_BENCH_HTTP_CYCLE_ALERTS ?? 20_000);
const CYCLE_BATCH = 64;
const CYCLES = Number(process.env.ALERTBASE_BENCH_HTTP_CYCLES ?? 3);
const CHURN = 0.02;
/**
 * Rounds of Alertmanager then alertbase on the PostgreSQL server, in turn: the
 * machine's speed drifts within minutes, so each server row is compared with
 * the Alertmanager pass just before it, and reported from the round whose
 * ratio is the median ({@link medianRound}).
 */
const ROUNDS = Number(process.env.ALERTBASE_BENCH_HTTP_ROUNDS ?? 3);

/** A target of the load: where to post, with which headers. */
interface Target {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A response: status and body text. */
interface Reply {
  readonly status: number;
  readonly body: string;
}

/** The request bodies of one pass: JSON arrays of 100 postable alerts, encoded once. */
function makeBodies(runId: string, phase: string, count: number): Buffer[] {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  // Like Prometheus: endsAt a while ahead, resent while firing.
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const bodies: Buffer[] = [];
  for (let b = 0; b < count; b += BATCH) {
    const alerts = [];
    for (let i = b; i < Math.min(b + BATCH, count); i++) {
      alerts.push({
        labels: {
          alertname: 'HighCPU',
          instance: `web-${i}:9100`,
          job: 'node',
          severity: 'warning',
          phase,
          run: runId,
        },
        annotations: {
          summary: `CPU high on web-${i}`,
          description: 'CPU above 80% for 5 minutes',
        },
        startsAt,
        endsAt,
        generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=cpu_usage+%3E+80',
      });
    }
    bodies.push(Buffer.from(JSON.stringify(alerts)));
  }
  return bodies;
}

/**
 * The Prometheus workload: `setup` sends `CYCLE_ALERTS` firing alerts once;
 * then each cycle resends every firing alert with `endsAt` moved a minute
 * on (what Prometheus does every `resend_delay`), in batches of 64, with 2%
 * churn: 1% of the alerts resolved (sent once with `endsAt` past, then no
 * more) and as many new ones, spread through the cycle.
 */
interface CycleLoad {
  readonly setup: Buffer[];
  readonly cycles: Buffer[][];
  /** Alerts per cycle, and how many of them are new and resolved. */
  readonly perCycle: {
    readonly alerts: number;
    readonly created: number;
    readonly resolved: number;
  };
}

function makeCycles(runId: string): CycleLoad {
  const now = Date.now();
  const startsAt = new Date(now - 60_000).toISOString();
  const alertOf = (i: number, endsAt: string) => ({
    labels: {
      alertname: 'NodeDown',
      instance: `node-${i}:9100`,
      job: 'node',
      severity: 'warning',
      phase: 'cycle',
      run: runId,
    },
    annotations: { summary: `node-${i} down`, description: 'the target is unreachable' },
    startsAt,
    endsAt,
    generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0',
  });
  const batches = (alerts: unknown[]): Buffer[] => {
    const out: Buffer[] = [];
    for (let b = 0; b < alerts.length; b += CYCLE_BATCH) {
      out.push(Buffer.from(JSON.stringify(alerts.slice(b, b + CYCLE_BATCH))));
    }
    return out;
  };
  let firing = Array.from({ length: CYCLE_ALERTS }, (_, i) => i);
  let next = CYCLE_ALERTS;
  const setup = batches(firing.map((i) => alertOf(i, new Date(now + 3_600_000).toISOString())));
  const half = Math.round((CYCLE_ALERTS * CHURN) / 2);
  const cycles: Buffer[][] = [];
  for (let c = 0; c < CYCLES; c++) {
    const endsAt = new Date(now + 3_600_000 + (c + 1) * 60_000).toISOString();
    const resolved = firing.slice(0, half);
    const kept = firing.slice(half);
    const fresh = Array.from({ length: half }, () => next++);
    // Spread the churn through the cycle, as rule groups evaluate at different times.
    const items: unknown[] = kept.map((i) => alertOf(i, endsAt));
    const every = Math.floor(items.length / (2 * half));
    resolved.forEach((i, k) => {
      items.splice(k * 2 * every, 0, alertOf(i, new Date(now - 1_000).toISOString()));
    });
    fresh.forEach((i, k) => {
      items.splice(k * 2 * every + every, 0, alertOf(i, endsAt));
    });
    cycles.push(batches(items));
    firing = [...kept, ...fresh];
  }
  return {
    setup,
    cycles,
    perCycle: { alerts: CYCLE_ALERTS + half, created: half, resolved: half },
  };
}

/**
 * Sends the setup, then times every cycle: alerts per second over all
 * cycles. `observe` runs (untimed) before the first cycle and after the last.
 */
async function measureCycles(
  agent: Agent,
  target: Target,
  load: CycleLoad,
  check: ((cycle: Counts) => void) | undefined,
  observe?: (phase: 'before' | 'after') => Promise<void>,
): Promise<number> {
  const ignore = (): void => {};
  await pass(agent, target, load.setup, CYCLE_ALERTS, ignore);
  await observe?.('before');
  let seconds = 0;
  for (const bodies of load.cycles) {
    const counts: Counts = { created: 0, deduplicated: 0, other: 0 };
    const rate = await pass(
      agent,
      target,
      bodies,
      load.perCycle.alerts,
      check === undefined ? ignore : countInto(counts),
    );
    seconds += load.perCycle.alerts / rate;
    check?.(counts);
  }
  await observe?.('after');
  return (load.perCycle.alerts * load.cycles.length) / seconds;
}

/** The running totals of alertbase's ingest transactions (`alertbase_ingest_transaction*_total`). */
interface IngestTransactions {
  readonly committed: number;
  readonly batches: number;
  readonly alerts: number;
  readonly seconds: number;
}

/** Reads the ingest transactions' counters from the server's `/metrics` (no METRICS_KEY here). */
async function ingestTransactions(target: Target): Promise<IngestTransactions> {
  const res = await fetch(`${target.url}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`bench: /metrics answered ${res.status}`);
  const sample = (name: string): number => {
    const value = metricSample(text, name);
    if (Number.isNaN(value)) throw new Error(`bench: /metrics has no ${name}`);
    return value;
  };
  return {
    committed: sample('alertbase_ingest_transactions_total'),
    batches: sample('alertbase_ingest_transaction_batches_total'),
    alerts: sample('alertbase_ingest_transaction_alerts_total'),
    seconds: sample('alertbase_ingest_transaction_seconds_total'),
  };
}

/** What group commit did in the cycles: transactions a cycle, and each one's batches, alerts and time. */
function groupCommit(
  before: IngestTransactions,
  after: IngestTransactions,
  cycles: number,
): string {
  const n = after.committed - before.committed;
  if (n <= 0) return 'no ingest transaction';
  const each = (v: number): string => (v / n).toFixed(1);
  return `${(n / cycles).toFixed(0)} ingest transactions a cycle, ${each(after.batches - before.batches)} batches and ${each(after.alerts - before.alerts)} alerts each, ${(((after.seconds - before.seconds) / n) * 1_000).toFixed(1)} ms each`;
}

/** POSTs one body over the keep-alive agent. */
function post(agent: Agent, target: Target, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.url}/api/v2/alerts`,
      {
        method: 'POST',
        agent,
        headers: {
          ...target.headers,
          'content-type': 'application/json',
          'content-length': String(body.byteLength),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends every body, `CONCURRENCY` in flight; `check` sees each reply.
 * Returns alerts per second over the wall time of the pass.
 */
async function pass(
  agent: Agent,
  target: Target,
  bodies: readonly Buffer[],
  alerts: number,
  check: (reply: Reply) => void,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const body = bodies[i];
      if (body === undefined) return;
      const reply = await post(agent, target, body);
      if (reply.status !== 200) {
        throw new Error(
          `bench: ${target.url} answered ${reply.status}: ${reply.body.slice(0, 500)}`,
        );
      }
      check(reply);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return alerts / ((performance.now() - start) / 1_000);
}

/** First and repeat pass of one target, after a warm-up. */
interface Measured {
  readonly first: number;
  readonly repeat: number;
  /** The Prometheus workload ({@link makeCycles}). */
  readonly cycles: number;
  /** alertbase: what group commit did in the workload's cycles ({@link groupCommit}). */
  readonly groups?: string | undefined;
}

/** Alertbase's per-item counts, summed over a pass. */
interface Counts {
  created: number;
  deduplicated: number;
  other: number;
}

function countInto(counts: Counts): (reply: Reply) => void {
  return (reply) => {
    const body = JSON.parse(reply.body) as { counts: Record<string, number> };
    const c = body.counts;
    counts.created += c.created ?? 0;
    counts.deduplicated += c.deduplicated ?? 0;
    counts.other += (c.resolved ?? 0) + (c.rejected ?? 0);
  };
}

/** Measures one alertbase process: every alert created, then every one de-duplicated. */
async function measureAlertbase(
  target: Target,
  warmup: readonly Buffer[],
  bodies: readonly Buffer[],
  load: CycleLoad,
): Promise<Measured> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const w: Counts = { created: 0, deduplicated: 0, other: 0 };
    await pass(agent, target, warmup, WARMUP, countInto(w));
    const firstCounts: Counts = { created: 0, deduplicated: 0, other: 0 };
    const first = await pass(agent, target, bodies, TOTAL, countInto(firstCounts));
    const repeatCounts: Counts = { created: 0, deduplicated: 0, other: 0 };
    const repeat = await pass(agent, target, bodies, TOTAL, countInto(repeatCounts));
    if (
      w.created !== WARMUP ||
      firstCounts.created !== TOTAL ||
      repeatCounts.deduplicated !== TOTAL
    ) {
      throw new Error(
        `bench: alertbase did not store every alert: warm-up ${JSON.stringify(w)}, first ${JSON.stringify(firstCounts)}, repeat ${JSON.stringify(repeatCounts)}`,
      );
    }
    const totals: IngestTransactions[] = [];
    const cycles = await measureCycles(
      agent,
      target,
      load,
      (c) => {
        const { created, resolved, alerts } = load.perCycle;
        if (
          c.created !== created ||
          c.other !== resolved ||
          c.deduplicated !== alerts - created - resolved
        ) {
          throw new Error(`bench: a cycle's counts are off: ${JSON.stringify(c)}`);
        }
      },
      async () => {
        totals.push(await ingestTransactions(target));
      },
    );
    const [before, after] = totals;
    const groups =
      before === undefined || after === undefined
        ? undefined
        : groupCommit(before, after, load.cycles.length);
    return { first, repeat, cycles, groups };
  } finally {
    agent.destroy();
  }
}

/** Measures Alertmanager, then checks it holds every alert of the run. */
async function measureAlertmanager(
  am: RunningAlertmanager,
  runId: string,
  warmup: readonly Buffer[],
  bodies: readonly Buffer[],
  load: CycleLoad,
): Promise<Measured> {
  const target: Target = { url: am.url, headers: {} };
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const ignore = (): void => {};
    await pass(agent, target, warmup, WARMUP, ignore);
    const first = await pass(agent, target, bodies, TOTAL, ignore);
    const repeat = await pass(agent, target, bodies, TOTAL, ignore);
    const filter = encodeURIComponent(`run="${runId}"`);
    const res = await fetch(`${am.url}/api/v2/alerts?filter=${filter}&filter=phase%3D%22main%22`);
    const held = ((await res.json()) as unknown[]).length;
    if (held !== TOTAL) throw new Error(`bench: Alertmanager holds ${held} of ${TOTAL} alerts`);
    const cycles = await measureCycles(agent, target, load, undefined);
    const active = await fetch(
      `${am.url}/api/v2/alerts?active=true&silenced=true&inhibited=true&filter=${filter}&filter=phase%3D%22cycle%22`,
    );
    const open = ((await active.json()) as unknown[]).length;
    if (open !== CYCLE_ALERTS) {
      throw new Error(`bench: Alertmanager holds ${open} of ${CYCLE_ALERTS} firing cycle alerts`);
    }
    return { first, repeat, cycles };
  } finally {
    agent.destroy();
  }
}

/**
 * The Node flags of `npm start` (its script is `node <flags> scripts/build-state.mjs start`):
 * the forked servers run with them, as a user's `npm start` does.
 */
function startScriptFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts.start ?? '').split(/\s+/);
  if (words[0] !== 'node') throw new Error('bench: the start script no longer runs `node …`');
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

/** What the server process sends back once listening. */
type ServerMessage = { readonly url: string; readonly key: string } | { readonly error: string };

/** An alertbase server in a child process. */
interface ServerProcess {
  readonly target: Target;
  stop(): Promise<void>;
}

/**
 * Forks this file as an alertbase server (`alertbase serve` with the given
 * environment, on 127.0.0.1:0), with this process's `execArgv` (tsx's loader)
 * and the Node flags of `npm start` ({@link startScriptFlags}).
 */
async function forkAlertbase(
  env: Record<string, string>,
  cwd: string,
  flag = SERVER_FLAG,
): Promise<ServerProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    [flag, JSON.stringify(env), cwd],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // tsx's loader, which the child inherits, and the Node flags of `npm start`.
      execArgv: [...process.execArgv, ...startScriptFlags()],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const message = await new Promise<ServerMessage>((resolve) => {
    child.once('message', (m: ServerMessage) => resolve(m));
    child.once('exit', (code) =>
      resolve({ error: `alertbase server exited (code ${String(code)})` }),
    );
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  };
  if ('error' in message) {
    await stop();
    throw new Error(`bench: ${message.error}`);
  }
  return {
    target: { url: message.url, headers: { authorization: `Bearer ${message.key}` } },
    stop,
  };
}

/**
 * In the forked child: the ceiling of any server on this machine and load,
 * a Fastify route that only parses the JSON body (Fastify's own parser) and
 * answers its length.
 */
async function serveBareChild(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ bodyLimit: 10 * 1024 * 1024 });
  app.post('/api/v2/alerts', async (request) => ({ received: (request.body as unknown[]).length }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const stop = (): void => {
    void app.close().finally(() => process.exit(0));
  };
  process.on('message', (m) => {
    if (m === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.send?.({ url: `http://127.0.0.1:${address.port}`, key: '' } satisfies ServerMessage);
}

/** Measures the bare-HTTP ceiling on the Prometheus workload. */
async function measureBare(load: CycleLoad, cwd: string): Promise<number> {
  const server = await forkAlertbase({}, cwd, BARE_FLAG);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    return await measureCycles(agent, server.target, load, undefined);
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/** In the forked child: serve until told to stop (or until the parent goes away). */
async function serveChild(): Promise<void> {
  const index = process.argv.indexOf(SERVER_FLAG);
  const env = JSON.parse(process.argv[index + 1] ?? '{}') as Record<string, string>;
  const cwd = process.argv[index + 2] ?? process.cwd();
  const { startServer } = await import('../src/server/start-server.js');
  try {
    const server = await startServer({
      env,
      cwd,
      port: 0,
      host: '127.0.0.1',
      // Fastify's per-request info lines would only go to the bench's terminal.
      logger: { level: 'warn' },
      print: () => {},
      handleSignals: false,
    });
    const key = server.demoKey;
    if (key === undefined) throw new Error('no demo key: the data directory was not new');
    const { createRepositories } = await import('../src/storage/repositories/index.js');
    await createRepositories(server.db).tenants.update(
      'demo',
      { settings: UNLIMITED_SETTINGS },
      'bench',
    );
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void server.close().finally(() => process.exit(0));
    };
    process.on('message', (m) => {
      if (m === 'stop') stop();
    });
    process.on('disconnect', stop);
    process.send?.({ url: server.url, key } satisfies ServerMessage);
  } catch (err) {
    process.send?.({
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    } satisfies ServerMessage);
    process.exit(1);
  }
}

/** A fresh database on the PostgreSQL server, or undefined when there is none. */
async function serverDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    await admin.end().catch(() => {});
    process.stderr.write(`[bench http] no PostgreSQL at ${ADMIN_URL}: server rows skipped\n`);
    return undefined;
  }
  const name = `alertbase_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Rows per statement of {@link measureFloors}. */
const FLOOR_ROWS = 1_000;

/** Where any store that keeps each alert as a PostgreSQL row starts (see {@link measureFloors}). */
interface Floors {
  /** Bare rows: a primary key and one `jsonb` document. */
  readonly bare: number;
  /** Alertbase's own `alerts` table: its columns, constraints and indexes. */
  readonly table: number;
}

/**
 * What storing the same alerts costs at least, with no HTTP, no validation,
 * no de-duplication and no audit: 1,000 rows per `INSERT … SELECT FROM
 * jsonb_array_elements($1)` (alertbase's own statement shape), over one
 * connection, each statement committed on its own. Once into a table with a
 * primary key and a `jsonb` document only, once into the `alerts` table the
 * alertbase run migrated (what the API's queries need). The rows are built
 * before timing. These are floors, not peers.
 */
async function measureFloors(url: string, bodies: readonly Buffer[]): Promise<Floors> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const alerts = bodies.flatMap((body) => JSON.parse(body.toString('utf8')) as PostableJson[]);
    const now = new Date().toISOString();
    const ids = newIds(alerts.length);
    const rows = alerts.map((a, i) => ({
      f: fingerprint(a.labels),
      d: {
        id: ids[i],
        ruleId: null,
        labels: a.labels,
        annotations: a.annotations,
        level: 'medium',
        priority: 'P3',
        status: 'firing',
        previousStatus: null,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        value: null,
        duplicateCount: 0,
        lastReceivedAt: now,
        acknowledgedBy: null,
        acknowledgedAt: null,
        tenantId: 'bench-floor',
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
    }));
    const statements: string[] = [];
    for (let i = 0; i < rows.length; i += FLOOR_ROWS) {
      statements.push(JSON.stringify(rows.slice(i, i + FLOOR_ROWS)));
    }
    const timed = async (table: string, sql: string): Promise<number> => {
      const start = performance.now();
      for (const array of statements) await client.query(sql, [array]);
      const rate = rows.length / ((performance.now() - start) / 1_000);
      const { rows: counted } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = 'bench-floor'`,
      );
      if (counted[0]?.n !== rows.length) {
        throw new Error(
          `bench: the floor stored ${counted[0]?.n} of ${rows.length} rows in ${table}`,
        );
      }
      return rate;
    };
    await client.query(
      'CREATE TABLE bench_floor (tenant_id text NOT NULL, id text NOT NULL, doc jsonb NOT NULL, PRIMARY KEY (tenant_id, id))',
    );
    const bare = await timed(
      'bench_floor',
      `INSERT INTO bench_floor (tenant_id, id, doc)
       SELECT 'bench-floor', e->'d'->>'id', e->'d' FROM jsonb_array_elements($1::jsonb) AS e`,
    );
    await client.query(
      "INSERT INTO tenants (tenant_id, name, status, doc) VALUES ('bench-floor', 'floor', 'active', '{}')",
    );
    const table = await timed(
      'alerts',
      `INSERT INTO alerts (tenant_id, id, fingerprint, rule_id, status, level, level_rank, labels,
                           annotations, starts_at, ends_at, last_received_at, duplicate_count,
                           version, created_at, updated_at, doc)
       SELECT 'bench-floor', d->>'id', e->>'f', NULL, 'firing', 'medium', 2, d->'labels',
              d->'annotations', (d->>'startsAt')::timestamptz, (d->>'endsAt')::timestamptz,
              (d->>'lastReceivedAt')::timestamptz, 0, 1, (d->>'createdAt')::timestamptz,
              (d->>'updatedAt')::timestamptz, d
         FROM jsonb_array_elements($1::jsonb) AS e, LATERAL (SELECT e->'d' AS d) AS x`,
    );
    return { bare, table };
  } finally {
    await client.end();
  }
}

/** A postable alert as the bench writes it. */
interface PostableJson {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/** Runs alertbase with `env` in `dir` and measures it. */
async function alertbaseWith(
  env: Record<string, string>,
  dir: TempDir,
  warmup: readonly Buffer[],
  bodies: readonly Buffer[],
  load: CycleLoad,
): Promise<Measured> {
  const server = await forkAlertbase(env, dir.path);
  try {
    return await measureAlertbase(server.target, warmup, bodies, load);
  } finally {
    await server.stop();
  }
}

/** One round: Alertmanager, then alertbase on the PostgreSQL server and the floors. */
interface Round {
  readonly alertmanager: Measured;
  readonly postgres?: Measured | undefined;
  readonly floors?: Floors | undefined;
}

/**
 * The round whose `ratio` is the median of the rounds (of an even count, the
 * lower of the two middle ones): the row is reported from it, its own pair.
 */
function medianRound<T>(rounds: readonly T[], ratio: (round: T) => number): T {
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('bench http: no rounds');
  return median;
}

/** Starts Alertmanager, measures it, stops it. */
async function alertmanagerRound(
  bin: string,
  runId: string,
  warmup: readonly Buffer[],
  bodies: readonly Buffer[],
  load: CycleLoad,
): Promise<Measured> {
  const am = await startAlertmanager(bin);
  try {
    return await measureAlertmanager(am, runId, warmup, bodies, load);
  } finally {
    await am.close();
  }
}

/** alertbase on a fresh database of the PostgreSQL server, then the floors; undefined without a server. */
async function serverRound(
  warmup: readonly Buffer[],
  bodies: readonly Buffer[],
  load: CycleLoad,
): Promise<{ readonly postgres: Measured; readonly floors: Floors } | undefined> {
  const database = await serverDatabase();
  if (database === undefined) return undefined;
  const dir = await tempDir('bench-http-pg');
  try {
    const postgres = await alertbaseWith({ DATABASE_URL: database.url }, dir, warmup, bodies, load);
    const floors = await measureFloors(database.url, bodies);
    return { postgres, floors };
  } finally {
    await dir.remove();
    await database.drop();
  }
}

function rate(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} alerts/s`;
}

/** Runs the suite (see the file comment). */
export async function run(): Promise<BenchRow[]> {
  const bin = await findBinary(ALERTMANAGER_BIN);
  if (bin === undefined) {
    throw new Error(
      `bench http: \`${ALERTMANAGER_BIN}\` (the baseline) is not installed; install Debian's prometheus-alertmanager`,
    );
  }
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
    throw new Error('bench http: ALERTBASE_BENCH_HTTP_ROUNDS must be a whole number of at least 1');
  }
  if (!Number.isInteger(TOTAL) || TOTAL < BATCH || TOTAL % BATCH !== 0) {
    throw new Error(`bench http: ALERTBASE_BENCH_HTTP_ALERTS must be a multiple of ${BATCH}`);
  }
  const runId = randomBytes(4).toString('hex');
  const warmup = makeBodies(runId, 'warmup', WARMUP);
  const bodies = makeBodies(runId, 'main', TOTAL);
  const load = makeCycles(runId);
  const log = (line: string): void => {
    process.stderr.write(`[bench http] ${line}\n`);
  };

  const rounds: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const alertmanager = await alertmanagerRound(bin, runId, warmup, bodies, load);
    log(
      `round ${r}: Alertmanager 0.25: first ${rate(alertmanager.first)}, repeat ${rate(alertmanager.repeat)}, Prometheus cycles ${rate(alertmanager.cycles)}`,
    );
    const server = await serverRound(warmup, bodies, load);
    if (server !== undefined) {
      const { postgres, floors } = server;
      log(
        `round ${r}: alertbase PostgreSQL: first ${rate(postgres.first)}, repeat ${rate(postgres.repeat)}, Prometheus cycles ${rate(postgres.cycles)} (${postgres.groups})`,
      );
      log(
        `round ${r}: floors (no HTTP): bare rows ${rate(floors.bare)}, alerts table ${rate(floors.table)}`,
      );
    }
    rounds.push({ alertmanager, ...server });
  }
  // PGlite and the ceiling are measured once, against the last round's Alertmanager.
  const alertmanager = (rounds[rounds.length - 1] as Round).alertmanager;
  const bareDir = await tempDir('bench-http-bare');
  let bare: number;
  try {
    bare = await measureBare(load, bareDir.path);
  } finally {
    await bareDir.remove();
  }
  log(`bare HTTP (parse only): Prometheus cycles ${rate(bare)}`);

  const pgliteDir = await tempDir('bench-http-pglite');
  let pglite: Measured;
  try {
    pglite = await alertbaseWith(
      { ALERTBASE_DATA_DIR: `${pgliteDir.path}/data` },
      pgliteDir,
      warmup,
      bodies,
      load,
    );
  } finally {
    await pgliteDir.remove();
  }
  log(
    `alertbase PGlite: first ${rate(pglite.first)}, repeat ${rate(pglite.repeat)}, Prometheus cycles ${rate(pglite.cycles)} (${pglite.groups})`,
  );
  // The same on the event loop (PGLITE_THREAD=main): what the worker thread buys.
  const onLoopDir = await tempDir('bench-http-pglite-main');
  let pgliteOnLoop: Measured;
  try {
    pgliteOnLoop = await alertbaseWith(
      { ALERTBASE_DATA_DIR: `${onLoopDir.path}/data`, PGLITE_THREAD: 'main' },
      onLoopDir,
      warmup,
      bodies,
      load,
    );
  } finally {
    await onLoopDir.remove();
  }
  log(
    `alertbase PGlite on the event loop: first ${rate(pgliteOnLoop.first)}, repeat ${rate(pgliteOnLoop.repeat)}, Prometheus cycles ${rate(pgliteOnLoop.cycles)}`,
  );

  const n = TOTAL.toLocaleString('en-US');
  const how = `batches of ${BATCH}, ${CONCURRENCY} in flight, keep-alive`;
  const row = (what: string, ours: number, baseline: number): BenchRow =>
    benchRow({
      suite: SUITE,
      case: what,
      unit: 'items/s',
      ours,
      baseline,
      baselineName: 'Alertmanager 0.25 /api/v2/alerts (in memory)',
    });
  const cn = CYCLE_ALERTS.toLocaleString('en-US');
  // Each cycle sends the firing alerts and the resolved ones once more.
  const workload = `Prometheus workload: ${cn} firing alerts resent in ${CYCLES} cycles (batches of ${CYCLE_BATCH}, ${CONCURRENCY} in flight, endsAt a minute on each cycle, 2% of each cycle new or resolved)`;
  const rows = [
    row(
      `${workload}, into alertbase on PGlite in a data directory, in a worker thread (heartbeats answered from the index, written behind within 1 s; the rest committed before the answer)`,
      pglite.cycles,
      alertmanager.cycles,
    ),
    row(
      `${workload}, into alertbase on PGlite on the event loop (PGLITE_THREAD=main; same work)`,
      pgliteOnLoop.cycles,
      alertmanager.cycles,
    ),
    row(
      `${workload}: bare-HTTP ceiling, not alertbase (a Fastify route that only parses the JSON)`,
      bare,
      alertmanager.cycles,
    ),
    row(
      `POST /api/v2/alerts, ${n} new alerts (${how}) into PGlite in a data directory (validate + fingerprint + upsert + audit; committed, not fsynced: PGlite has no fsync)`,
      pglite.first,
      alertmanager.first,
    ),
    row(
      `POST /api/v2/alerts, the same ${n} again (de-duplicated) into PGlite`,
      pglite.repeat,
      alertmanager.repeat,
    ),
  ];
  // The server's rows: each from the round whose ratio is the median, its own pair.
  const served = rounds.flatMap((r) =>
    r.postgres === undefined || r.floors === undefined
      ? []
      : [{ alertmanager: r.alertmanager, postgres: r.postgres, floors: r.floors }],
  );
  if (served.length > 0) {
    const median = `median of ${served.length} rounds, each against the Alertmanager pass just before it`;
    const serverRow = (
      what: string,
      ours: (r: (typeof served)[number]) => number,
      baseline: (r: (typeof served)[number]) => number,
    ): BenchRow => {
      const r = medianRound(served, (x) => ours(x) / baseline(x));
      return row(`${what}; ${median}`, ours(r), baseline(r));
    };
    const floorHow = `${FLOOR_ROWS.toLocaleString('en-US')} per INSERT, no HTTP, no validation, no de-duplication, no audit`;
    rows.push(
      serverRow(
        `${workload}, into alertbase on the PostgreSQL server (same work; changes fsynced on commit)`,
        (r) => r.postgres.cycles,
        (r) => r.alertmanager.cycles,
      ),
      serverRow(
        `POST /api/v2/alerts, ${n} new alerts (${how}) into the PostgreSQL server (same work; fsynced on commit)`,
        (r) => r.postgres.first,
        (r) => r.alertmanager.first,
      ),
      serverRow(
        `POST /api/v2/alerts, the same ${n} again (de-duplicated) into the PostgreSQL server`,
        (r) => r.postgres.repeat,
        (r) => r.alertmanager.repeat,
      ),
      serverRow(
        `floor, not alertbase: the same ${n} alerts as bare rows (primary key + jsonb document) into the PostgreSQL server, ${floorHow}`,
        (r) => r.floors.bare,
        (r) => r.alertmanager.first,
      ),
      serverRow(
        `floor, not alertbase: the same ${n} alerts into alertbase's alerts table (its columns and the indexes the API's queries use), ${floorHow}`,
        (r) => r.floors.table,
        (r) => r.alertmanager.first,
      ),
    );
    // Issue 13's bar for new alerts, as a row of its own: against the floor of the same round.
    const r = medianRound(served, (x) => x.postgres.first / x.floors.table);
    rows.push(
      benchRow({
        suite: SUITE,
        case: `POST /api/v2/alerts, ${n} new alerts into the PostgreSQL server, against the floor of the same alerts into its alerts table measured in the same round (issue 13's target: 0.75×); median of ${served.length} rounds`,
        unit: 'items/s',
        ours: r.postgres.first,
        baseline: r.floors.table,
        baselineName: 'floor: the same alerts into the alerts table (1,000 per INSERT, no HTTP)',
      }),
    );
  }
  return rows;
}

if (process.argv.includes(SERVER_FLAG)) await serveChild();
if (process.argv.includes(BARE_FLAG)) await serveBareChild();
