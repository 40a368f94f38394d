/**
 * The keys that seal the audit chain: each entry's hash is an HMAC-SHA-256
 * under a key derived (HKDF) from a key of the key ring, which is never
 * stored in the database. Whoever can write the database but does not hold
 * the ring cannot compute a hash that verifies, so a rewritten, inserted or
 * deleted entry cannot be covered by recomputing the hashes after it.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { KeyRing } from './key-ring.js';

/**
 * What the audit log of `alertbase/storage` needs to seal and check entries
 * (structurally its `AuditKeys`).
 */
export interface AuditChainKeys {
  /** The ring key new entries are sealed under (the ring's newest). */
  readonly currentId: string;
  /** HMAC-SHA-256 of `data` under the chain key derived from ring key `keyId`, hex; `undefined` when the ring lacks it. */
  mac(keyId: string, data: string): string | undefined;
}

/** HKDF info of the chain key: distinct from the checkpoint key and from encryption. */
const INFO = 'alertbase audit chain v1';

/**
 * The audit chain keys of a key ring: one HMAC key per ring key, derived
 * with HKDF-SHA-256, so the ring's AES keys are never used for two jobs.
 * New entries are sealed under the newest key; entries sealed under an
 * older key verify as long as the ring still holds it.
 *
 * @example
 * ```ts
 * const repos = createRepositories(db, { cipher: new FieldCipher(ring), auditKeys: auditKeysOf(ring) });
 * ```
 */
export function auditKeysOf(ring: KeyRing): AuditChainKeys {
  const derived = new Map<string, Buffer>();
  const keyOf = (id: string): Buffer | undefined => {
    const known = derived.get(id);
    if (known !== undefined) return known;
    const key = ring.key(id);
    if (key === undefined) return undefined;
    const made = Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), INFO, 32));
    derived.set(id, made);
    return made;
  };
  return Object.freeze({
    currentId: ring.current.id,
    mac(keyId: string, data: string): string | undefined {
      const key = keyOf(keyId);
      return key === undefined
        ? undefined
        : createHmac('sha256', key).update(data, 'utf8').digest('hex');
    },
    toJSON: () => `AuditChainKeys(${ring.ids.join(',')})`,
  });
}
