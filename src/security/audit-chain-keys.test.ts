import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditKeysOf } from './audit-chain-keys.js';
import { KeyRing } from './key-ring.js';

describe('auditKeysOf', () => {
  const ring = new KeyRing([
    { id: 'k1', key: new Uint8Array(32).fill(1) },
    { id: 'k2', key: new Uint8Array(32).fill(2) },
  ]);
  const keys = auditKeysOf(ring);

  it('seals under the newest key, and checks under any key of the ring', () => {
    expect(keys.currentId).toBe('k2');
    const one = keys.mac('k1', 'data');
    const two = keys.mac('k2', 'data');
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(two).toMatch(/^[0-9a-f]{64}$/);
    expect(one).not.toBe(two);
    // Stable: the same key and data give the same MAC (the derived key is kept).
    expect(keys.mac('k1', 'data')).toBe(one);
    expect(keys.mac('k1', 'datA')).not.toBe(one);
  });

  it('uses a derived key, never the ring key itself (which encrypts)', () => {
    const raw = createHmac('sha256', new Uint8Array(32).fill(1)).update('data').digest('hex');
    expect(keys.mac('k1', 'data')).not.toBe(raw);
  });

  it('knows nothing of a key the ring lacks, and never prints its keys', () => {
    expect(keys.mac('k3', 'data')).toBeUndefined();
    expect(JSON.stringify(keys)).toBe('"AuditChainKeys(k1,k2)"');
  });
});
