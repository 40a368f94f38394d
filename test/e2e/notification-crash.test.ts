/**
 * At least once, across kill -9: notifications are queued while a child
 * process delivers them to a real webhook receiver on loopback; the child
 * is killed with SIGKILL at a random moment after its first delivery,
 * round after round, then a last child runs until the outbox is empty.
 * Every notification stored must have reached the receiver (duplicates are
 * allowed and carry the same `webhook-id`).
 */
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
  type Repositories,
} from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CHILD = join(import.meta.dirname, 'fixtures', 'deliver-child.ts');
const TENANT = 'notify-crash';
const PER_ROUND = 10;

/** Runs the child; kills it `killAfterMs` after its first delivery (or `undefined`: when `done()` says). */
function runChild(
  url: string,
  killAfterMs: number | undefined,
  done: () => boolean,
  onReady: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let buffer = '';
    let killing = false;
    const kill = () => {
      killing = true;
      child.kill('SIGKILL');
    };
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') void onReady().catch(reject);
        if (killAfterMs !== undefined && line.startsWith('delivered ') && !killing) {
          killing = true;
          setTimeout(kill, killAfterMs);
        }
      }
    });
    const poll = setInterval(() => {
      if (killAfterMs === undefined && done()) kill();
    }, 50);
    const deadline = setTimeout(kill, 60_000);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      clearTimeout(deadline);
      if (signal === 'SIGKILL' && killing) resolve();
      else reject(new Error(`child ended with ${String(signal)}: ${stderr}`));
    });
  });
}

async function prepare(repos: Repositories, receiver: WebhookReceiver): Promise<void> {
  await repos.tenants.create({ id: TENANT, name: 'crash', tier: 'enterprise' }, 'crash-test');
  const channel = await repos.notificationChannels.create(
    TENANT,
    { name: 'hook', config: { type: 'webhook', url: `${receiver.url}/hook` } },
    'crash-test',
  );
  // Every alert its own group, notified at once.
  await repos.routingTrees.create(
    TENANT,
    {
      route: { receiver: 'hook', group_by: ['...'], group_wait: '0s', group_interval: '1h' },
      receivers: [{ name: 'hook', channels: [channel.id] }],
    } as never,
    'crash-test',
  );
}

const ingest = (repos: Repositories, round: number) =>
  repos.alerts.ingest(
    TENANT,
    Array.from({ length: PER_ROUND }, (_, i) => ({
      labels: { alertname: 'Crash', round: String(round), i: String(i) },
      level: 'high',
      priority: 'P2',
    })),
    'crash-test',
  );

async function storedIds(db: Database): Promise<string[]> {
  const { rows } = await db.withTenant(TENANT, (tx) =>
    tx.query<{ id: string }>('SELECT id FROM notifications ORDER BY id'),
  );
  return rows.map((r) => r.id);
}

const receivedIds = (receiver: WebhookReceiver): Set<string> =>
  new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));

describeWithServer('notifications survive kill -9: PostgreSQL server', () => {
  let server: ServerDatabase;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    server = await createServerDatabase();
    receiver = await startWebhookReceiver(() => Math.random() * 50);
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.drop();
  });

  it('delivers every queued notification at least once across 8 SIGKILLs', async () => {
    const db = await openDatabase({ url: server.url });
    const repos = createRepositories(db);
    try {
      await prepare(repos, receiver);
      const rounds = 8;
      for (let round = 0; round < rounds; round++) {
        // Queued while the child delivers: new alerts arrive during the crash window.
        let ingested: Promise<unknown> | undefined;
        await runChild(
          server.url,
          Math.random() * 300,
          () => false,
          async () => {
            ingested = ingest(repos, round);
            await ingested;
          },
        );
        // The child may die before the round's ingest has answered.
        await ingested;
      }
      // A child killed early leaves the last rounds' alerts unrouted: the
      // last child routes and delivers them (every alert its own group, one
      // notification each).
      await runChild(
        server.url,
        undefined,
        () => receivedIds(receiver).size >= rounds * PER_ROUND,
        async () => {},
      );
      const ids = await storedIds(db);
      expect(ids).toHaveLength(rounds * PER_ROUND);
      const lost = ids.filter((id) => !receivedIds(receiver).has(id));
      expect(lost).toEqual([]);
      const { rows } = await db.withTenant(TENANT, (tx) =>
        tx.query<{ state: string; n: number }>(
          'SELECT state, count(*)::int AS n FROM notifications GROUP BY state',
        ),
      );
      // The last child was killed once everything arrived: some may still be settling.
      expect(rows.every((r) => ['delivered', 'sending'].includes(r.state))).toBe(true);
      // A duplicate carries the id of the notification it repeats.
      for (const r of receiver.received) expect(ids).toContain(String(r.headers['webhook-id']));
    } finally {
      await db.close();
    }
  }, 240_000);
});

describe('notifications survive kill -9: PGlite on disk', () => {
  let dir: string;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-notify-crash-'));
    const db = await PgliteDatabase.create({ dataDir: dir, loadDataDir: await pgliteTemplate() });
    await db.close();
    receiver = await startWebhookReceiver(() => Math.random() * 50);
  });
  afterAll(async () => {
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every queued notification at least once across SIGKILLs', async () => {
    const url = `file:${dir}`;
    const rounds = 3;
    // One process at a time on a PGlite directory: alerts are queued before each child starts.
    for (let round = 0; round < rounds; round++) {
      const db = await openDatabase({ url });
      const repos = createRepositories(db);
      if (round === 0) await prepare(repos, receiver);
      await ingest(repos, round);
      await db.close();
      await runChild(
        url,
        Math.random() * 300,
        () => false,
        async () => {},
      );
    }
    let db = await openDatabase({ url });
    const ids = await storedIds(db);
    await db.close();
    expect(ids).toHaveLength(rounds * PER_ROUND);
    await runChild(
      url,
      undefined,
      () => ids.every((id) => receivedIds(receiver).has(id)),
      async () => {},
    );
    expect(ids.filter((id) => !receivedIds(receiver).has(id))).toEqual([]);
    db = await openDatabase({ url });
    await db.close();
  }, 240_000);
});
