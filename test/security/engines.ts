/**
 * The security suite's fixtures on both engines: the app of
 * `test/server/helpers.ts` (tenants `acme` and `globex`, a key of every role)
 * over PGlite and over a fresh database on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Role } from '../../src/base/enums/index.js';
import { loadConfig } from '../../src/config/index.js';
import { type BuildAppOptions, buildApp } from '../../src/server/app.js';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { ADMIN_KEY, type TestApp } from '../server/helpers.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

/** Builds the app and its fixtures over `db`. */
export async function setupOn(
  db: Database,
  options: Partial<BuildAppOptions> = {},
): Promise<TestApp> {
  const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
  const app = await buildApp({ db, config, adminKeys: [ADMIN_KEY], ...options });
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'test');
  await repos.tenants.create({ id: 'globex', name: 'Globex' }, 'test');
  const keys = {} as Record<Role, string>;
  for (const role of ['owner', 'admin', 'editor', 'responder', 'viewer'] as const) {
    keys[role] = (await repos.apiKeys.issue('acme', { name: role, role }, 'test')).key;
  }
  const otherKey = (await repos.apiKeys.issue('globex', { name: 'owner', role: 'owner' }, 'test'))
    .key;
  return {
    app,
    db,
    repos,
    keys,
    otherKey,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * Runs `suite` twice: on PGlite, and on the PostgreSQL server (which fails
 * under `CI=true` when absent and is skipped elsewhere). `suite` gets the
 * fixtures through a getter, valid inside its tests.
 */
export function onEveryEngine(
  name: string,
  suite: (fixtures: () => TestApp) => void,
  options: Partial<BuildAppOptions> = {},
): void {
  describe(`${name}: PGlite`, () => {
    let t: TestApp | undefined;
    beforeAll(async () => {
      t = await setupOn(await createTestDatabase(), options);
    });
    afterAll(() => t?.close());
    suite(() => t as TestApp);
  });
  describeWithServer(`${name}: PostgreSQL server`, () => {
    let t: TestApp | undefined;
    let server: ServerDatabase | undefined;
    beforeAll(async () => {
      server = await createServerDatabase();
      t = await setupOn(await openDatabase({ url: server.url }), options);
    });
    afterAll(async () => {
      await t?.close();
      await server?.drop();
    });
    suite(() => t as TestApp);
  });
}
