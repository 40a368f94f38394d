/**
 * PGlite on a small tmpfs that fills up: a clear error (503
 * ALERTBASE_STORAGE_DISK_FULL, `/health/ready` fails) instead of the hang
 * PGlite falls into on ENOSPC; the directory refuses to open while short of
 * space, opens once space is freed, and holds every acknowledged alert.
 * Needs root to mount a tmpfs: fails in CI without it, skips elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { startServer } from '../../src/server/start-server.js';
import { DEFAULT_MIN_FREE_BYTES, freeBytesOf } from '../../src/storage/disk-space.js';
import { createRepositories, openDatabase } from '../../src/storage/index.js';

/** The server's key ring: it seals the audit chain verified at the end. */
const RING = KeyRing.generate('full');

/** Mounts a tmpfs of `sizeMb` MiB; the reason when it cannot. */
async function mountTmpfs(sizeMb: number): Promise<{ path: string } | { reason: string }> {
  const path = await mkdtemp(join(tmpdir(), 'alertbase-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', path], {
      stdio: 'pipe',
    });
    return { path };
  } catch (err) {
    await rm(path, { recursive: true, force: true });
    return {
      reason: `cannot mount a tmpfs (needs root): ${(err as Error).message.split('\n')[0]}`,
    };
  }
}

const resize = (path: string, sizeMb: number): void => {
  execFileSync('mount', ['-o', `remount,size=${sizeMb}m`, path]);
};

const SIZE_MB = 128;
const probe = await mountTmpfs(1);
if ('path' in probe) {
  execFileSync('umount', [probe.path]);
  await rm(probe.path, { recursive: true, force: true });
}
const unavailable = 'reason' in probe ? probe.reason : undefined;
if (unavailable !== undefined && process.env.CI !== 'true') {
  process.stderr.write(`[alertbase] skipping "PGlite disk full": ${unavailable}\n`);
}

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')(
  'PGlite disk full (a small tmpfs)',
  () => {
    let mount: string;
    beforeAll(async () => {
      const mounted = await mountTmpfs(SIZE_MB);
      if ('reason' in mounted) throw new Error(`${mounted.reason}; CI=true requires it`);
      mount = mounted.path;
    });
    afterAll(async () => {
      if (mount === undefined) return;
      execFileSync('umount', [mount]);
      await rm(mount, { recursive: true, force: true });
    });

    it('answers 503 DISK_FULL before PGlite hangs, then opens again with nothing lost', async () => {
      const dataDir = join(mount, 'data');
      const { config } = await loadConfig({
        env: { ALERTBASE_DATA_DIR: dataDir },
        cwd: '/nonexistent-alertbase-disk-full',
      });
      const server = await startServer({
        config,
        env: {},
        port: 0,
        host: '127.0.0.1',
        logger: false,
        demoTenant: false,
        print: () => {},
        handleSignals: false,
        keyRing: RING,
      });
      const acked: string[] = [];
      let refused: { status: number; code?: string; retryAfter: string | null } | undefined;
      try {
        const repos = createRepositories(server.db, { auditKeys: auditKeysOf(RING) });
        await repos.tenants.create({ id: 'full', name: 'Full', tier: 'enterprise' }, 'test');
        const { key } = await repos.apiKeys.issue(
          'full',
          { name: 'sender', role: 'responder' },
          'test',
        );
        const pad = 'x'.repeat(4_000);
        for (let b = 0; b < 400 && refused === undefined; b++) {
          const batch = Array.from({ length: 100 }, (_, i) => ({
            labels: { alertname: 'Full', seq: `${b}-${i}` },
            annotations: { pad },
            level: 'high',
            priority: 'P2',
          }));
          const res = await fetch(`${server.url}/v1/alerts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(batch),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json()) as { code?: string };
          if (res.status === 200) acked.push(...batch.map((a) => a.labels.seq));
          else
            refused = { status: res.status, retryAfter: res.headers.get('retry-after'), ...body };
        }
        expect(refused).toMatchObject({
          status: 503,
          code: 'ALERTBASE_STORAGE_DISK_FULL',
          retryAfter: '5',
        });
        expect(acked.length).toBeGreaterThan(0);
        expect(await freeBytesOf(dataDir)).toBeLessThan(DEFAULT_MIN_FREE_BYTES);
        const ready = await fetch(`${server.url}/health/ready`);
        expect(ready.status).toBe(503);
      } finally {
        await server.close();
      }

      // Still short of space: the open is refused, quickly and clearly.
      await expect(openDatabase({ dataDir })).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_DISK_FULL',
      });
      // Space freed: the directory opens and holds every acknowledged alert, once.
      resize(mount, SIZE_MB * 2);
      const db = await openDatabase({ dataDir });
      try {
        const { rows } = await db.withTenant('full', (tx) =>
          tx.query<{ seq: string; n: number }>(
            "SELECT labels->>'seq' AS seq, count(*)::int AS n FROM alerts GROUP BY 1",
          ),
        );
        const stored = new Map(rows.map((r) => [r.seq, r.n]));
        expect(acked.filter((seq) => stored.get(seq) !== 1)).toEqual([]);
        expect(
          (await createRepositories(db, { auditKeys: auditKeysOf(RING) }).audit.verify('full')).ok,
        ).toBe(true);
      } finally {
        await db.close();
      }
    }, 180_000);
  },
);
