import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteDatabase } from '../../src/storage/drivers/pglite.js';
import {
  createRepositories,
  type Database,
  openDatabase,
  pgliteTemplate,
} from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

/** tsx's loader by absolute URL: a child whose working directory is elsewhere resolves it too. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const CHILD = join(import.meta.dirname, 'fixtures', 'ingest-child.ts');
const TENANT = 'crash';

/** Runs the child until it acknowledged a batch, then SIGKILLs it at a random moment. */
function round(url: string, start: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, url, TENANT, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffer = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        // Kill between 0 and 400 ms after the first acknowledged batch: mid-statement, mid-commit, anywhere.
        if (acked.length === 1 && timer === undefined) {
          timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * 400);
        }
      }
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL' || acked.length === 0) {
        reject(
          new Error(`child ended with ${String(signal)} after ${acked.length} acks: ${stderr}`),
        );
      } else {
        resolve(acked);
      }
    });
  });
}

async function crashRounds(
  url: string,
  rounds: number,
  open: () => Promise<Database>,
): Promise<void> {
  const acked: number[] = [];
  for (let r = 0; r < rounds; r++) acked.push(...(await round(url, r * 10_000)));
  const db = await open();
  try {
    const repos = createRepositories(db);
    const { rows } = await db.withTenant(TENANT, (tx) =>
      tx.query<{ batch: string; n: number }>(
        "SELECT labels->>'batch' AS batch, count(*)::int AS n FROM alerts GROUP BY 1",
      ),
    );
    const stored = new Map(rows.map((r) => [Number(r.batch), r.n]));
    // 40 items, 35 distinct fingerprints (i % 35): 35 rows per batch.
    for (const batch of acked) expect([batch, stored.get(batch)]).toEqual([batch, 35]);
    // Every stored batch is whole: no half-written batch, acknowledged or not.
    for (const n of stored.values()) expect(n).toBe(35);
    const check = await repos.audit.verify(TENANT);
    expect(check.ok).toBe(true);
    const ingests = (await repos.audit.list(TENANT, { limit: 1_000 })).filter(
      (e) => e.action === 'ingest',
    );
    expect(ingests).toHaveLength(stored.size);
  } finally {
    await db.close();
  }
}

// 8 rounds in all: PGlite restarts are slow (WASM start-up), so the server takes more of them.
describe('crash safety: PGlite on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-crash-'));
    const db = await PgliteDatabase.create({ dataDir: dir, loadDataDir: await pgliteTemplate() });
    await db.close();
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('keeps every acknowledged batch and a verifiable chain across SIGKILLs', async () => {
    await crashRounds(`file:${dir}`, 3, () => openDatabase({ url: `file:${dir}` }));
  }, 120_000);

  // docs/storage.md ("Durability") says so: PGlite starts PostgreSQL with
  // `-F` and its Node file system has no fsync, so a commit reaches the
  // operating system, not the disk. Should PGlite change this, the docs must too.
  it('runs without fsync: a commit survives the process, not a power loss', async () => {
    const db = await openDatabase({ url: `file:${dir}` });
    try {
      const { rows } = await db.query<{ fsync: string }>('SHOW fsync');
      expect(rows).toEqual([{ fsync: 'off' }]);
    } finally {
      await db.close();
    }
  });
});

describeWithServer('crash safety: PostgreSQL server', () => {
  let server: ServerDatabase;
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => server?.drop());

  it('keeps every acknowledged batch and a verifiable chain across SIGKILLs', async () => {
    await crashRounds(server.url, 5, () => openDatabase({ url: server.url }));
  }, 120_000);
});
