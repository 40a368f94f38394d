import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir, lockFileOf, readDataDirLock } from '../../src/storage/data-dir-lock.js';
import { PgliteDatabase } from '../../src/storage/drivers/pglite.js';
import { openDatabase, pgliteTemplate } from '../../src/storage/index.js';
import { runAlertbase, startServeProcess } from './cli-process.js';

/** A pid that certainly ran and is gone: a process that already exited. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', '0']);
  return done.pid;
}

describe('the PGlite data directory lock (in this process)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-lock-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('refuses a second holder, naming the pid, until the first releases', async () => {
    const dir = join(root, 'a');
    const lock = await lockDataDir(dir, { holder: 'first' });
    expect(lock.path).toBe(`${dir}.lock`);
    const err = await lockDataDir(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ALERTBASE_STORAGE_DATA_DIR_LOCKED',
      status: 409,
      context: { pid: process.pid, holder: 'first', lockFile: `${dir}.lock` },
    });
    await lock.release();
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
    expect(await readDataDirLock(lockFileOf(dir))).toBeUndefined();
  });

  it('says where the holder serves once it announced it', async () => {
    const dir = join(root, 'b');
    const lock = await lockDataDir(dir, { holder: 'alertbase serve' });
    await lock.announce('http://127.0.0.1:1234');
    expect(await readDataDirLock(lock.path)).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      url: 'http://127.0.0.1:1234',
    });
    const err = await lockDataDir(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ALERTBASE_STORAGE_DATA_DIR_LOCKED',
      context: { holder: 'alertbase serve, serving http://127.0.0.1:1234' },
    });
    await lock.release();
  });

  it("takes over a dead process's lock and a garbage lock file", async () => {
    const dir = join(root, 'c');
    const pid = deadPid();
    await writeFile(
      lockFileOf(dir),
      JSON.stringify({ pid, hostname: hostname(), holder: 'crashed', since: '' }),
    );
    const lock = await lockDataDir(dir);
    expect(lock.info.pid).toBe(process.pid);
    await lock.release();
    await writeFile(lockFileOf(dir), 'not json');
    const second = await lockDataDir(dir);
    expect(JSON.parse(await readFile(lockFileOf(dir), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    await second.release();
  });

  it("does not take over another machine's lock (its pid cannot be checked)", async () => {
    const dir = join(root, 'd');
    await writeFile(
      lockFileOf(dir),
      JSON.stringify({ pid: deadPid(), hostname: 'elsewhere.example', holder: 'x', since: '' }),
    );
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_DATA_DIR_LOCKED',
      context: { holder: 'x on elsewhere.example' },
    });
    await rm(lockFileOf(dir));
  });

  it('is taken by every PGlite open of a directory and released by close', async () => {
    const dir = join(root, 'e');
    const db = await PgliteDatabase.create({ dataDir: dir, loadDataDir: await pgliteTemplate() });
    await expect(openDatabase({ url: `file:${dir}` })).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_DATA_DIR_LOCKED',
      context: { pid: process.pid },
    });
    await db.close();
    const reopened = await openDatabase({ url: `file:${dir}` });
    expect((await reopened.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await reopened.close();
    expect(await readDataDirLock(lockFileOf(dir))).toBeUndefined();
  }, 60_000);
});

describe('the PGlite data directory lock (two processes)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-lock-proc-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('refuses admin commands while serve holds it, sends owner-key through the API, and takes over after a crash', async () => {
    const adminKey = 'a3f9c2e81b7d4065f1e2a9b8c7d6e5f40123456789abcdef0fedcba987654321';
    const env = { ALERTBASE_DATA_DIR: join(root, 'data'), ALERTBASE_ADMIN_KEY: adminKey };
    const serve = await startServeProcess(env, root);
    try {
      // The unsafe case of the issue: a key printed by a second process that never works.
      const refused = await runAlertbase(
        ['admin', 'create-key', '--name', 'ops'],
        { ALERTBASE_DATA_DIR: env.ALERTBASE_DATA_DIR },
        root,
      );
      expect(refused.code).toBe(2);
      expect(refused.stdout).not.toMatch(/key/i);
      expect(refused.stderr).toContain('ALERTBASE_STORAGE_DATA_DIR_LOCKED');
      expect(refused.stderr).toContain(`pid ${serve.pid}`);
      expect(refused.stderr).toContain(`alertbase serve, serving ${serve.url}`);
      expect(refused.stderr).toContain('stop that server');

      // owner-key with a platform key goes through the running server.
      const issued = await runAlertbase(
        ['admin', 'owner-key', '--tenant', 'demo', '--reason', 'drill'],
        env,
        root,
      );
      expect(issued.stderr).toBe('');
      expect(issued.code).toBe(0);
      const ownerKey = /\n {2}(\S+)\n/.exec(issued.stdout)?.[1] ?? '';
      expect(issued.stdout).toContain(`issued by the running server at ${serve.url}`);
      const res = await fetch(`${serve.url}/v1/alerts`, {
        headers: { authorization: `Bearer ${ownerKey}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await serve.kill();
    }
    // kill -9 left the lock behind: its process is gone, so the next opener takes it over.
    const lockLeft = await readDataDirLock(lockFileOf(env.ALERTBASE_DATA_DIR));
    expect(lockLeft?.pid).toBe(serve.pid);
    const created = await runAlertbase(
      ['admin', 'create-key', '--name', 'ops'],
      { ALERTBASE_DATA_DIR: env.ALERTBASE_DATA_DIR },
      root,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const platformKey = /\n {2}(\S+)\n/.exec(created.stdout)?.[1] ?? '';
    expect(await readDataDirLock(lockFileOf(env.ALERTBASE_DATA_DIR))).toBeUndefined();
    // The key made while no server ran works in the next one.
    const next = await startServeProcess({ ALERTBASE_DATA_DIR: env.ALERTBASE_DATA_DIR }, root);
    try {
      const res = await fetch(`${next.url}/v1/tenants/demo`, {
        headers: { authorization: `Bearer ${platformKey}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await next.kill();
    }
  }, 180_000);
});
