import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgliteDatabase } from './drivers/pglite.js';
import { checksumOf, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/list.js';
import type { QueryListener } from './types.js';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * Directory the migrated template is cached in across processes (each
   * vitest worker is one); `false` keeps it in this process only.
   * Default: `<os tmpdir>/alertbase`.
   */
  readonly cacheDir?: string | false | undefined;
  /** A per-statement timing listener. */
  readonly onQuery?: QueryListener | undefined;
}

/** Templates being built or loaded, by cache file (or `''` for in-process only). */
const templates = new Map<string, Promise<Blob>>();

/** @internal Forgets the in-process templates (tests of the cache itself). */
export function forgetTemplates(): void {
  templates.clear();
}

/** @internal The cache file name: changes whenever a migration does. */
function templateFileName(): string {
  const key = checksumOf(MIGRATIONS.map((m) => `${m.id}:${checksumOf(m.sql)}`).join('\n'));
  return `pglite-template-${key.slice(0, 16)}.tar`;
}

/** @internal Runs initdb and every migration once, and dumps the result. */
async function buildTemplate(): Promise<Blob> {
  const { PgliteDatabase } = await import('./drivers/pglite.js');
  const db = await PgliteDatabase.create();
  try {
    await migrate(db);
    return await db.dump();
  } finally {
    await db.close();
  }
}

/** @internal Reads the cached template, or builds and caches it. */
async function loadOrBuild(file: string | undefined): Promise<Blob> {
  if (file !== undefined) {
    try {
      return new Blob([await readFile(file)]);
    } catch {
      // Not cached yet: build it below.
    }
  }
  const blob = await buildTemplate();
  if (file !== undefined) {
    // Write then rename, so a concurrent reader never sees half a file.
    const partial = `${file}.${process.pid}.${Date.now()}.partial`;
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(partial, new Uint8Array(await blob.arrayBuffer()));
    await rename(partial, file);
  }
  return blob;
}

/**
 * The migrated PGlite template as a data-directory tarball: built once
 * (initdb and migrations, 5–7 s), then reused from this process's memory
 * and from `cacheDir`.
 */
export function pgliteTemplate(options: Pick<TestDatabaseOptions, 'cacheDir'> = {}): Promise<Blob> {
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'alertbase');
  const file = cacheDir === false ? undefined : join(cacheDir, templateFileName());
  const key = file ?? '';
  let template = templates.get(key);
  if (template === undefined) {
    template = loadOrBuild(file);
    templates.set(key, template);
    // A failed build must not poison later calls.
    template.catch(() => templates.delete(key));
  }
  return template;
}

/**
 * A fresh, migrated, in-memory PGlite database for a test, loaded from the
 * cached template (under a second instead of initdb plus migrations).
 * Each call returns an independent database; close it after the test.
 *
 * @example
 * ```ts
 * let db: Database;
 * beforeAll(async () => { db = await createTestDatabase(); });
 * afterAll(() => db.close());
 * ```
 */
export async function createTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<PgliteDatabase> {
  const { PgliteDatabase } = await import('./drivers/pglite.js');
  const open = async (): Promise<PgliteDatabase> =>
    PgliteDatabase.create({
      loadDataDir: await pgliteTemplate(options),
      ...(options.onQuery === undefined ? {} : { onQuery: options.onQuery }),
    });
  try {
    return await open();
  } catch (err) {
    // A cached template from an incompatible PGlite version: rebuild it once.
    if (options.cacheDir === false) throw err;
    const file = join(options.cacheDir ?? join(tmpdir(), 'alertbase'), templateFileName());
    templates.clear();
    await rm(file, { force: true });
    return open();
  }
}
