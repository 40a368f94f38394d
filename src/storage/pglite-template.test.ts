import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, MIGRATIONS_TABLE } from './migrate.js';
import { MIGRATIONS } from './migrations/list.js';
import {
  cachedTemplateName,
  forgetTemplates,
  loadPgliteTemplate,
  pgliteTemplate,
  pgliteTemplateKey,
  pgliteTemplateSeed,
  pgliteVersion,
  shippedTemplateName,
  unpackedTemplateDir,
  unpackedTemplateName,
  writeShippedTemplate,
  writeUnpackedTemplate,
} from './pglite-template.js';
import { createTestDatabase } from './test-database.js';
import type { Database } from './types.js';

const INSTALLED_PGLITE = (
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;

let dir: string;
/** A directory holding a shipped template under the current key. */
let shipped: string;
/** The uncompressed template (the machine's cache), to seed cache directories with. */
let tarball: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-template-'));
  shipped = join(dir, 'shipped');
  tarball = new Uint8Array(await (await pgliteTemplate({ shippedDir: false })).arrayBuffer());
  await writeShippedTemplate(shipped, { template: async () => new Blob([tarball]) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  forgetTemplates();
});

/** A digest to compare tarballs by (a 40 MB deep equality takes half a minute). */
const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A new directory under the test's own. */
async function fresh(name: string): Promise<string> {
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
  await mkdir(path, { recursive: true });
  return path;
}

/** A cache directory holding the current template. */
async function filledCache(): Promise<string> {
  const cache = await fresh('cache');
  await writeFile(join(cache, cachedTemplateName()), tarball);
  return cache;
}

/** Asserts that `db` has every migration applied, then closes it. */
async function expectMigrated(db: Database): Promise<void> {
  try {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${MIGRATIONS_TABLE}`);
    expect(rows).toEqual([{ n: MIGRATIONS.length }]);
  } finally {
    await db.close();
  }
}

describe('the template key', () => {
  it('hashes the installed PGlite version and every migration', () => {
    expect(pgliteVersion()).toBe(INSTALLED_PGLITE);
    const expected = checksumOf(
      [`pglite ${INSTALLED_PGLITE}`, ...MIGRATIONS.map((m) => `${m.id}:${checksumOf(m.sql)}`)].join(
        '\n',
      ),
    ).slice(0, 16);
    expect(pgliteTemplateKey()).toBe(expected);
    expect(cachedTemplateName()).toBe(`pglite-template-${expected}.tar`);
    expect(shippedTemplateName()).toBe(`pglite-template-${expected}.tar.gz`);
  });
});

describe('writeShippedTemplate', () => {
  it('writes the gzip-compressed template under the current key', async () => {
    const file = join(shipped, shippedTemplateName());
    expect(await readdir(shipped)).toEqual([shippedTemplateName()]);
    expect(digest(gunzipSync(await readFile(file)))).toBe(digest(tarball));
  });

  it('keeps an up-to-date template and removes those under other keys', async () => {
    const target = await fresh('dist');
    const stale = 'pglite-template-0123456789abcdef.tar.gz';
    await writeFile(join(target, stale), 'old');
    await writeFile(join(target, 'pglite-template.js'), 'kept');
    const first = await writeShippedTemplate(target, {
      template: async () => new Blob([tarball]),
    });
    expect(first.written).toBe(true);
    expect((await readdir(target)).sort()).toEqual(
      ['pglite-template.js', shippedTemplateName()].sort(),
    );
    const before = await stat(first.file);
    const second = await writeShippedTemplate(target, {
      template: () => Promise.reject(new Error('must not rebuild')),
    });
    expect(second).toEqual({ file: first.file, written: false, bytes: before.size });
    expect((await stat(first.file)).mtimeMs).toBe(before.mtimeMs);
  });
});

describe('writeUnpackedTemplate', () => {
  // Loads the tarball into a data directory and closes PGlite on it: seconds.
  it('writes a cleanly closed data directory under the current key, once', async () => {
    const target = await fresh('unpacked');
    const stale = join(target, 'pglite-template-0123456789abcdef');
    await mkdir(stale);
    await writeFile(join(stale, 'PG_VERSION'), '17');
    expect(unpackedTemplateDir({ shippedDir: target })).toBeUndefined();
    expect(
      await pgliteTemplateSeed({ shippedDir: target, cacheDir: await filledCache() }),
    ).toBeInstanceOf(Blob);

    const first = await writeUnpackedTemplate(target, {
      template: async () => new Blob([tarball]),
    });
    expect(first).toEqual({ dir: join(target, unpackedTemplateName()), written: true });
    // The stale one is gone, no partial or lock file is left beside it.
    expect(await readdir(target)).toEqual([unpackedTemplateName()]);
    const files = await readdir(first.dir);
    expect(files).toEqual(expect.arrayContaining(['PG_VERSION', 'base', 'pg_wal']));
    // Closed cleanly: no postmaster.pid, so a start from a copy runs no crash recovery.
    expect(files).not.toContain('postmaster.pid');
    expect(unpackedTemplateDir({ shippedDir: target })).toBe(first.dir);
    expect(unpackedTemplateDir({ shippedDir: false })).toBeUndefined();
    expect(await pgliteTemplateSeed({ shippedDir: target })).toEqual({ directory: first.dir });

    const before = await stat(join(first.dir, 'PG_VERSION'));
    const second = await writeUnpackedTemplate(target, {
      template: () => Promise.reject(new Error('must not rebuild')),
    });
    expect(second).toEqual({ dir: first.dir, written: false });
    expect((await stat(join(first.dir, 'PG_VERSION'))).mtimeMs).toBe(before.mtimeMs);

    // A copy opens as a migrated database.
    const copy = join(await fresh('copy'), 'data');
    await cp(first.dir, copy, { recursive: true });
    const { PgliteDatabase } = await import('./drivers/pglite.js');
    await expectMigrated(await PgliteDatabase.create({ dataDir: copy }));
  }, 120_000);
});

describe('loadPgliteTemplate', () => {
  it('uses the shipped template first and writes no cache', async () => {
    const cache = join(await fresh('empty'), 'cache');
    const template = await loadPgliteTemplate({ shippedDir: shipped, cacheDir: cache });
    expect(template.source).toBe('shipped');
    expect(digest(new Uint8Array(await template.data.arrayBuffer()))).toBe(digest(tarball));
    expect(existsSync(cache)).toBe(false);
    // The same call in this process is answered from memory.
    expect(loadPgliteTemplate({ shippedDir: shipped, cacheDir: cache })).toBe(
      loadPgliteTemplate({ shippedDir: shipped, cacheDir: cache }),
    );
    // Unless it is not to be kept (a server seeding its one data directory).
    const once = { shippedDir: shipped, cacheDir: cache, keep: false } as const;
    const unkept = loadPgliteTemplate(once);
    expect(unkept).not.toBe(loadPgliteTemplate(once));
    expect((await unkept).source).toBe('shipped');
  });

  it('prefers the shipped template to a cached one', async () => {
    const template = await loadPgliteTemplate({
      shippedDir: shipped,
      cacheDir: await filledCache(),
    });
    expect(template.source).toBe('shipped');
  });

  it('ignores a shipped template under another key', async () => {
    const other = await fresh('other-key');
    const wrong = 'pglite-template-0123456789abcdef.tar.gz';
    expect(wrong).not.toBe(shippedTemplateName());
    await copyFile(join(shipped, shippedTemplateName()), join(other, wrong));
    const template = await loadPgliteTemplate({ shippedDir: other, cacheDir: await filledCache() });
    expect(template.source).toBe('cache');
  });

  it('ignores a damaged shipped template', async () => {
    const damaged = await fresh('damaged');
    const packed = await readFile(join(shipped, shippedTemplateName()));
    await writeFile(join(damaged, shippedTemplateName()), packed.subarray(0, packed.length - 100));
    const template = await loadPgliteTemplate({
      shippedDir: damaged,
      cacheDir: await filledCache(),
    });
    expect(template.source).toBe('cache');
  });

  // Builds the template twice (initdb and every migration each time): slow on a busy machine.
  it('builds without a shipped or cached template', async () => {
    const template = await loadPgliteTemplate({ shippedDir: false, cacheDir: false });
    expect(template.source).toBe('built');
    await expectMigrated(await createTestDatabase({ shippedDir: false, cacheDir: false }));
  }, 120_000);
});

describe('createTestDatabase with a shipped template', () => {
  it('opens a migrated database from it without creating the cache', async () => {
    const cache = join(await fresh('unused'), 'cache');
    const db = await createTestDatabase({ shippedDir: shipped, cacheDir: cache });
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${MIGRATIONS_TABLE}`);
      expect(rows).toEqual([{ n: MIGRATIONS.length }]);
    } finally {
      await db.close();
    }
    expect(existsSync(cache)).toBe(false);
  });

  it('falls back to the cache, kept, when the shipped template does not load', async () => {
    const broken = await fresh('broken');
    await writeFile(join(broken, shippedTemplateName()), gzipSync('not a tarball'));
    const cache = await filledCache();
    const db = await createTestDatabase({ shippedDir: broken, cacheDir: cache });
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
    expect(digest(await readFile(join(cache, cachedTemplateName())))).toBe(digest(tarball));
  });
});
