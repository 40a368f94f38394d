/**
 * Encryption at rest of secret fields: AES-256-GCM with a 96-bit random IV
 * and a 128-bit tag, bound to where the value is stored (tenant, resource,
 * record id, field path) by the additional authenticated data, so a
 * ciphertext copied to another tenant, row or field does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AlertbaseError } from '../base/exceptions/index.js';
import type { KeyRing } from './key-ring.js';

/** Where a secret is stored: what its ciphertext is bound to. */
export interface SecretPlace {
  readonly tenantId: string;
  /** The model (`NotificationChannel`). */
  readonly resource: string;
  /** The record's id. */
  readonly id: string;
  /** The field's path in the record (`config.webhookUrl`). */
  readonly field: string;
}

const VERSION = 'ab1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** `ab1:<key id>:<iv>:<ciphertext ‖ tag>`, base64url without padding. */
const ENVELOPE = /^ab1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;

/** Is `value` an encryption envelope (as opposed to a secret stored in clear by an older version)? */
export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && ENVELOPE.test(value);
}

/** The key id an envelope was encrypted with. */
export function keyIdOf(envelope: string): string | undefined {
  return ENVELOPE.exec(envelope)?.[1];
}

/** The additional authenticated data of a place (also a secret's `origin`). */
export function placeText(place: SecretPlace): string {
  return [VERSION, place.tenantId, place.resource, place.id, place.field].join('\u0000');
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/**
 * Encrypts and decrypts secret values with a {@link KeyRing}: the newest key
 * encrypts, the envelope names its key, any key of the ring decrypts.
 *
 * @example
 * ```ts
 * const cipher = new FieldCipher(KeyRing.generate());
 * const place = { tenantId: 'acme', resource: 'NotificationChannel', id: 'c1', field: 'config.webhookUrl' };
 * const stored = cipher.seal('https://hooks.slack.com/services/T/B/X', place); // 'ab1:k1:…'
 * cipher.open(stored, place); // 'https://hooks.slack.com/services/T/B/X'
 * ```
 */
export class FieldCipher {
  readonly ring: KeyRing;

  constructor(ring: KeyRing) {
    this.ring = ring;
    Object.freeze(this);
  }

  /** The additional authenticated data of a place. */
  placeText(place: SecretPlace): string {
    return placeText(place);
  }

  /** Is `value` an envelope of this format (see {@link isEnvelope})? */
  isSealed(value: unknown): value is string {
    return isEnvelope(value);
  }

  /** Was `envelope` sealed under a key other than the ring's newest? */
  isStale(envelope: string): boolean {
    return keyIdOf(envelope) !== this.ring.current.id;
  }

  /** Encrypts `plain` for `place` under the ring's newest key. */
  seal(plain: string, place: SecretPlace): string {
    const { id, key } = this.ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(placeText(place), 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${id}:${b64(iv)}:${b64(body)}`;
  }

  /**
   * Decrypts an envelope made by {@link seal} for the same `place`.
   *
   * @throws AlertbaseError `ALERTBASE_SECURITY_DECRYPTION_FAILED` when the
   * envelope is malformed, its key is not in the ring, or it does not
   * authenticate (tampered, truncated, or copied from another place).
   */
  open(envelope: string, place: SecretPlace): string {
    const where = `${place.resource} ${place.id} ${place.field}`;
    const failed = (reason: string, cause?: unknown): AlertbaseError =>
      new AlertbaseError(
        'ALERTBASE_SECURITY_DECRYPTION_FAILED',
        { where, reason },
        cause === undefined ? {} : { cause },
      );
    const match = ENVELOPE.exec(envelope);
    if (match === null) throw failed('not an encryption envelope');
    const [, keyId = '', ivText = '', bodyText = ''] = match;
    const key = this.ring.key(keyId);
    if (key === undefined) throw failed(`key ${keyId} is not in the key ring`);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw failed('truncated envelope');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(placeText(place), 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    } catch (err) {
      throw failed('it does not authenticate (altered, or stored elsewhere)', err);
    }
  }
}
