import { describe, expect, it } from 'vitest';
import { AlertbaseError } from '../base/exceptions/index.js';
import { FieldCipher, isEnvelope, keyIdOf, type SecretPlace } from './field-cipher.js';
import { KeyRing } from './key-ring.js';

const place: SecretPlace = {
  tenantId: 'acme',
  resource: 'NotificationChannel',
  id: 'c1',
  field: 'config.webhookUrl',
};
const plain = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';
const KEY1 = Buffer.alloc(32, 1).toString('base64');
const KEY2 = Buffer.alloc(32, 2).toString('hex');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AlertbaseError ? err.code : String(err);
  }
}

/** Flips one bit of the base64url part `index` (2: iv, 3: body) of an envelope. */
function flip(envelope: string, index: number, at = 0): string {
  const parts = envelope.split(':');
  const bytes = Buffer.from(parts[index] as string, 'base64url');
  bytes[at] = (bytes[at] as number) ^ 1;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

describe('FieldCipher', () => {
  const cipher = new FieldCipher(KeyRing.parse(`k1:${KEY1}`));

  it('seals with a fresh 96-bit IV and a 128-bit tag, naming its key, and opens at the same place', () => {
    const a = cipher.seal(plain, place);
    const b = cipher.seal(plain, place);
    expect(a).not.toBe(b);
    expect(isEnvelope(a)).toBe(true);
    expect(keyIdOf(a)).toBe('k1');
    const [, , iv = '', body = ''] = a.split(':');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body, 'base64url')).toHaveLength(Buffer.byteLength(plain) + 16);
    expect(a).not.toContain('hooks.slack.com');
    expect(cipher.open(a, place)).toBe(plain);
    expect(cipher.open(cipher.seal('', place), place)).toBe('');
  });

  it.each([
    ['tenant', { ...place, tenantId: 'globex' }],
    ['record', { ...place, id: 'c2' }],
    ['field', { ...place, field: 'config.bearerToken' }],
    ['resource', { ...place, resource: 'Other' }],
  ])('refuses a ciphertext moved to another %s (AAD)', (_what, elsewhere) => {
    expect(codeOf(() => cipher.open(cipher.seal(plain, place), elsewhere))).toBe(
      'ALERTBASE_SECURITY_DECRYPTION_FAILED',
    );
  });

  it('refuses a flipped bit of the ciphertext, the tag or the IV', () => {
    const sealed = cipher.seal(plain, place);
    const bodyLength = Buffer.from(sealed.split(':')[3] as string, 'base64url').length;
    for (const altered of [flip(sealed, 3, 0), flip(sealed, 3, bodyLength - 1), flip(sealed, 2)]) {
      expect(codeOf(() => cipher.open(altered, place))).toBe(
        'ALERTBASE_SECURITY_DECRYPTION_FAILED',
      );
    }
  });

  it('refuses a truncated tag (Node would accept a 4-byte tag without authTagLength)', () => {
    const sealed = cipher.seal(plain, place);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3] as string, 'base64url');
    for (const cut of [12, 15, 1]) {
      parts[3] = body.subarray(0, body.length - cut).toString('base64url');
      expect(codeOf(() => cipher.open(parts.join(':'), place))).toBe(
        'ALERTBASE_SECURITY_DECRYPTION_FAILED',
      );
    }
    // A body shorter than a tag is refused before any decryption.
    const short = `ab1:k1:${parts[2]}:${Buffer.alloc(15).toString('base64url')}`;
    expect(codeOf(() => cipher.open(short, place))).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
  });

  it('refuses text that is no envelope, and a key the ring lacks', () => {
    expect(codeOf(() => cipher.open(plain, place))).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
    const other = new FieldCipher(KeyRing.parse(`k9:${KEY2}`));
    const err = (() => {
      try {
        cipher.open(other.seal(plain, place), place);
      } catch (e) {
        return e as AlertbaseError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
    expect(err?.message).toContain('key k9 is not in the key ring');
    expect(err?.message).not.toContain(plain);
  });

  it('reads what an older key sealed after a new key is added; the newest seals', () => {
    const sealed = cipher.seal(plain, place);
    const next = new FieldCipher(KeyRing.parse(`k1:${KEY1},k2:${KEY2}`));
    expect(next.open(sealed, place)).toBe(plain);
    expect(next.isStale(sealed)).toBe(true);
    const again = next.seal(plain, place);
    expect(keyIdOf(again)).toBe('k2');
    expect(next.isStale(again)).toBe(false);
    expect(codeOf(() => cipher.open(again, place))).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
  });

  it('knows envelopes from values stored in clear', () => {
    expect(cipher.isSealed(cipher.seal('x', place))).toBe(true);
    expect(cipher.isSealed('ab1:k1:short:x')).toBe(false);
    expect(cipher.isSealed(plain)).toBe(false);
    expect(cipher.isSealed(42)).toBe(false);
    expect(cipher.placeText(place)).toBe(
      'ab1\u0000acme\u0000NotificationChannel\u0000c1\u0000config.webhookUrl',
    );
  });
});

describe('KeyRing', () => {
  it('parses id:key entries (hex or base64, comma or newline, comments), the last encrypts', () => {
    const ring = KeyRing.parse(`# old\nk1:${KEY1}\n, k2:${KEY2}\n`);
    expect(ring.ids).toEqual(['k1', 'k2']);
    expect(ring.current.id).toBe('k2');
    expect(Buffer.from(ring.key('k1') as Uint8Array).toString('base64')).toBe(KEY1);
    expect(ring.key('k3')).toBeUndefined();
    expect(KeyRing.parse(ring.toText()).ids).toEqual(['k1', 'k2']);
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(KeyRing.parse(`u:${urlSafe}`).key('u')).toEqual(new Uint8Array(32).fill(0xfb));
  });

  it('never prints its keys', () => {
    const ring = KeyRing.parse(`k1:${KEY1}`);
    expect(JSON.stringify({ ring })).toBe('{"ring":"KeyRing(k1)"}');
    expect(String(ring)).toBe('KeyRing(k1)');
  });

  it.each([
    ['', 'at least one'],
    ['k1', 'id:key'],
    [`k1:${KEY1.slice(4)}`, '32 bytes'],
    [`k1:${'ab'.repeat(31)}`, '32 bytes'],
    [`bad id:${KEY1}`, 'id:key'],
    [`k1:${KEY1},k1:${KEY2}`, 'twice'],
  ])('refuses %j with ALERTBASE_CONFIG_INVALID', (text, reason) => {
    let err: unknown;
    try {
      KeyRing.parse(text);
    } catch (e) {
      err = e;
    }
    expect((err as AlertbaseError).code).toBe('ALERTBASE_CONFIG_INVALID');
    expect((err as AlertbaseError).message).toContain(reason);
  });

  it('generates a random 256-bit key', () => {
    const a = KeyRing.generate('x');
    const b = KeyRing.generate('x');
    expect(a.current.id).toBe('x');
    expect(a.current.key).toHaveLength(32);
    expect(Buffer.from(a.current.key).equals(Buffer.from(b.current.key))).toBe(false);
    expect(() => new KeyRing([])).toThrow(AlertbaseError);
    expect(() => new KeyRing([{ id: 'k', key: new Uint8Array(16) }])).toThrow(/16|32/);
  });
});
