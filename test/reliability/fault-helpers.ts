/** What the database fault suites share: a served tenant, and the checks of what clients saw. */
import pg from 'pg';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { isUnavailable } from '../../src/storage/errors.js';
import { createRepositories, openDatabase } from '../../src/storage/index.js';
import type { IngestLoad, Outcome } from './ingest-load.js';

/** The server's key ring: it seals the audit chain verified at the end. */
export const RING = KeyRing.generate('faults');
export const TENANT = 'faults';
export const TIMEOUT_MS = 800;

/** Starts alertbase on `databaseUrl` with a tenant and its responder key. */
export async function serve(databaseUrl: string): Promise<{ server: RunningServer; key: string }> {
  const { config } = await loadConfig({
    env: { DATABASE_URL: databaseUrl, DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) },
    cwd: '/nonexistent-alertbase-faults',
  });
  const start = () =>
    startServer({
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
  // The suites' 800 ms budget is for the faults; on a machine loaded by the
  // other test files, the first connection of the start took longer once
  // (CI: "Connection terminated due to connection timeout"). The start is
  // tried three times before it fails the suite.
  let server: RunningServer | undefined;
  for (let attempt = 1; server === undefined; attempt++) {
    try {
      server = await start();
    } catch (err) {
      if (attempt === 3 || !isUnavailable(err)) throw err;
    }
  }
  const repos = createRepositories(server.db, { auditKeys: auditKeysOf(RING) });
  if ((await repos.tenants.find(TENANT)) === undefined) {
    await repos.tenants.create({ id: TENANT, name: 'Faults', tier: 'enterprise' }, 'test');
  }
  const issued = await repos.apiKeys.issue(TENANT, { name: 'sender', role: 'responder' }, 'test');
  return { server, key: issued.key };
}

/** `seq` → rows stored, read past the service (superuser, no row-level security). */
export async function storedSeqs(url: string, name: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ seq: string; n: number }>(
      "SELECT labels->>'seq' AS seq, count(*)::int AS n FROM alerts WHERE tenant_id = $1 AND labels->>'alertname' = $2 GROUP BY 1",
      [TENANT, name],
    );
    return new Map(rows.map((r) => [Number(r.seq), r.n]));
  } finally {
    await client.end();
  }
}

/** Every acknowledged alert stored, none twice, and the audit trail whole. */
export async function expectNothingLost(
  url: string,
  load: IngestLoad,
  name: string,
): Promise<void> {
  const stored = await storedSeqs(url, name);
  const acked = load.acked();
  expect(acked.length).toBeGreaterThan(0);
  expect(acked.filter((seq) => stored.get(seq) !== 1)).toEqual([]);
  expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
  const db = await openDatabase({ url, migrate: false });
  try {
    expect(
      (await createRepositories(db, { auditKeys: auditKeysOf(RING) }).audit.verify(TENANT)).ok,
    ).toBe(true);
  } finally {
    await db.close();
  }
}

/** What an unavailable database must look like to a client. */
export function expectRetryable(refused: readonly Outcome[]): void {
  expect(refused.length).toBeGreaterThan(0);
  for (const o of refused) {
    expect([o.status, o.code, o.contentType?.split(';')[0], o.retryAfter]).toEqual([
      503,
      'ALERTBASE_STORAGE_UNAVAILABLE',
      'application/problem+json',
      '5',
    ]);
  }
}

export async function ready(url: string): Promise<number> {
  const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  return res.status;
}
