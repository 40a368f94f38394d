/**
 * The security suite's fixtures on both engines: the app of
 * `test/server/helpers.ts` (tenants `acme` and `globex`, a key of every role)
 * over PGlite and over a fresh database on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { BuildAppOptions } from '../../src/server/app.js';
import { createTestDatabase, openDatabase } from '../../src/storage/index.js';
import { setupOn, type TestApp } from '../server/helpers.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

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
