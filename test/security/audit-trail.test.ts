/**
 * The audit trail, on PGlite and on the PostgreSQL server: verify sees a
 * changed `created_at` column; signed checkpoints, kept outside the
 * database, show a trail cut short or rewritten (hashes recomputed) up to
 * them; reads of tenant data are audited, in batches.
 */
import { expect, it } from 'vitest';
import { newId } from '../../src/base/utils/ids.js';
import { chainHash } from '../../src/storage/repositories/index.js';
import { call, RULE } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

let seq = 0;

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

    // ... and rewrites them, recomputing every following hash: the chain verifies again.
    const rows = await t.db.query<{ seq: number; doc: Record<string, unknown> }>(
      'SELECT seq, doc FROM audit_events WHERE tenant_id = $1 ORDER BY seq',
      [id],
    );
    let prev = String(rows.rows[2]?.doc.hash);
    for (let s = 3; s < 7; s++) {
      const rest: Record<string, unknown> = {
        ...(rows.rows[1]?.doc as Record<string, unknown>),
        seq: s,
        id: newId(),
        prevHash: prev,
        actor: 'mallory',
      };
      delete rest.hash;
      const hash = chainHash(prev, rest);
      await t.db.query(
        `INSERT INTO audit_events (tenant_id, seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc)
         VALUES ($1, $2, $3, 'mallory', $4, $5, $6, $7, $8, $9, ($10::jsonb->>'at')::timestamptz, $10::jsonb)`,
        [
          id,
          s,
          String(rest.id),
          String(rest.action),
          String(rest.entityType),
          String(rest.entityId),
          String(rest.result),
          prev,
          hash,
          { ...rest, hash },
        ],
      );
      prev = hash;
    }
    expect((await call(t.app, 'GET', '/v1/audit/verify', { key })).body).toEqual({
      ok: true,
      length: 7,
    });
    const rewritten = await call(t.app, 'POST', '/v1/audit/checkpoints/verify', {
      key,
      body: checkpoint,
    });
    expect(rewritten.body).toEqual({ ok: false, reason: 'rewritten', index: 5 });
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
