/**
 * The payload archive's contract on every engine: PostgreSQL (PGlite and
 * the server) and MongoDB. MongoDB cannot be installed on the machines
 * alertbase is built on, so its suite runs when `MONGODB_URL` is set and is
 * skipped otherwise, printing why — also under `CI=true`: the one
 * server-backed suite allowed to skip (docs/stores.md).
 */
import { describe, it } from 'vitest';
import {
  createMongoPayloadArchive,
  createPgPayloadArchive,
} from '../../src/storage/archive/index.js';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  randomSuffix,
  type ServerDatabase,
} from './helpers/server.js';
import { payloadArchiveContract } from './payload-archive-contract.js';

describe('payload archive: PostgreSQL on PGlite (memory)', () => {
  let db: Database | undefined;
  payloadArchiveContract({
    open: async () => {
      db = await createTestDatabase();
      return createPgPayloadArchive(db);
    },
    dispose: async () => db?.close(),
  });
});

describeWithServer('payload archive: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  let db: Database | undefined;
  payloadArchiveContract({
    open: async () => {
      server = await createServerDatabase();
      db = await openDatabase({ url: server.url, poolSize: 4 });
      return createPgPayloadArchive(db);
    },
    dispose: async () => {
      await db?.close();
      await server?.drop();
    },
  });
});

const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl === undefined || mongoUrl === '') {
  const reason =
    'MONGODB_URL is not set (no MongoDB server can be installed here); the MongoDB engine of the payload archive is not tested in this run';
  // vitest swallows console output here (onConsoleLog); write the reason directly.
  process.stderr.write(`[alertbase] skipping "payload archive: MongoDB": ${reason}\n`);
  describe.skip(`payload archive: MongoDB (skipped: ${reason})`, () => {
    it('runs the contract', () => {});
  });
} else {
  describe('payload archive: MongoDB', () => {
    const collection = `payload_archive_test_${randomSuffix()}`;
    payloadArchiveContract({
      open: async () => createMongoPayloadArchive({ url: mongoUrl, collection }),
    });
  });
}
