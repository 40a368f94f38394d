import { rm } from 'node:fs/promises';
import type { PgliteDatabase } from './drivers/pglite.js';
import {
  cachedTemplateFile,
  forgetTemplates,
  loadPgliteTemplate,
  type PgliteTemplateOptions,
  pgliteTemplate,
} from './pglite-template.js';
import type { QueryListener } from './types.js';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions extends PgliteTemplateOptions {
  /** A per-statement timing listener. */
  readonly onQuery?: QueryListener | undefined;
}

/**
 * A fresh, migrated, in-memory PGlite database for a test, loaded from the
 * migrated template (`pgliteTemplate()`: shipped, cached or built once),
 * under a second instead of initdb plus migrations.
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
  const open = (loadDataDir: Blob): Promise<PgliteDatabase> =>
    PgliteDatabase.create({
      loadDataDir,
      ...(options.onQuery === undefined ? {} : { onQuery: options.onQuery }),
    });
  const template = await loadPgliteTemplate(options);
  try {
    return await open(template.data);
  } catch (err) {
    // A freshly built template that does not load is a real error.
    if (template.source === 'built') throw err;
    // An unreadable shipped or cached template: skip it (and drop the cached one) once.
    forgetTemplates();
    const file = cachedTemplateFile(options);
    if (template.source === 'cache' && file !== undefined) await rm(file, { force: true });
    return open(await pgliteTemplate({ ...options, shippedDir: false }));
  }
}
