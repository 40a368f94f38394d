/**
 * Retention cuts of a tenant's audit chain (`audit_cuts`): where entries
 * before a position were removed, with the hash of the last removed entry,
 * sealed like an entry so that the chain verifies from the cut and nobody
 * without the keys can move a cut forward to hide removed entries.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TransactionClient } from '../types.js';
import type { AuditKeys } from './audit-log.js';
import { prepared } from './statements.js';

/** One cut: entries before `seq` are gone; `prevHash` is the hash of entry `seq - 1`. */
export interface AuditCut {
  /** The first position kept (≥ 1). */
  readonly seq: number;
  /** The hash of the entry at `seq - 1`, the head of what was removed. */
  readonly prevHash: string;
  readonly at: Date;
  /** The key the seal is an HMAC under; `null`: plain SHA-256. */
  readonly keyId: string | null;
  readonly seal: string;
}

/** What a cut's seal covers. */
function sealed(tenantId: string, cut: Omit<AuditCut, 'seal' | 'keyId'>): string {
  return `alertbase audit cut v1\n${tenantId}\n${cut.seq}\n${cut.prevHash}\n${cut.at.toISOString()}`;
}

/**
 * The seal of a cut: HMAC-SHA-256 under `keyId` with keys, else SHA-256;
 * `undefined` for a key that `keys` lacks (or a key and no `keys`).
 */
export function cutSeal(
  tenantId: string,
  cut: Omit<AuditCut, 'seal'>,
  keys?: AuditKeys,
): string | undefined {
  const data = sealed(tenantId, cut);
  if (cut.keyId !== null) return keys?.mac(cut.keyId, data);
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

const LATEST = prepared(
  'SELECT seq, prev_hash, at, key_id, seal FROM audit_cuts WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1',
);
const INSERT = prepared(
  'INSERT INTO audit_cuts (tenant_id, seq, prev_hash, at, key_id, seal) VALUES ($1, $2, $3, $4, $5, $6)',
);
const AT = prepared('SELECT prev_hash FROM audit_cuts WHERE tenant_id = $1 AND seq = $2');

type CutRow = {
  seq: number | string;
  prev_hash: string;
  at: Date;
  key_id: string | null;
  seal: string;
};

/** The tenant's newest cut (where its chain starts now), in a `withTenant` transaction. */
export async function latestAuditCut(
  tx: TransactionClient,
  tenantId: string,
): Promise<AuditCut | undefined> {
  const { rows } = await tx.query<CutRow>(LATEST.text, [tenantId], LATEST.options);
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    at: row.at,
    keyId: row.key_id,
    seal: row.seal,
  };
}

/** The hash a cut kept of the entry at `seq` (the entry right before a cut), if any. */
export async function auditCutHashAt(
  tx: TransactionClient,
  tenantId: string,
  seq: number,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ prev_hash: string }>(AT.text, [tenantId, seq + 1], AT.options);
  return rows[0]?.prev_hash;
}

/**
 * Records a cut before `seq` (sealed under `keys.currentId` with keys), in
 * a `withTenant` transaction of the tenant.
 * @returns the stored cut.
 */
export async function writeAuditCut(
  tx: TransactionClient,
  tenantId: string,
  cut: { readonly seq: number; readonly prevHash: string; readonly at: Date },
  keys?: AuditKeys,
): Promise<AuditCut> {
  // Timestamps are stored to the microsecond: seal what reads back.
  const at = new Date(cut.at.getTime());
  const unsealed = { seq: cut.seq, prevHash: cut.prevHash, at, keyId: keys?.currentId ?? null };
  const seal = cutSeal(tenantId, unsealed, keys);
  if (seal === undefined) throw new TypeError(`audit key ${keys?.currentId} gives no MAC`);
  await tx.query(
    INSERT.text,
    [tenantId, cut.seq, cut.prevHash, at, unsealed.keyId, seal],
    INSERT.options,
  );
  return { ...unsealed, seal };
}

/** Does the cut's seal verify (with `keys`, a cut must be sealed under one of them)? */
export function auditCutValid(tenantId: string, cut: AuditCut, keys?: AuditKeys): boolean {
  if (keys !== undefined && cut.keyId === null) return false;
  const expected = cutSeal(tenantId, cut, keys);
  if (expected === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(cut.seal, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
