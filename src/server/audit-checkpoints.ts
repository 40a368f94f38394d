/**
 * Signed checkpoints of the audit trail, taken and checked: what
 * `POST /v1/audit/checkpoints`, `POST /v1/audit/checkpoints/verify`,
 * `alertbase audit checkpoint` and `alertbase audit verify --checkpoint` run.
 */
import { AlertbaseError, ValidationError } from '../base/exceptions/index.js';
import {
  AuditCheckpoint,
  auditKeysOf,
  checkpointSignatureValid,
  type KeyRing,
  signCheckpoint,
} from '../security/index.js';
import type { Database } from '../storage/index.js';
import { auditHashAt, auditHeadOf, verifyAuditChain } from '../storage/repositories/index.js';

/** What checking a checkpoint found. */
export type CheckpointVerdict =
  | { readonly ok: true; readonly length: number; readonly checkpointLength: number }
  | {
      readonly ok: false;
      /**
       * `bad_signature` (not signed by this ring, or altered), `other_tenant`,
       * `truncated` (the chain is now shorter), `rewritten` (the entry at the
       * checkpoint no longer has its hash), `removed_by_retention` (retention
       * cut the chain after the checkpoint's position), or the chain's own failure.
       */
      readonly reason: string;
      readonly index?: number | undefined;
      readonly length?: number | undefined;
    };

/** Signs a checkpoint of the tenant's chain as it is now. */
export async function takeCheckpoint(
  db: Database,
  ring: KeyRing | undefined,
  tenantId: string,
  at: Date = new Date(),
): Promise<AuditCheckpoint> {
  if (ring === undefined) {
    throw new AlertbaseError('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE', {
      reason: 'checkpoints are signed with a key of the key ring, and there is none',
    });
  }
  const head = await auditHeadOf(db, tenantId);
  return signCheckpoint(ring, { tenantId, length: head.length, headHash: head.hash, at });
}

/** A checkpoint from untrusted input (a file, a body), or a `ValidationError`. */
export function parseCheckpoint(input: unknown): AuditCheckpoint {
  const parsed = AuditCheckpoint.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      'AuditCheckpoint',
      parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
        pointer: `/${i.path.join('/')}`,
        code: i.code,
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

/**
 * Checks the tenant's chain against a checkpoint: its signature, then that
 * the chain verifies (every entry sealed under a key of the ring), is at least as long, and still has the checkpoint's
 * head hash at its position.
 */
export async function checkCheckpoint(
  db: Database,
  ring: KeyRing | undefined,
  tenantId: string,
  checkpoint: AuditCheckpoint,
): Promise<CheckpointVerdict> {
  if (ring === undefined || !checkpointSignatureValid(ring, checkpoint)) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (checkpoint.tenant_id !== tenantId) return { ok: false, reason: 'other_tenant' };
  const chain = await verifyAuditChain(db, tenantId, { keys: auditKeysOf(ring) });
  if (!chain.ok) return { ok: false, reason: chain.reason, index: chain.index };
  if (chain.length < checkpoint.length) {
    return { ok: false, reason: 'truncated', length: chain.length };
  }
  // Retention removed the entry at the checkpoint's position (the entry right
  // before the cut lives on as the cut's hash): it can no longer be compared.
  if (chain.from !== undefined && checkpoint.length < chain.from) {
    return { ok: false, reason: 'removed_by_retention', index: checkpoint.length - 1 };
  }
  if (checkpoint.length > 0) {
    const hash = await auditHashAt(db, tenantId, checkpoint.length - 1);
    if (hash !== checkpoint.head_hash) {
      return { ok: false, reason: 'rewritten', index: checkpoint.length - 1 };
    }
  }
  return { ok: true, length: chain.length, checkpointLength: checkpoint.length };
}
