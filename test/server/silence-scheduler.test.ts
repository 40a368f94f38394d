/**
 * The silence scheduler inside the service: a silence that ends releases
 * its alerts within a second, with no request; one that starts later
 * suppresses them on time; a restart in between loses nothing; two
 * instances on one database act once.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { createRepositories, type Repositories } from '../../src/storage/repositories/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function app(db: Database): Promise<FastifyInstance> {
  const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
  const built = await buildApp({ db, config, schedulers: true });
  await built.ready();
  return built;
}

/** Polls the alert's status every 50 ms until it is `status`; the time it was seen. */
async function whenStatus(
  repos: Repositories,
  tenant: string,
  id: string,
  status: string,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await repos.alerts.get(tenant, id)).status === status) return Date.now();
    if (Date.now() > deadline) throw new Error(`alert ${id} not ${status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function firingAlert(repos: Repositories, tenant: string, name: string): Promise<string> {
  const r = await repos.alerts.ingest(
    tenant,
    [{ labels: { alertname: name }, level: 'high', priority: 'P2' }],
    'key:test',
  );
  const item = r.items[0];
  if (item === undefined || item.outcome === 'rejected') throw new Error('not stored');
  return item.id;
}

function silenceOf(name: string, startsInMs: number, endsInMs: number): never {
  return {
    matchers: [{ name: 'alertname', value: name, isRegex: false, isEqual: true }],
    startsAt: new Date(Date.now() + startsInMs).toISOString(),
    endsAt: new Date(Date.now() + endsInMs).toISOString(),
    createdBy: 'ops',
    comment: 'scheduler test',
  } as never;
}

describe('silence scheduler: one instance (PGlite)', () => {
  let db: Database;
  let repos: Repositories;
  let running: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    repos = createRepositories(db);
    await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'test');
    running = await app(db);
  });
  afterAll(async () => {
    await running?.close();
    await db?.close();
  });

  it('releases the alerts of a silence within a second of its end, and suppresses on time at a later start', async () => {
    const id = await firingAlert(repos, 'acme', 'Ends');
    const ending = await repos.silences.create('acme', silenceOf('Ends', 0, 1_200), 'user:1');
    expect((await repos.alerts.get('acme', id)).status).toBe('suppressed');
    const released = await whenStatus(repos, 'acme', id, 'firing', 5_000);
    expect(released - ending.endsAt.getTime()).toBeLessThan(1_000);

    const later = await repos.silences.create('acme', silenceOf('Ends', 800, 60_000), 'user:1');
    expect((await repos.alerts.get('acme', id)).status).toBe('firing');
    const suppressed = await whenStatus(repos, 'acme', id, 'suppressed', 5_000);
    expect(suppressed - later.startsAt.getTime()).toBeLessThan(1_000);
    expect((await repos.alerts.get('acme', id)).silencedBy).toEqual([later.id]);
  });
});

describeWithServer('silence scheduler: two instances and a restart (PostgreSQL server)', () => {
  let server: ServerDatabase;
  let dbs: Database[] = [];
  let repos: Repositories;
  beforeAll(async () => {
    server = await createServerDatabase();
    const first = await openDatabase({ url: server.url, poolSize: 4 });
    dbs.push(first);
    repos = createRepositories(first);
    await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'test');
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
    dbs = [];
    await server?.drop();
  });

  it('two instances release an alert once', async () => {
    const second = await openDatabase({ url: server.url, poolSize: 4 });
    dbs.push(second);
    const apps = [await app(dbs[0] as Database), await app(second)];
    try {
      const id = await firingAlert(repos, 'acme', 'Twice');
      const silence = await repos.silences.create('acme', silenceOf('Twice', 0, 1_000), 'u');
      const released = await whenStatus(repos, 'acme', id, 'firing', 5_000);
      expect(released - silence.endsAt.getTime()).toBeLessThan(1_000);
      // Both schedulers passed over the tenant meanwhile; give them time to act twice if they would.
      await sleep(600);
      const moves = (await repos.audit.list('acme', { action: 'transition' }))
        .filter((e) => e.entityId === id)
        .map((e) => e.details.action);
      expect(moves).toEqual(['suppress', 'unsuppress']);
    } finally {
      for (const a of apps) await a.close();
    }
  });

  it('a restart while a silence ends loses nothing', async () => {
    const id = await firingAlert(repos, 'acme', 'Restart');
    const before = await app(dbs[0] as Database);
    const silence = await repos.silences.create('acme', silenceOf('Restart', 0, 800), 'u');
    await before.close();
    // Down while the silence ends: nothing releases the alert.
    await sleep(1_500);
    expect((await repos.alerts.get('acme', id)).status).toBe('suppressed');
    const after = await app(dbs[0] as Database);
    try {
      const started = Date.now();
      await whenStatus(repos, 'acme', id, 'firing', 5_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(silence.endsAt.getTime()).toBeLessThan(started);
    } finally {
      await after.close();
    }
  });
});
