/**
 * Parts of the server that need no database: error mapping, the tenant
 * cache, the data-directory seeding, auth edge cases.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertbaseError } from '../../src/base/exceptions/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { bindTenant, tenantOf } from '../../src/server/auth.js';
import { extractTar, seedDataDir } from '../../src/server/data-dir.js';
import { problemOf, toAlertbaseError } from '../../src/server/problems.js';
import { deferredDatabase, startServer, storageLine } from '../../src/server/start-server.js';
import { TenantCache } from '../../src/server/tenant-cache.js';
import { createTestDatabase, type Database } from '../../src/storage/index.js';
import type { TenantRepository } from '../../src/storage/repositories/index.js';
import { call } from './helpers.js';

const fastifyError = (code: string, statusCode: number) =>
  Object.assign(new Error(code), { code, statusCode });

describe('problems', () => {
  it('maps Fastify errors to registry codes', () => {
    expect(toAlertbaseError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 10).code).toBe(
      'ALERTBASE_SERIALIZATION_TOO_LARGE',
    );
    expect(toAlertbaseError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 10).status).toBe(
      415,
    );
    expect(toAlertbaseError(fastifyError('FST_ERR_NOT_FOUND', 404), 10).code).toBe(
      'ALERTBASE_RESOURCE_NOT_FOUND',
    );
    expect(toAlertbaseError(fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400), 10).code).toBe(
      'ALERTBASE_SERIALIZATION_FAILED',
    );
    expect(toAlertbaseError(fastifyError('FST_ERR_SOMETHING', 500), 10).code).toBe(
      'ALERTBASE_INTERNAL',
    );
    expect(toAlertbaseError('thrown text', 10).code).toBe('ALERTBASE_INTERNAL');
  });

  it('hides the detail of server errors', () => {
    const err = new AlertbaseError('ALERTBASE_STORAGE_QUERY_FAILED', {
      sqlState: '42P01',
      reason: 'SELECT * FROM secret',
    });
    const problem = problemOf(err, '/v1/x', 'req-1');
    expect(problem.status).toBe(500);
    expect(problem.code).toBe('ALERTBASE_STORAGE_QUERY_FAILED');
    expect(JSON.stringify(problem)).not.toContain('SELECT');
    expect(problem.requestId).toBe('req-1');
  });
});

describe('an app whose backends fail', () => {
  const failing = {
    engine: 'pglite',
    closed: false,
    query: () => Promise.reject(new Error('connection refused')),
    onQuery: () => () => {},
  } as unknown as Database;

  it('answers 500 without the message, and 503 when not ready', async () => {
    const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
    const app = await buildApp({
      db: failing,
      config,
      authBackend: {
        findKey: () => Promise.reject(new Error('secret internals at db.example:5432')),
        tenantIsActive: async () => true,
        recordKeyUse: async () => true,
      },
    });
    try {
      const res = await call(app, 'GET', '/v1/rules', { key: 'anything' });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('ALERTBASE_INTERNAL');
      expect(res.raw.body).not.toContain('secret internals');
      const ready = await call(app, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers['content-type']).toMatch(/^application\/health\+json/);
      expect(JSON.parse(ready.raw.body)).toMatchObject({
        status: 'fail',
        checks: { 'database:responseTime': [{ status: 'fail', componentType: 'datastore' }] },
      });
    } finally {
      await app.close();
    }
  });
});

describe('auth helpers', () => {
  it('binds the tenant of object bodies only', () => {
    expect(bindTenant([1], 'acme')).toEqual([1]);
    expect(bindTenant(null, 'acme')).toBeNull();
    expect(bindTenant({ tenant_id: 'acme', a: 1 }, 'acme')).toEqual({ a: 1, tenantId: 'acme' });
    expect(() => bindTenant({ tenantId: 'globex' }, 'acme')).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_TENANT_ISOLATION', status: 403 }),
    );
  });

  it('refuses tenantOf on a request without a tenant', () => {
    expect(() => tenantOf({ principal: { kind: 'platform', actor: 'x' } } as never)).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_INTERNAL' }),
    );
  });
});

describe('TenantCache', () => {
  it('keeps tenants for the TTL, forgets on demand, never caches failures', async () => {
    let clock = 0;
    let calls = 0;
    let fail = false;
    const repo = {
      find: async (id: string) => {
        calls++;
        if (fail) throw new Error('down');
        return { id } as never;
      },
    } as unknown as TenantRepository;
    const cache = new TenantCache(repo, { ttlMs: 100, maxEntries: 2, now: () => clock });
    await cache.get('a');
    await cache.get('a');
    expect(calls).toBe(1);
    clock = 150;
    await cache.get('a');
    expect(calls).toBe(2);
    cache.forget('a');
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    expect(calls).toBe(5);
    fail = true;
    await expect(cache.get('d')).rejects.toThrow('down');
    fail = false;
    await cache.get('d');
    expect(calls).toBe(7);
  });
});

describe('data directory seeding', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-tar-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** One ustar entry. */
  const entry = (name: string, type: string, content = ''): Buffer => {
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write(content.length.toString(8).padStart(11, '0'), 124, 'utf8');
    header.write(type, 156, 'utf8');
    const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
    body.write(content, 0, 'utf8');
    return Buffer.concat([header, body]);
  };
  const archive = (...entries: Buffer[]) =>
    new Uint8Array(Buffer.concat([...entries, Buffer.alloc(1024)]));

  it('writes directories and files', async () => {
    const root = join(dir, 'ok');
    const files = await extractTar(
      archive(entry('/base', '5'), entry('/base/PG_VERSION', '0', '17\n')),
      root,
    );
    expect(files).toBe(1);
    expect(await readFile(join(root, 'base', 'PG_VERSION'), 'utf8')).toBe('17\n');
  });

  it('refuses links, escapes and truncation', async () => {
    await expect(extractTar(archive(entry('/x', '2')), join(dir, 'a'))).rejects.toThrow(
      AlertbaseError,
    );
    await expect(
      extractTar(archive(entry('../../etc/x', '0', 'x')), join(dir, 'b')),
    ).rejects.toThrow(AlertbaseError);
    const cut = entry('/big', '0', 'y'.repeat(600)).subarray(0, 700);
    await expect(extractTar(new Uint8Array(cut), join(dir, 'c'))).rejects.toThrow(AlertbaseError);
    const badSize = entry('/s', '0', 'x');
    badSize.write('zzzzzzzzzzz', 124, 'utf8');
    await expect(extractTar(new Uint8Array(badSize), join(dir, 'd'))).rejects.toThrow(
      AlertbaseError,
    );
  });

  it('copies a template directory, leaving the template as it was', async () => {
    const template = join(dir, 'template-dir');
    await mkdir(join(template, 'base', '5'), { recursive: true });
    await writeFile(join(template, 'PG_VERSION'), '17\n');
    await writeFile(join(template, 'base', '5', '1259'), 'pages');
    const target = join(dir, 'from-dir');
    expect(await seedDataDir(target, async () => ({ directory: template }))).toBe(true);
    expect(await readFile(join(target, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(await readFile(join(target, 'base', '5', '1259'), 'utf8')).toBe('pages');
    // The copy is the database's own: writing to it leaves the template alone.
    await writeFile(join(target, 'base', '5', '1259'), 'changed');
    expect(await readFile(join(template, 'base', '5', '1259'), 'utf8')).toBe('pages');
    // No partial directory is left beside it.
    expect((await readdir(dir)).filter((f) => f.startsWith('from-dir'))).toEqual(['from-dir']);
  });

  it('leaves a directory with data alone', async () => {
    const existing = join(dir, 'existing');
    await extractTar(archive(entry('/f', '0', 'x')), existing);
    await writeFile(join(existing, 'mine'), 'keep');
    const seeded = await seedDataDir(existing, () => Promise.reject(new Error('not called')));
    expect(seeded).toBe(false);
    await expect(
      seedDataDir(join(dir, 'fails'), () => Promise.reject(new Error('no template'))),
    ).rejects.toThrow('no template');
  });
});

describe('storageLine', () => {
  const lineFor = async (env: Record<string, string>): Promise<string> =>
    storageLine((await loadConfig({ env, cwd: tmpdir() })).config);

  it('names the PostgreSQL server without its credentials or options', async () => {
    expect(
      await lineFor({
        DATABASE_URL: 'postgres://ops:s3cret@db.example:5433/alerts?sslmode=require',
      }),
    ).toBe('Storage: PostgreSQL server at db.example:5433/alerts');
  });

  it('says what a PGlite directory survives', async () => {
    expect(await lineFor({ ALERTBASE_DATA_DIR: 'var/ab' })).toBe(
      `Storage: PGlite in ${resolve(tmpdir(), 'var/ab')}. Its commits survive a crash of this process, not a power loss (PGlite does not fsync): set DATABASE_URL to use a PostgreSQL server.`,
    );
  });
});

describe('deferredDatabase', () => {
  it('answers before the database is open, and forwards once it is', async () => {
    let resolve: (db: Database) => void = () => {};
    const opening = new Promise<Database>((r) => {
      resolve = r;
    });
    const real = {
      engine: 'postgres',
      closed: false,
      label: 'real',
      query: async (sql: string) => ({ rows: [{ sql }], rowCount: 1 }),
    } as unknown as Database;
    const db = deferredDatabase(opening, 'pglite');
    expect(db.engine).toBe('pglite');
    expect(db.closed).toBe(false);
    expect((db as unknown as { then?: unknown }).then).toBeUndefined();
    const early = db.query('SELECT 1');
    const missing = (db as unknown as { label: () => Promise<unknown> }).label();
    resolve(real);
    expect((await early).rows).toEqual([{ sql: 'SELECT 1' }]);
    await expect(missing).rejects.toThrow(TypeError);
    expect(db.engine).toBe('postgres');
    expect((await db.query('SELECT 2')).rowCount).toBe(1);
    expect((db as unknown as { label: string }).label).toBe('real');
  });
});

describe('startServer failures', () => {
  it('closes what it opened when the database cannot be reached', async () => {
    const { config } = await loadConfig({
      env: { DATABASE_URL: 'postgres://alertbase:x@127.0.0.1:1/alertbase' },
      cwd: '/nonexistent-alertbase-test',
    });
    await expect(
      startServer({ config, port: 0, logger: false, print: () => {}, handleSignals: false }),
    ).rejects.toThrow(AlertbaseError);
  });

  it('closes the database when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as AddressInfo;
    const db = await createTestDatabase();
    try {
      const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
      await expect(
        startServer({
          config,
          port,
          database: db,
          logger: false,
          print: () => {},
          handleSignals: false,
        }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(db.closed).toBe(true);
    } finally {
      blocker.close();
    }
  });
});
