/**
 * The audit trail, on PGlite and on the PostgreSQL server: the chain is
 * keyed (HMAC-SHA-256 under a key of the ring, never in the database), so
 * verify finds a changed, deleted or re-timed entry at its index, and a
 * chain recomputed without the key; signed checkpoints, kept outside the
 * database, show a trail cut short; rotation keeps old entries verifiable;
 * reads of tenant data are audited, in batches.
 */

import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { canonicalJson } from '../../src/base/utils/canonical-json.js';
import { newId } from '../../src/base/utils/ids.js';
import { auditKeysOf, KeyRing } from '../../src/security/index.js';
import type { Database } from '../../src/storage/index.js';
import {
  chainHash,
  createRepositories,
  GENESIS_HASH,
} from '../../src/storage/repositories/index.js';
import { call, RULE } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

let seq = 0;

type Doc = Record<string, unknown>;

/** The plain SHA-256 chain hash anyone can compute (what the chain was before it was keyed). */
function sha(prevHash: string, entryWithoutHash: Doc): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(entryWithoutHash), 'utf8')
    .digest('hex');
}

/** A forger's entry: `changes` applied, hashed with plain SHA-256 over what is stored. */
const plain =
  (changes: Doc) =>
  (prevHash: string, entryWithoutHash: Doc): Doc => {
    const doc = { ...entryWithoutHash, ...changes };
    return { ...doc, hash: sha(prevHash, doc) };
  };

/** A tenant's stored entry documents, in chain order. */
async function docsOf(db: Database, tenantId: string): Promise<Doc[]> {
  const { rows } = await db.query<{ doc: Doc }>(
    'SELECT doc FROM audit_events WHERE tenant_id = $1 ORDER BY seq',
    [tenantId],
  );
  return rows.map((r) => r.doc);
}

/**
 * What someone with write access to the database does: replaces entries
 * `from` to `to - 1` (inserting the missing ones, from entry 1's shape) by
 * documents that `make` gives, each linked to the previous hash, columns
 * kept consistent with the document.
 */
async function forge(
  db: Database,
  tenantId: string,
  from: number,
  to: number,
  make: (prevHash: string, entryWithoutHash: Doc) => Doc,
): Promise<void> {
  const docs = await docsOf(db, tenantId);
  let prev = String(docs[from - 1]?.hash ?? GENESIS_HASH);
  await db.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq >= $2 AND seq < $3', [
    tenantId,
    from,
    to,
  ]);
  for (let s = from; s < to; s++) {
    const { hash: _old, ...base } = docs[s] ?? { ...(docs[1] as Doc), id: newId() };
    const rest: Doc = { ...base, seq: s, prevHash: prev };
    const doc = make(prev, rest);
    await db.query(
      `INSERT INTO audit_events (tenant_id, seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ($11::jsonb->>'at')::timestamptz, $11::jsonb)`,
      [
        tenantId,
        s,
        String(doc.id),
        String(doc.actor),
        String(doc.action),
        String(doc.entityType),
        String(doc.entityId),
        String(doc.result),
        prev,
        String(doc.hash),
        doc,
      ],
    );
    prev = String(doc.hash);
  }
}

onEveryEngine('the audit trail', (fixtures) => {
  /** A fresh tenant with a few events, and its owner key. */
  const tenantWithTrail = async (): Promise<{ id: string; key: string }> => {
    const t = fixtures();
    const id = `audit-${++seq}`;
    await t.repos.tenants.create({ id, name: id }, 'test');
    const key = (await t.repos.apiKeys.issue(id, { name: 'owner', role: 'owner' }, 'test')).key;
    for (let i = 0; i < 4; i++) {
      const r = await call(t.app, 'POST', '/v1/rules', {
        key,
        body: { ...RULE, name: `rule-${i}` },
      });
      expect(r.status).toBe(201);
    }
    return { id, key };
  };

  it('verify refuses a changed created_at (the column the time filters read)', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toMatchObject({
      ok: true,
    });
    await t.db.query(
      "UPDATE audit_events SET created_at = created_at - interval '1 year' WHERE tenant_id = $1 AND seq = 2",
      [id],
    );
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: false,
      index: 2,
      reason: 'column_mismatch',
    });
  });

  it('a signed checkpoint shows truncation and a rewrite with recomputed hashes', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    const taken = await call(t.app, 'POST', '/v1/audit/checkpoints', { key });
    expect(taken.status).toBe(201);
    const checkpoint = taken.body;
    // Its tenant, its owner key and four rules.
    expect(checkpoint).toMatchObject({
      version: 1,
      tenant_id: id,
      length: 6,
      key_id: t.keyRing.current.id,
    });
    expect(String(checkpoint.signature)).toMatch(/^[0-9a-f]{64}$/);
    // More events later: still fine.
    await call(t.app, 'POST', '/v1/rules', { key, body: { ...RULE, name: 'later' } });
    const fine = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: checkpoint,
    });
    expect(fine.body).toEqual({ ok: true, length: 7, checkpointLength: 6 });
    // An altered checkpoint, or another tenant's, is refused.
    const forged = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: { ...checkpoint, length: 2 },
    });
    expect(forged.body).toEqual({ ok: false, reason: 'bad_signature' });
    const elsewhere = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key: t.keys.owner,
      body: checkpoint,
    });
    expect(elsewhere.body).toEqual({ ok: false, reason: 'other_tenant' });
    const broken = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: { ...checkpoint, signature: 'nope' },
    });
    expect(broken.status).toBe(422);

    // Someone with database access deletes the newest events: the chain alone still verifies.
    await t.db.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq >= 3', [id]);
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: true,
      length: 3,
    });
    const cut = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: checkpoint,
    });
    expect(cut.body).toEqual({ ok: false, reason: 'truncated', length: 3 });

    // ... and writes others in their place with plain SHA-256 hashes, as anyone without the
    // key ring can: verify stops at the first of them, and so does the checkpoint.
    await forge(t.db, id, 3, 7, plain({ keyId: null }));
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: false,
      index: 3,
      reason: 'unkeyed',
    });
    const rewritten = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: checkpoint,
    });
    expect(rewritten.body).toEqual({ ok: false, reason: 'unkeyed', index: 3 });
  });

  it('the chain is keyed: every entry is an HMAC under a ring key, named in the entry', async () => {
    const t = fixtures();
    const { id } = await tenantWithTrail();
    const rows = await docsOf(t.db, id);
    expect(rows.length).toBe(6);
    const keys = auditKeysOf(t.keyRing);
    let prev = GENESIS_HASH;
    for (const doc of rows) {
      expect(doc.keyId).toBe(t.keyRing.current.id);
      const { hash, ...rest } = doc;
      expect(hash).toBe(chainHash(prev, rest, keys));
      // Not the plain SHA-256 of the same bytes.
      expect(hash).not.toBe(sha(prev, rest));
      prev = String(hash);
    }
    expect(await t.repos.audit.verify(id)).toEqual({ ok: true, length: 6 });
  });

  it('a changed entry is found at its index, even with its hash and column made consistent', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    // The hashed document changed, and its column with it: the stored hash no longer fits.
    await t.db.query(
      `UPDATE audit_events SET actor = 'mallory', doc = jsonb_set(doc, '{actor}', '"mallory"')
        WHERE tenant_id = $1 AND seq = 4`,
      [id],
    );
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: false,
      index: 4,
      reason: 'hash_mismatch',
    });
    // Its hash recomputed with plain SHA-256 (key id kept): still refused, at the same index.
    await forge(t.db, id, 4, 5, plain({ actor: 'mallory' }));
    expect(await t.repos.audit.verify(id)).toEqual({
      ok: false,
      index: 4,
      reason: 'hash_mismatch',
    });
  });

  it('a deleted entry in the middle is found at its index', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    await t.db.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2', [id]);
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: false,
      index: 2,
      reason: 'seq_mismatch',
    });
  });

  it('a chain recomputed without the key is refused: plain SHA-256, or an HMAC under a key of its own', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    // The whole chain rewritten from entry 1 with plain SHA-256, every link consistent:
    // exactly what verified before the chain was keyed.
    await forge(t.db, id, 1, 6, plain({ keyId: null, actor: 'mallory' }));
    const refused = await call(t.app, 'GET', '/v1/audit/verify', { key });
    expect(refused.body).toEqual({ ok: false, index: 1, reason: 'unkeyed' });
    // Without the key ring, a sealed entry cannot be checked at all (entry 0 is still sealed).
    expect(await createRepositories(t.db).audit.verify(id)).toEqual({
      ok: false,
      index: 0,
      reason: 'unknown_key',
    });
    // An HMAC under a key the attacker made up, named as the ring's key or as its own.
    const evil = auditKeysOf(KeyRing.generate(t.keyRing.current.id));
    await forge(t.db, id, 1, 6, (prev, rest) => {
      const doc = { ...rest, keyId: t.keyRing.current.id, actor: 'mallory' };
      return { ...doc, hash: String(chainHash(prev, doc, evil)) };
    });
    expect(await t.repos.audit.verify(id)).toEqual({
      ok: false,
      index: 1,
      reason: 'hash_mismatch',
    });
    const own = auditKeysOf(KeyRing.generate('evil'));
    await forge(t.db, id, 1, 6, (prev, rest) => {
      const doc = { ...rest, keyId: 'evil', actor: 'mallory' };
      return { ...doc, hash: String(chainHash(prev, doc, own)) };
    });
    expect(await t.repos.audit.verify(id)).toEqual({ ok: false, index: 1, reason: 'unknown_key' });
  });

  it('a chain written before it was keyed: plain entries count once a sealed one vouches for them', async () => {
    const t = fixtures();
    const id = `legacy-${++seq}`;
    // An earlier version: no keys, plain SHA-256.
    const legacy = createRepositories(t.db);
    await legacy.tenants.create({ id, name: id }, 'test');
    await legacy.apiKeys.issue(id, { name: 'a', role: 'owner' }, 'test');
    await legacy.apiKeys.issue(id, { name: 'b', role: 'viewer' }, 'test');
    expect(await legacy.audit.verify(id)).toEqual({ ok: true, length: 3 });
    // Nothing sealed yet: plain entries alone are what anyone could have written.
    expect(await t.repos.audit.verify(id)).toEqual({ ok: false, index: 0, reason: 'unkeyed' });
    // The next change is sealed, and its HMAC covers the last plain hash.
    await t.repos.apiKeys.issue(id, { name: 'c', role: 'viewer' }, 'test');
    expect(await t.repos.audit.verify(id)).toEqual({ ok: true, length: 4, unkeyedPrefix: 3 });
    // A plain entry rewritten, the plain hashes after it recomputed: the sealed entry says no.
    await forge(t.db, id, 1, 3, plain({ actor: 'mallory' }));
    expect(await t.repos.audit.verify(id)).toEqual({
      ok: false,
      index: 3,
      reason: 'prev_hash_mismatch',
    });
    // ... and made to link to them: its HMAC no longer fits.
    const sealedHash = String((await docsOf(t.db, id))[3]?.hash);
    await forge(t.db, id, 3, 4, (_prev, rest) => ({ ...rest, hash: sealedHash }));
    expect(await t.repos.audit.verify(id)).toEqual({
      ok: false,
      index: 3,
      reason: 'hash_mismatch',
    });
    // Every entry made plain: nothing sealed vouches for them.
    await forge(t.db, id, 0, 4, plain({ keyId: null }));
    expect(await t.repos.audit.verify(id)).toEqual({ ok: false, index: 0, reason: 'unkeyed' });
  });

  it('rotation: entries sealed under the old key and the new one verify with a ring holding both', async () => {
    const t = fixtures();
    const { id } = await tenantWithTrail();
    const next = new KeyRing([
      ...t.keyRing.ids.map((k) => ({ id: k, key: t.keyRing.key(k) as Uint8Array })),
      { id: `audit${++seq}`, key: KeyRing.generate().current.key },
    ]);
    const rotated = createRepositories(t.db, { auditKeys: auditKeysOf(next) });
    await rotated.apiKeys.issue(id, { name: 'after-rotation', role: 'viewer' }, 'test');
    const docs = await docsOf(t.db, id);
    expect(docs.map((d) => d.keyId)).toEqual([
      ...Array(6).fill(t.keyRing.current.id),
      next.current.id,
    ]);
    expect(await rotated.audit.verify(id)).toEqual({ ok: true, length: 7 });
    // A ring without the new key cannot vouch for what it sealed.
    expect(await t.repos.audit.verify(id)).toEqual({ ok: false, index: 6, reason: 'unknown_key' });
  });

  it('reads of tenant data are audited in batches: one event per caller and route', async () => {
    const t = fixtures();
    const { id, key } = await tenantWithTrail();
    const before = (await t.repos.audit.list(id, { action: 'read', limit: 1_000 })).length;
    for (let i = 0; i < 3; i++)
      expect((await call(t.app, 'GET', '/v1/rules', { key })).status).toBe(200);
    expect((await call(t.app, 'GET', '/v1/keys', { key })).status).toBe(200);
    expect((await call(t.app, 'GET', '/v1/rules/missing-rule', { key })).status).toBe(404);
    expect((await call(t.app, 'GET', '/health/live', { key: null })).status).toBe(200);
    let reads: Awaited<ReturnType<typeof t.repos.audit.list>> = [];
    for (let tries = 0; tries < 40; tries++) {
      reads = (await t.repos.audit.list(id, { action: 'read', limit: 1_000 })).slice(before);
      if (reads.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const summary = reads.map((e) => [e.entityType, e.entityId, e.details.requests]).sort();
    expect(summary).toEqual([
      ['AlertRule', '/v1/rules', 3],
      ['ApiKey', '/v1/keys', 1],
    ]);
    expect(reads.every((e) => e.actor.startsWith('key:ab_'))).toBe(true);
    expect((await t.repos.audit.verify(id)).ok).toBe(true);
  });
});
