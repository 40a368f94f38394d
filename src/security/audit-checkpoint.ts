/**
 * Signed checkpoints of a tenant's audit chain: its length and head hash at
 * a moment, signed with HMAC-SHA-256 under a key derived from the key ring
 * (never stored in the database). Kept outside the database (a receipt, a
 * file), a checkpoint later shows whether the chain was cut short or
 * rewritten up to that point: the entry at `length - 1` must still carry
 * `headHash`, and the chain must still verify.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { KeyRing } from './key-ring.js';

/** A checkpoint as given out (JSON, snake_case on the wire). */
export const AuditCheckpoint = z.strictObject({
  version: z.literal(1),
  tenant_id: z.string().min(1).max(63),
  /** Entries in the chain then. */
  length: z.number().int().min(0),
  /** Hash of entry `length - 1` (64 zeros for an empty chain). */
  head_hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** When it was taken (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
  /** The key ring key the signature key is derived from. */
  key_id: z.string().min(1).max(32),
  /** HMAC-SHA-256 of the fields above, hex. */
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A signed checkpoint. */
export type AuditCheckpoint = z.output<typeof AuditCheckpoint>;

/** The signing key of checkpoints, derived from a ring key (HKDF-SHA-256). */
function signingKey(key: Uint8Array): Buffer {
  return Buffer.from(
    hkdfSync('sha256', key, new Uint8Array(0), 'alertbase audit checkpoint v1', 32),
  );
}

function payload(c: Omit<AuditCheckpoint, 'signature'>): string {
  return [c.version, c.tenant_id, c.length, c.head_hash, c.at, c.key_id].join('\n');
}

/**
 * Signs a checkpoint of `tenantId`'s chain with the ring's newest key.
 *
 * @example
 * ```ts
 * const receipt = signCheckpoint(ring, { tenantId: 'acme', length: 42, headHash, at: new Date() });
 * ```
 */
export function signCheckpoint(
  ring: KeyRing,
  head: {
    readonly tenantId: string;
    readonly length: number;
    readonly headHash: string;
    readonly at: Date;
  },
): AuditCheckpoint {
  const unsigned = {
    version: 1 as const,
    tenant_id: head.tenantId,
    length: head.length,
    head_hash: head.headHash,
    at: head.at.toISOString(),
    key_id: ring.current.id,
  };
  const signature = createHmac('sha256', signingKey(ring.current.key))
    .update(payload(unsigned), 'utf8')
    .digest('hex');
  return { ...unsigned, signature };
}

/** Is the checkpoint's signature good (with the ring key it names)? Constant-time. */
export function checkpointSignatureValid(ring: KeyRing, checkpoint: AuditCheckpoint): boolean {
  const key = ring.key(checkpoint.key_id);
  if (key === undefined) return false;
  const { signature, ...unsigned } = checkpoint;
  const expected = createHmac('sha256', signingKey(key)).update(payload(unsigned), 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
