import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/base/constants.js';
import {
  createTestDatabase,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  type Migration,
  openDatabase,
  redactUrl,
  resolveDatabaseTarget,
} from '../../src/storage/index.js';
import { forgetTemplates } from '../../src/storage/pglite-template.js';

describe('resolveDatabaseTarget', () => {
  it('picks the engine from the URL', () => {
    expect(resolveDatabaseTarget({})).toEqual({ engine: 'pglite', dataDir: DEFAULTS.dataDir });
    expect(resolveDatabaseTarget({ url: '', dataDir: '/d' })).toEqual({
      engine: 'pglite',
      dataDir: '/d',
    });
    expect(resolveDatabaseTarget({ url: 'memory://' })).toEqual({
      engine: 'pglite',
      dataDir: undefined,
    });
    expect(resolveDatabaseTarget({ url: 'file:./data/x' })).toEqual({
      engine: 'pglite',
      dataDir: './data/x',
    });
    expect(resolveDatabaseTarget({ url: 'file:///var/lib/a%20b' })).toEqual({
      engine: 'pglite',
      dataDir: '/var/lib/a b',
    });
    for (const url of ['postgres://u@h/db', 'postgresql://u@h:5433/db?sslmode=require']) {
      expect(resolveDatabaseTarget({ url })).toEqual({ engine: 'postgres', url });
    }
  });

  it('refuses other schemes without printing the password', () => {
    for (const url of ['mysql://u:hunter2@h/db', 'file:', 'nonsense']) {
      let err: unknown;
      try {
        resolveDatabaseTarget({ url });
      } catch (e) {
        err = e;
      }
      expect(err, url).toMatchObject({ code: 'ALERTBASE_STORAGE_URL_INVALID' });
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
  });

  it('redacts passwords', () => {
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('not a url')).toBe('(unparsable URL)');
  });
});

describe('openDatabase with PGlite on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-disk-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('closes and throws when the self-check fails, keeps the data, and reopens', async () => {
    const unsafe: Migration = {
      id: MIGRATIONS.length + 1,
      name: 'unsafe',
      sql: 'CREATE TABLE leak (tenant_id text)',
    };
    await expect(
      openDatabase({ url: `file:${dir}`, migrations: [...MIGRATIONS, unsafe] }),
    ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_ISOLATION_UNSAFE' });

    const reopened = await openDatabase({ dataDir: dir, migrate: false });
    try {
      expect((await reopened.query(`SELECT id FROM ${MIGRATIONS_TABLE}`)).rowCount).toBe(
        MIGRATIONS.length + 1,
      );
      await reopened.exec('DROP TABLE leak');
    } finally {
      await reopened.close();
    }
    await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_MIGRATION_UNKNOWN',
    });
  });
});

describe('createTestDatabase', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-template-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('gives independent migrated databases', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      await a.exec('CREATE TABLE only_in_a (x int)');
      expect((await b.query("SELECT to_regclass('only_in_a') AS t")).rows).toEqual([{ t: null }]);
      expect((await b.query(`SELECT id FROM ${MIGRATIONS_TABLE}`)).rowCount).toBe(
        MIGRATIONS.length,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('caches the template in cacheDir and rebuilds a broken cache file', async () => {
    const first = await createTestDatabase({ cacheDir: dir });
    await first.close();
    const [file] = await readdir(dir);
    expect(file).toMatch(/^pglite-template-[0-9a-f]{16}\.tar$/);
    await writeFile(join(dir, file ?? ''), 'not a tarball');
    // A new process reads the broken file: simulate it by forgetting the in-memory copy.
    forgetTemplates();
    const events: string[] = [];
    const again = await createTestDatabase({ cacheDir: dir, onQuery: (e) => events.push(e.sql) });
    try {
      await again.query('SELECT 1');
      expect(events).toEqual(['SELECT 1']);
    } finally {
      await again.close();
    }
  });

  it('can keep the template in memory only', async () => {
    const db = await createTestDatabase({ cacheDir: false });
    await db.close();
  });
});
