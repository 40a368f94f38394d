/**
 * Retention of the partitioned audit trail, on both engines: a tenant's
 * chain is cut at its cut-off with a sealed cut; a past month's partition is
 * dropped only when every row in it is before its tenant's cut, and a
 * shorter-lived tenant's rows in a partition kept for another are deleted
 * row by row; each chain verifies from its cut, and tampering after the cut
 * (or with the cut) is still found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tenant } from '../../src/domain/tenant.js';
import { auditKeysOf, KeyRing, signCheckpoint } from '../../src/security/index.js';
import { checkCheckpoint } from '../../src/server/audit-checkpoints.js';
import { runRetentionPass } from '../../src/server/retention-scheduler.js';
import {
  type AuditRetentionResult,
  appendAuditMany,
  auditHashAt,
  auditPartitionOf,
  createTestDatabase,
  cutAuditChain,
  type Database,
  dropAuditPartitionIfCut,
  ensureAuditPartitions,
  exportTenant,
  importTenant,
  listAuditPartitions,
  openDatabase,
  purgeExpiredAudit,
  verifyAuditChain,
} from '../../src/storage/index.js';
import { insertTenant } from './helpers/seed.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const DAY = 86_400_000;
const ring = KeyRing.generate('audit-retention');
const keys = auditKeysOf(ring);

/** `n` audit entries of `tenant` at `at` (spread over a minute), sealed. */
async function entries(db: Database, tenant: string, n: number, at: Date): Promise<void> {
  await db.withTenant(tenant, (tx) =>
    appendAuditMany(
      tx,
      tenant,
      Array.from({ length: n }, (_, i) => ({
        entry: {
          actor: 'user:seed',
          action: 'update' as const,
          entityType: 'AlertRule',
          entityId: `rule-${i}`,
          before: null,
          after: null,
        },
        at: new Date(at.getTime() + i * 100),
      })),
      undefined,
      keys,
    ),
  );
}

async function countOf(db: Database, tenant: string): Promise<number> {
  const { rows } = await db.withTenant(tenant, (tx) =>
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [
      tenant,
    ]),
  );
  return rows[0]?.n ?? -1;
}

/** As the owner, acting as the tenant: what someone with write access to the database does. */
function asOwner(db: Database, tenant: string, sql: string, params: unknown[] = []) {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenant]);
    return tx.query(sql, params as string[]);
  });
}

function suite(open: () => Promise<{ db: Database; dispose: () => Promise<void> }>) {
  let db: Database;
  let dispose: () => Promise<void>;
  const now = new Date();
  /** Two past months: X (only the short-lived tenant) and Y (both). */
  const x = new Date(now.getTime() - 100 * DAY);
  const y = new Date(now.getTime() - 40 * DAY);
  const before = new Map([
    ['short', 110],
    ['long', 25],
  ]);

  beforeAll(async () => {
    ({ db, dispose } = await open());
    // Tenant rows without the entries their creation through the repository would add
    // (dated now): each chain here is history written over the past months, in order.
    for (const tenant of ['short', 'long']) {
      await db.withTenant(tenant, (tx) => insertTenant(tx, tenant));
    }
    await entries(db, 'short', 50, x);
    await entries(db, 'short', 50, y);
    await entries(db, 'long', 20, y);
    await entries(db, 'short', 10, now);
    await entries(db, 'long', 5, now);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await dispose?.();
  });

  it('rows of months without a partition wait in DEFAULT, then move to their partition', async () => {
    // Months X and Y had no partition (the migration made the current month on).
    const parts = (await listAuditPartitions(db)).map((p) => p.name);
    expect(parts).not.toContain(auditPartitionOf(x).name);
    const inDefault = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_events_default',
    );
    expect(inDefault.rows[0]?.n).toBeGreaterThanOrEqual(50);
    const ensured = await ensureAuditPartitions(db, now);
    expect(ensured).toContain(auditPartitionOf(x).name);
    expect(ensured).toContain(
      auditPartitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1))).name,
    );
    const after = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_events_default',
    );
    expect(after.rows[0]?.n).toBe(0);
    for (const tenant of ['short', 'long']) {
      expect(await verifyAuditChain(db, tenant, { keys })).toEqual({
        ok: true,
        length: before.get(tenant),
      });
    }
  });

  it('cuts the short-lived chain, drops the month only it used, deletes its rows in the shared month', async () => {
    const cutoffs = new Map([
      ['short', new Date(now.getTime() - 7 * DAY)],
      ['long', new Date(now.getTime() - 400 * DAY)],
    ]);
    // At most 20 rows deleted one by one in a pass: the next pass goes on.
    const result = await purgeExpiredAudit(db, cutoffs, { keys, now, batchSize: 7, maxRows: 20 });
    const shortLength = before.get('short') ?? 0;
    // Everything but the 10 entries of now goes: the chain starts at the first of them.
    expect(result.cuts).toEqual(new Map([['short', shortLength - 10]]));
    // Month X held only short's entries, all before its cut: dropped whole. Month Y
    // holds long's too: kept.
    expect(result.partitionsDropped).toContain(auditPartitionOf(x).name);
    expect(result.partitionsDropped).not.toContain(auditPartitionOf(y).name);
    const parts = (await listAuditPartitions(db)).map((p) => p.name);
    expect(parts).not.toContain(auditPartitionOf(x).name);
    expect(parts).toContain(auditPartitionOf(y).name);
    // Short's rows in month Y (kept for long) go row by row, over two passes.
    expect(result).toMatchObject({ rowsDeleted: 20, more: true });
    const next = await purgeExpiredAudit(db, cutoffs, { keys, now, batchSize: 7 });
    expect(next).toEqual({ cuts: new Map(), partitionsDropped: [], rowsDeleted: 30, more: false });
    // The 10 recent entries and the entry recording the cut.
    expect(await countOf(db, 'short')).toBe(11);
    expect(await countOf(db, 'long')).toBe(before.get('long'));
  });

  it('each chain verifies from its cut, and the next append links to the head', async () => {
    const shortLength = before.get('short') ?? 0;
    expect(await verifyAuditChain(db, 'short', { keys })).toEqual({
      ok: true,
      length: shortLength + 1,
      from: shortLength - 10,
    });
    expect(await verifyAuditChain(db, 'long', { keys })).toEqual({
      ok: true,
      length: before.get('long'),
    });
    // The entry before the cut lives on as the cut's hash; older ones are gone.
    expect(await auditHashAt(db, 'short', shortLength - 11)).toMatch(/^[0-9a-f]{64}$/);
    expect(await auditHashAt(db, 'short', 0)).toBeUndefined();
    await entries(db, 'short', 3, new Date());
    expect(await verifyAuditChain(db, 'short', { keys })).toMatchObject({
      ok: true,
      length: shortLength + 4,
    });
    const recorded = await db.withTenant('short', (tx) =>
      tx.query<{ details: Record<string, unknown> }>(
        `SELECT doc->'details' AS details FROM audit_events
          WHERE tenant_id = $1 AND doc->>'entityType' = 'audit_events' AND doc->>'action' = 'purge'`,
        ['short'],
      ),
    );
    expect(recorded.rows.map((r) => r.details.before)).toEqual([shortLength - 10]);
  });

  it('a checkpoint at or after the cut still checks; one before it says so', async () => {
    const shortLength = before.get('short') ?? 0;
    const at = new Date();
    const check = async (length: number) => {
      const headHash = (await auditHashAt(db, 'short', length - 1)) ?? 'f'.repeat(64);
      return checkCheckpoint(
        db,
        ring,
        'short',
        signCheckpoint(ring, { tenantId: 'short', length, headHash, at }),
      );
    };
    // The position right before the cut: its hash lives on in the cut.
    expect(await check(shortLength - 10)).toMatchObject({ ok: true });
    expect(await check(shortLength)).toMatchObject({ ok: true });
    expect(await check(50)).toEqual({ ok: false, reason: 'removed_by_retention', index: 49 });
  });

  it('a second pass with nothing new cuts, drops and deletes nothing', async () => {
    const again = await purgeExpiredAudit(
      db,
      new Map([['short', new Date(now.getTime() - 7 * DAY)]]),
      { keys, now },
    );
    expect(again).toEqual({ cuts: new Map(), partitionsDropped: [], rowsDeleted: 0, more: false });
  });

  it('a row tampered after the cut is still found', async () => {
    const shortLength = before.get('short') ?? 0;
    const target = shortLength - 5;
    const original = await db.withTenant('short', (tx) =>
      tx.query<{ doc: Record<string, unknown> }>(
        'SELECT doc FROM audit_events WHERE tenant_id = $1 AND seq = $2',
        ['short', target],
      ),
    );
    await asOwner(
      db,
      'short',
      `UPDATE audit_events SET doc = jsonb_set(doc, '{entityId}', '"rule-x"'), resource_id = 'rule-x'
        WHERE tenant_id = $1 AND seq = $2`,
      ['short', target],
    );
    expect(await verifyAuditChain(db, 'short', { keys })).toEqual({
      ok: false,
      index: target,
      reason: 'hash_mismatch',
    });
    await asOwner(
      db,
      'short',
      `UPDATE audit_events SET doc = $3::jsonb, resource_id = $3::jsonb->>'entityId'
        WHERE tenant_id = $1 AND seq = $2`,
      ['short', target, JSON.stringify(original.rows[0]?.doc)],
    );
    expect(await verifyAuditChain(db, 'short', { keys })).toMatchObject({ ok: true });
  });

  it('a tenant archive moves the cut chain with its cuts; it verifies in the other database', async () => {
    const lines: string[] = [];
    for await (const line of exportTenant(db, 'short')) lines.push(line.replace(/\n$/, ''));
    const target = await createTestDatabase();
    try {
      const result = await importTenant(
        target,
        (async function* () {
          yield* lines;
        })(),
      );
      expect(result.rows).toMatchObject({
        audit_cuts: 1,
        audit_events: await countOf(db, 'short'),
      });
      expect(await verifyAuditChain(target, 'short', { keys })).toEqual(
        await verifyAuditChain(db, 'short', { keys }),
      );
    } finally {
      await target.close();
    }
  });

  it('a forged or removed cut is found', async () => {
    const shortLength = before.get('short') ?? 0;
    const cutAt = shortLength - 10;
    // Someone without the keys removes two more entries and records a cut after them.
    const forged = shortLength - 8;
    const prev = await auditHashAt(db, 'short', forged - 1);
    await asOwner(
      db,
      'short',
      `INSERT INTO audit_cuts (tenant_id, seq, prev_hash, at, key_id, seal)
       VALUES ($1, $2, $3, now(), $4, repeat('0', 64))`,
      ['short', forged, prev, keys.currentId],
    );
    expect(await verifyAuditChain(db, 'short', { keys })).toEqual({
      ok: false,
      index: forged,
      reason: 'bad_cut',
    });
    // Without keys a sealed cut cannot be checked either.
    expect(await verifyAuditChain(db, 'short')).toMatchObject({ ok: false, reason: 'bad_cut' });
    await asOwner(db, 'short', 'DELETE FROM audit_cuts WHERE tenant_id = $1 AND seq = $2', [
      'short',
      forged,
    ]);
    expect(await verifyAuditChain(db, 'short', { keys })).toMatchObject({ ok: true, from: cutAt });
    // With every cut gone, the chain no longer starts at 0.
    await asOwner(db, 'short', 'DELETE FROM audit_cuts WHERE tenant_id = $1', ['short']);
    expect(await verifyAuditChain(db, 'short', { keys })).toEqual({
      ok: false,
      index: 0,
      reason: 'seq_mismatch',
    });
  });

  it('cuts nothing in an empty chain, nor where the entry before the cut is missing', async () => {
    const cutoff = new Date(now.getTime() - 7 * DAY);
    await db.withTenant('empty', (tx) => insertTenant(tx, 'empty'));
    expect(await cutAuditChain(db, 'empty', cutoff, { keys })).toBeUndefined();
    await db.withTenant('gappy', (tx) => insertTenant(tx, 'gappy'));
    await entries(db, 'gappy', 5, x);
    await entries(db, 'gappy', 5, now);
    await asOwner(db, 'gappy', 'DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 4', [
      'gappy',
    ]);
    expect(await cutAuditChain(db, 'gappy', cutoff, { keys })).toBeUndefined();
    // The gap stays for verification to name.
    expect(await verifyAuditChain(db, 'gappy', { keys })).toEqual({
      ok: false,
      index: 4,
      reason: 'seq_mismatch',
    });
    await expect(
      dropAuditPartitionIfCut(db, { name: 'audit_cuts', from: x, to: y }),
    ).rejects.toThrow(TypeError);
    // A cut written without keys is plain SHA-256: verified with the keys, it is refused.
    await db.withTenant('plain', (tx) => insertTenant(tx, 'plain'));
    await entries(db, 'plain', 5, x);
    await entries(db, 'plain', 5, now);
    expect(await cutAuditChain(db, 'plain', cutoff)).toBe(5);
    expect(await verifyAuditChain(db, 'plain', { keys })).toEqual({
      ok: false,
      index: 5,
      reason: 'bad_cut',
    });
  });

  it('the retention pass creates the coming months and leaves tenants it cannot read alone', async () => {
    await db.withTenant('gone', (tx) => insertTenant(tx, 'gone'));
    await entries(db, 'gone', 2, x);
    await entries(db, 'gone', 2, now);
    await db.exec(
      `SELECT alertbase_audit_partition(now()); DROP TABLE ${
        auditPartitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1))).name
      }`,
    );
    const told: AuditRetentionResult[] = [];
    const results = await runRetentionPass(
      db,
      {
        find: async (id) =>
          id === 'gone' ? Tenant.parse({ id, name: id, tier: 'free' }) : undefined,
      },
      { keys, onAuditPurge: (r) => told.push(r) },
    );
    expect([...results.keys()]).toEqual(['gone']);
    expect(told.map((r) => [...r.cuts.keys()])).toEqual([['gone']]);
    expect(await countOf(db, 'gone')).toBe(3);
    expect(await verifyAuditChain(db, 'gone', { keys })).toMatchObject({ ok: true, from: 2 });
    const parts = (await listAuditPartitions(db)).map((p) => p.name);
    expect(parts).toContain(
      auditPartitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1))).name,
    );
    expect(await countOf(db, 'long')).toBe(before.get('long'));
  });
}

describe('audit retention on PGlite', () => {
  suite(async () => ({ db: await createTestDatabase(), dispose: async () => {} }));
});

describeWithServer('audit retention on the PostgreSQL server', () => {
  let server: ServerDatabase;
  suite(async () => {
    server = await createServerDatabase();
    return { db: await openDatabase({ url: server.url }), dispose: () => server.drop() };
  });
});
