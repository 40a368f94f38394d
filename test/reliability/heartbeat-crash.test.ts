/**
 * kill -9 of `alertbase serve` (a real process) during a resend storm:
 * every acknowledged new alert, annotation change and resolution is stored,
 * and of the heartbeats (resends answered from the index, written behind)
 * at most the configured window is lost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { type ServeProcess, startServeProcess } from './cli-process.js';
import { sleep } from './ingest-load.js';

const WINDOW_MS = 1_000;
const STORM = 256;
const BATCH = 64;
const CHANGING = 40;

async function demoKeyOf(serve: ServeProcess): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const key = /shown only this once[^\n]*\n\s+(\S+)\n/.exec(serve.output())?.[1];
    if (key !== undefined) return key;
    await sleep(100);
  }
  throw new Error(`no demo key in: ${serve.output()}`);
}

type Postable = {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
};

const firing = (labels: Record<string, string>, summary: string): Postable => ({
  labels,
  annotations: { summary },
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
});

/** What the clients were told, to be checked against the database after the crash. */
interface Told {
  /** Storm alerts: when the last acknowledged resend of each was sent (ms since epoch). */
  readonly lastResend: Map<string, number>;
  /** Changing alerts: the acknowledged summary, and those sent after it (not acknowledged). */
  readonly summaries: Map<string, { acked: string | undefined; later: string[] }>;
  /** New alerts acknowledged. */
  readonly created: Set<string>;
  /** Alerts whose resolution was acknowledged. */
  readonly resolved: Set<string>;
  /**
   * The slowest acknowledged request, ms: how loaded the machine was. A
   * flush of the write-behind takes as long as a request's write, so the
   * heartbeats lost are bounded by the window plus that.
   */
  slowestMs: number;
}

async function storm(
  serve: ServeProcess,
  key: string,
  stop: (serve: ServeProcess) => Promise<void>,
): Promise<{ told: Told; killedAt: number }> {
  const told: Told = {
    lastResend: new Map(),
    summaries: new Map(
      Array.from({ length: CHANGING }, (_, i) => [String(i), { acked: 'v0', later: [] }]),
    ),
    created: new Set(),
    resolved: new Set(),
    slowestMs: 0,
  };
  const post = async (alerts: Postable[]): Promise<boolean> => {
    const sentAt = Date.now();
    try {
      const res = await fetch(`${serve.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status === 200) told.slowestMs = Math.max(told.slowestMs, Date.now() - sentAt);
      return res.status === 200;
    } catch {
      return false;
    }
  };
  const storming = Array.from({ length: STORM }, (_, i) => ({ alertname: 'Storm', i: String(i) }));
  const changing = Array.from({ length: CHANGING }, (_, i) => ({
    alertname: 'Change',
    i: String(i),
  }));
  const resolving = Array.from({ length: CHANGING }, (_, i) => ({
    alertname: 'Res',
    i: String(i),
  }));
  // Every alert exists before the storm.
  for (let b = 0; b < STORM; b += BATCH) {
    expect(await post(storming.slice(b, b + BATCH).map((l) => firing(l, 'steady')))).toBe(true);
  }
  expect(await post(changing.map((l) => firing(l, 'v0')))).toBe(true);
  expect(await post(resolving.map((l) => firing(l, 'up')))).toBe(true);

  let running = true;
  const resender = async (): Promise<void> => {
    while (running) {
      for (let b = 0; b < STORM && running; b += BATCH) {
        const slice = storming.slice(b, b + BATCH);
        const sentAt = Date.now();
        if (await post(slice.map((l) => firing(l, 'steady')))) {
          for (const l of slice) told.lastResend.set(l.i, sentAt);
        }
      }
    }
  };
  const changer = async (): Promise<void> => {
    for (let n = 1; running; n++) {
      const k = n % CHANGING;
      const labels = changing[k] as Record<string, string>;
      const entry = told.summaries.get(String(k)) as { acked: string | undefined; later: string[] };
      const summary = `v${n}`;
      entry.later.push(summary);
      if (await post([firing(labels, summary)])) {
        entry.acked = summary;
        entry.later = [];
      }
      const seq = `n${n}`;
      if (await post([firing({ alertname: 'New', seq }, 'new')])) told.created.add(seq);
      if (n <= CHANGING) {
        const r = resolving[n - 1] as Record<string, string>;
        const ok = await post([
          {
            labels: r,
            annotations: { summary: 'up' },
            endsAt: new Date(Date.now() - 1_000).toISOString(),
          },
        ]);
        if (ok) told.resolved.add(r.i as string);
      }
    }
  };
  const loops = [resender(), resender(), resender(), changer()];
  await sleep(3_000);
  // A loaded machine may need longer for every alert to be resent once.
  for (let i = 0; i < 600 && told.lastResend.size < STORM; i++) await sleep(100);
  const killedAt = Date.now();
  await stop(serve);
  running = false;
  await Promise.all(loops);
  return { told, killedAt };
}

async function expectKept(db: Database, told: Told, lostMs: number): Promise<void> {
  const { rows } = await db.withTenant('demo', (tx) =>
    tx.query<{
      name: string;
      i: string | null;
      seq: string | null;
      status: string;
      summary: string;
      received: Date;
    }>(
      `SELECT labels->>'alertname' AS name, labels->>'i' AS i, labels->>'seq' AS seq, status,
              annotations->>'summary' AS summary, last_received_at AS received FROM alerts`,
    ),
  );
  const of = (name: string) => rows.filter((r) => r.name === name);
  // New alerts: every acknowledged one is there.
  const created = new Set(of('New').map((r) => r.seq));
  expect([...told.created].filter((seq) => !created.has(seq))).toEqual([]);
  expect(told.created.size).toBeGreaterThan(0);
  // Changes: the acknowledged summary, or one sent after it.
  for (const [i, { acked, later }] of told.summaries) {
    const row = of('Change').find((r) => r.i === i && r.status !== 'resolved');
    expect([acked, ...later]).toContain(row?.summary);
  }
  // Resolutions.
  for (const i of told.resolved) {
    expect(of('Res').find((r) => r.i === i)?.status).toBe('resolved');
  }
  expect(told.resolved.size).toBeGreaterThan(0);
  // Heartbeats: at most the window lost (plus the time a flush itself takes).
  let worst = 0;
  for (const row of of('Storm')) {
    const last = told.lastResend.get(row.i ?? '');
    if (last !== undefined) worst = Math.max(worst, last - row.received.getTime());
  }
  expect(told.lastResend.size).toBe(STORM);
  expect(worst).toBeLessThan(lostMs);
}

const kill9 = (serve: ServeProcess) => serve.kill();
const sigterm = async (serve: ServeProcess) => {
  serve.signal('SIGTERM');
  await serve.exited;
};

async function crashDuringStorm(
  env: Record<string, string>,
  root: string,
  stop: (serve: ServeProcess) => Promise<void> = kill9,
) {
  const serve = await startServeProcess(
    { ...env, INGEST_HEARTBEAT_WINDOW_MS: String(WINDOW_MS) },
    root,
  );
  try {
    const key = await demoKeyOf(serve);
    return await storm(serve, key, stop);
  } finally {
    await serve.kill();
  }
}

describe('kill -9 during a resend storm: PGlite', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-hb-crash-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('loses no new alert, change or resolution, and at most the window of heartbeats', async () => {
    const dataDir = join(root, 'data');
    const { told } = await crashDuringStorm({ ALERTBASE_DATA_DIR: dataDir }, root);
    const db = await openDatabase({ dataDir });
    try {
      // The window, plus what a flush under way may take.
      await expectKept(db, told, WINDOW_MS + Math.max(1_000, told.slowestMs));
    } finally {
      await db.close();
    }
  }, 120_000);

  it('SIGTERM instead: every heartbeat answered is written before the exit', async () => {
    const dataDir = join(root, 'data-term');
    const { told } = await crashDuringStorm({ ALERTBASE_DATA_DIR: dataDir }, root, sigterm);
    const db = await openDatabase({ dataDir });
    try {
      // Requests answered after the last resend's send time: nothing older than it is missing.
      await expectKept(db, told, 1);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describeWithServer('kill -9 during a resend storm: PostgreSQL server', () => {
  let database: ServerDatabase;
  let root: string;
  beforeAll(async () => {
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-hb-crash-pg-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('loses no new alert, change or resolution, and at most the window of heartbeats', async () => {
    const { told } = await crashDuringStorm({ DATABASE_URL: database.url }, root);
    const db = await openDatabase({ url: database.url });
    try {
      await expectKept(db, told, WINDOW_MS + Math.max(1_000, told.slowestMs));
    } finally {
      await db.close();
    }
  }, 120_000);
});
