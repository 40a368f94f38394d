import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTar } from '../../src/server/data-dir.js';
import { createTestDatabase, openDatabase } from '../../src/storage/index.js';
import { ADMIN_KEY, call, setupOn, type TestApp } from '../server/helpers.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

describe('GET /v1/admin/backup on PGlite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
  });
  afterAll(async () => t?.close());

  it('gives the platform administrator a tarball of the data directory', async () => {
    const res = await call(t.app, 'GET', '/v1/admin/backup', { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
    expect(res.headers['cache-control']).toBe('no-store');
    const dir = await mkdtemp(join(tmpdir(), 'alertbase-backup-route-'));
    try {
      const files = await extractTar(new Uint8Array(res.raw.rawPayload), dir);
      expect(files).toBeGreaterThan(100);
      expect(await readdir(dir)).toContain('PG_VERSION');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses tenant keys, even an owner', async () => {
    const res = await call(t.app, 'GET', '/v1/admin/backup', { key: t.keys.owner });
    expect(res.status).toBe(403);
  });
});

describeWithServer('GET /v1/admin/backup on the PostgreSQL server', () => {
  let database: ServerDatabase;
  let t: TestApp;
  beforeAll(async () => {
    database = await createServerDatabase();
    t = await setupOn(await openDatabase({ url: database.url }));
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('answers 409 pointing to pg_dump', async () => {
    const res = await call(t.app, 'GET', '/v1/admin/backup', { key: ADMIN_KEY });
    expect([res.status, res.body.code]).toEqual([409, 'ALERTBASE_STORAGE_BACKUP_FAILED']);
    expect(String(res.body.detail)).toContain('pg_dump');
  });
});
