/**
 * The restore drill: backup (while the service runs) → wipe → restore →
 * every tenant table holds as many rows as before, and every tenant's audit
 * chain verifies. PGlite through a running `alertbase serve` (a process) and
 * its API; the PostgreSQL server through pg_dump / pg_restore.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { createRepositories, type Database, openDatabase } from '../../src/storage/index.js';
import { TENANT_TABLES } from '../storage/helpers/seed.js';
import {
  adminQuery,
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { runAlertbase, startServeProcess } from './cli-process.js';
import { alertOf } from './ingest-load.js';

/** The installation's key ring, given to every process: the audit chains are sealed with it. */
const RING = KeyRing.generate('drill');
const RING_ENV = { ALERTBASE_ENCRYPTION_KEYS: RING.toText().trim() };

const ADMIN_KEY = 'b7e4c1a9d2f5068317e4a2c9b8d7f6e50123456789abcdef0fedcba987654321';

/** Rows per tenant table (as the superuser: every tenant). */
async function countsOf(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TENANT_TABLES) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0]?.n ?? -1;
  }
  return counts;
}

/** Every tenant's audit chain verifies. */
async function chainsVerify(db: Database): Promise<boolean[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT tenant_id AS id FROM tenants ORDER BY tenant_id',
  );
  const repos = createRepositories(db, { auditKeys: auditKeysOf(RING) });
  return Promise.all(rows.map(async (r) => (await repos.audit.verify(r.id)).ok));
}

/** Some of everything: tenants, keys, alerts (new, deduplicated, acknowledged), a silence. */
async function populate(db: Database, tenants: readonly string[]): Promise<void> {
  const repos = createRepositories(db, { auditKeys: auditKeysOf(RING) });
  for (const tenant of tenants) {
    if ((await repos.tenants.find(tenant)) === undefined) {
      await repos.tenants.create({ id: tenant, name: tenant, tier: 'enterprise' }, 'drill');
    }
    await repos.apiKeys.issue(tenant, { name: 'drill', role: 'responder' }, 'drill');
    await repos.alerts.ingest(
      tenant,
      Array.from({ length: 50 }, (_, i) => alertOf(i, 'Drill')),
      'drill',
    );
    await repos.alerts.ingest(tenant, [alertOf(1, 'Drill'), alertOf(2, 'Drill')], 'drill');
  }
}

describe('restore drill: PGlite, backed up through the running server', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alertbase-drill-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('backup while serving → wipe → restore: counts equal, chains verify', async () => {
    const dataDir = join(root, 'data');
    const env = { ...RING_ENV, ALERTBASE_DATA_DIR: dataDir, ALERTBASE_ADMIN_KEY: ADMIN_KEY };
    // Data first (no server yet: the directory is this process's meanwhile).
    const seeded = await runAlertbase(['admin', 'create-key'], env, root);
    expect(seeded.code).toBe(0);
    const db = await openDatabase({ dataDir });
    await populate(db, ['drill-a', 'drill-b']);
    await db.close();

    const serve = await startServeProcess(env, root);
    let before: Record<string, number>;
    try {
      const backup = await runAlertbase(['backup', '--out', 'drill.tar'], env, root);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain(`taken by the running server at ${serve.url}`);
      // Without a platform key the running server cannot be asked, and the directory is its own.
      const refused = await runAlertbase(
        ['backup', '--out', 'refused.tar'],
        { ...RING_ENV, ALERTBASE_DATA_DIR: dataDir },
        root,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('ALERTBASE_STORAGE_DATA_DIR_LOCKED');
      expect(refused.stderr).toContain('ALERTBASE_ADMIN_KEY');
      // A restore into the directory the server holds is refused too.
      const busy = await runAlertbase(['restore', '--from', 'drill.tar', '--force'], env, root);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain('ALERTBASE_STORAGE_DATA_DIR_LOCKED');
    } finally {
      serve.signal('SIGTERM');
      expect((await serve.exited).code).toBe(0);
    }
    const counted = await openDatabase({ dataDir });
    try {
      before = await countsOf(counted);
    } finally {
      await counted.close();
    }
    expect(before.alerts).toBe(100);
    // With no server running, the command opens the directory itself.
    const local = await runAlertbase(['backup', '--out', 'local.tar'], env, root);
    expect([local.code, local.stderr]).toEqual([0, '']);
    expect(local.stdout).toContain(`Backup of ${dataDir} written to ${join(root, 'local.tar')}`);
    expect((await stat(join(root, 'drill.tar'))).size).toBeGreaterThan(1_000_000);

    // Wipe, then restore.
    await rm(dataDir, { recursive: true, force: true });
    const restored = await runAlertbase(['restore', '--from', 'drill.tar'], env, root);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const after = await openDatabase({ dataDir });
    try {
      expect(await countsOf(after)).toEqual(before);
      expect(await chainsVerify(after)).toEqual([true, true, true, true]);
    } finally {
      await after.close();
    }
    // A directory that holds data is not overwritten without --force.
    const again = await runAlertbase(['restore', '--from', 'drill.tar'], env, root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('ALERTBASE_STORAGE_BACKUP_FAILED');
    expect(again.stderr).toContain('--force');
    const forced = await runAlertbase(['restore', '--from', 'local.tar', '--force'], env, root);
    expect([forced.code, forced.stderr]).toEqual([0, '']);
    const last = await openDatabase({ dataDir });
    try {
      expect(await countsOf(last)).toEqual(before);
    } finally {
      await last.close();
    }
  }, 240_000);
});

describeWithServer('restore drill: PostgreSQL server (pg_dump / pg_restore)', () => {
  let database: ServerDatabase;
  let root: string;
  beforeAll(async () => {
    database = await createServerDatabase();
    root = await mkdtemp(join(tmpdir(), 'alertbase-drill-pg-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('backup → drop and recreate the database → restore: counts equal, chains verify', async () => {
    const env = { ...RING_ENV, DATABASE_URL: database.url };
    const db = await openDatabase({ url: database.url });
    let before: Record<string, number>;
    try {
      await populate(db, ['drill-a', 'drill-b', 'drill-c']);
      before = await countsOf(db);
    } finally {
      await db.close();
    }
    const backup = await runAlertbase(['backup', '--out', 'drill.dump'], env, root);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);

    await database.drop();
    await adminQuery(`CREATE DATABASE ${database.name}`);
    const restored = await runAlertbase(['restore', '--from', 'drill.dump'], env, root);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const after = await openDatabase({ url: database.url });
    try {
      expect(await countsOf(after)).toEqual(before);
      expect(await chainsVerify(after)).toEqual([true, true, true]);
    } finally {
      await after.close();
    }
  }, 240_000);
});
