/**
 * `alertbase tenant export` / `import`, in this process: from a running
 * server's PGlite directory (through its API) into a directory no server
 * holds, and from a PostgreSQL server (directly) into a running server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startServer } from '../../src/server/start-server.js';
import { runTenantExport, runTenantImport } from '../../src/server/tenant-archive-commands.js';
import { createRepositories, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { ADMIN_KEY, ioOf } from './command-io.js';

async function serve(root: string, dir: string) {
  const env = { ALERTBASE_DATA_DIR: join(root, dir), ALERTBASE_ADMIN_KEY: ADMIN_KEY };
  const { config } = await loadConfig({ env, cwd: root });
  const server = await startServer({
    config,
    env: {},
    port: 0,
    host: '127.0.0.1',
    logger: false,
    print: () => {},
    handleSignals: false,
  });
  return { env, server };
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alertbase-tenant-cmd-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('alertbase tenant export | import (PGlite)', () => {
  it('exports through the running server, imports into a directory no server holds', async () => {
    const { env, server } = await serve(root, 'a');
    try {
      expect(await runTenantExport({ tenant: 'demo', out: 'demo.gz' }, ioOf(root, env))).toBe(
        'api',
      );
      await expect(
        runTenantExport({ tenant: 'nobody', out: 'nobody.gz' }, ioOf(root, env)),
      ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID' });
    } finally {
      await server.close();
    }
    const dataDir = join(root, 'b');
    const io = ioOf(root, { ALERTBASE_DATA_DIR: dataDir });
    const result = await runTenantImport({ from: 'demo.gz' }, io);
    expect(result.tenant).toBe('demo');
    expect(result.rows.api_keys).toBe(1);
    expect(io.out()).toMatch(/^Tenant demo imported from .*demo\.gz: \d+ rows\n$/);
    const db = await openDatabase({ dataDir });
    try {
      const { rows } = await db.withTenant('demo', (tx) =>
        tx.query<{ n: number }>("SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = 'demo'"),
      );
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
    }
    // A second import of the same tenant is refused, and a file that is no archive too.
    await expect(runTenantImport({ from: 'demo.gz' }, io)).rejects.toMatchObject({
      code: 'ALERTBASE_RESOURCE_ALREADY_EXISTS',
    });
    await writeFile(join(root, 'garbage.gz'), 'PK\u0003\u0004 not an archive');
    await expect(runTenantImport({ from: 'garbage.gz' }, io)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID',
    });
  }, 120_000);
});

describeWithServer('alertbase tenant export | import (PostgreSQL server → running server)', () => {
  let database: ServerDatabase;
  beforeAll(async () => {
    database = await createServerDatabase();
  });
  afterAll(async () => database?.drop());

  it('exports from the database directly, imports through the running server', async () => {
    const db = await openDatabase({ url: database.url });
    let key: string;
    try {
      const repos = createRepositories(db);
      await repos.tenants.create({ id: 'umbrella', name: 'Umbrella' }, 'admin');
      key = (await repos.apiKeys.issue('umbrella', { name: 'ops', role: 'owner' }, 'admin')).key;
      await repos.alerts.ingest(
        'umbrella',
        [{ labels: { alertname: 'Outbreak' }, level: 'critical', priority: 'P1' }],
        'key:seed',
      );
    } finally {
      await db.close();
    }
    const io = ioOf(root, { DATABASE_URL: database.url });
    expect(await runTenantExport({ tenant: 'umbrella', out: 'umbrella.gz' }, io)).toBe('database');
    expect(io.out()).toContain('Tenant umbrella exported to');
    const { env, server } = await serve(root, 'c');
    try {
      const result = await runTenantImport({ from: 'umbrella.gz' }, ioOf(root, env));
      expect(result.rows.alerts).toBe(1);
      const res = await fetch(`${server.url}/v1/alerts`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { labels: Record<string, string> }[] };
      expect(body.items.map((a) => a.labels.alertname)).toEqual(['Outbreak']);
    } finally {
      await server.close();
    }
  }, 120_000);
});
