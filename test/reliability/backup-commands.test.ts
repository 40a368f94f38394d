/** The backup, restore and admin commands in this process (the drill runs them as processes). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runBackup, runRestore } from '../../src/server/backup-commands.js';
import { runCreateAdminKey, runIssueOwnerKey } from '../../src/server/commands.js';
import { startServer } from '../../src/server/start-server.js';
import { pgDump, pgRestore } from '../../src/storage/backup.js';
import { openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { ADMIN_KEY, ioOf } from './command-io.js';

describe('alertbase backup / restore / admin, in this process (PGlite)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-backup-cmd-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('backs up a directory no server holds, restores it, refuses to overwrite without --force', async () => {
    const dataDir = join(root, 'plain');
    const io = ioOf(root, { ALERTBASE_DATA_DIR: dataDir });
    await runCreateAdminKey({ name: 'ops' }, io);
    expect(await runBackup({ out: 'plain.tar' }, io)).toBe('pglite');
    await rm(dataDir, { recursive: true, force: true });
    await runRestore({ from: 'plain.tar' }, io);
    await expect(runRestore({ from: 'plain.tar' }, io)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_BACKUP_FAILED',
    });
    await runRestore({ from: 'plain.tar', force: true }, io);
    const db = await openDatabase({ dataDir });
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE name = 'ops'",
    );
    await db.close();
    expect(rows).toEqual([{ n: 1 }]);
    expect(io.out()).toContain(`Restored ${join(root, 'plain.tar')} into ${dataDir}`);
  }, 120_000);

  it('says there is nothing to back up where no directory is', async () => {
    const io = ioOf(root, { ALERTBASE_DATA_DIR: join(root, 'absent') });
    await expect(runBackup({ out: 'none.tar' }, io)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_BACKUP_FAILED',
      context: { reason: 'there is no data directory there' },
    });
  });

  it('goes through the running server that holds the directory', async () => {
    const env = { ALERTBASE_DATA_DIR: join(root, 'served'), ALERTBASE_ADMIN_KEY: ADMIN_KEY };
    const { config } = await loadConfig({ env, cwd: root });
    const server = await startServer({
      config,
      env: {},
      port: 0,
      host: '127.0.0.1',
      logger: false,
      print: () => {},
      handleSignals: false,
    });
    try {
      const io = ioOf(root, env);
      expect(await runBackup({ out: 'served.tar' }, io)).toBe('api');
      const key = await runIssueOwnerKey({ tenant: 'demo', reason: 'test' }, io);
      const res = await fetch(`${server.url}/v1/alerts`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      await expect(runIssueOwnerKey({ tenant: 'nobody' }, io)).rejects.toMatchObject({
        code: 'ALERTBASE_INTERNAL',
      });
      // Without the platform key, the directory is the server's: refused, naming it.
      await expect(
        runBackup(
          { out: 'refused.tar' },
          ioOf(root, { ALERTBASE_DATA_DIR: env.ALERTBASE_DATA_DIR }),
        ),
      ).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_DATA_DIR_LOCKED',
        context: { pid: process.pid },
      });
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('pg_dump and pg_restore as programs', () => {
  it('say clearly when the program is missing, and why it failed', async () => {
    await expect(
      pgDump('postgres://127.0.0.1/x', '/tmp/x.dump', 'alertbase-no-such-pg-dump'),
    ).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_BACKUP_FAILED',
      context: { reason: expect.stringContaining('is not installed') },
    });
    const garbage = join(tmpdir(), `alertbase-garbage-${process.pid}.dump`);
    await writeFile(garbage, 'not a dump');
    try {
      await expect(
        pgRestore('postgres://postgres@127.0.0.1:1/none', garbage),
      ).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_BACKUP_FAILED',
        context: { reason: expect.stringContaining('pg_restore ended with') },
      });
    } finally {
      await rm(garbage, { force: true });
    }
  });
});

describeWithServer('alertbase backup / restore, in this process (PostgreSQL server)', () => {
  let database: ServerDatabase;
  let root: string;
  beforeAll(async () => {
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-backup-cmd-pg-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('backs up with pg_dump and restores with pg_restore', async () => {
    const io = ioOf(root, { DATABASE_URL: database.url });
    await runCreateAdminKey({ name: 'ops' }, io);
    expect(await runBackup({ out: 'db.dump' }, io)).toBe('pg_dump');
    await database.drop();
    const { adminQuery } = await import('../storage/helpers/server.js');
    await adminQuery(`CREATE DATABASE ${database.name}`);
    await runRestore({ from: 'db.dump' }, io);
    const db = await openDatabase({ url: database.url });
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE name = 'ops'",
    );
    await db.close();
    expect(rows).toEqual([{ n: 1 }]);
  }, 120_000);
});
