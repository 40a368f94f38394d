/**
 * Secret fields at rest: a record's `Secret` values are stored as
 * encryption envelopes (never in clear) and read back as sealed secrets,
 * decrypted only when something calls `reveal()` (a delivery), never to
 * list or show a record.
 */
import { AlertbaseError } from '../../base/exceptions/index.js';
import { isSecret, Secret } from '../../base/types/secret.js';

/** Where a secret is stored (see `SecretPlace` of `alertbase/security`). */
export interface StoredSecretPlace {
  readonly tenantId: string;
  readonly resource: string;
  readonly id: string;
  readonly field: string;
}

/**
 * What the repositories need of the field cipher (`FieldCipher` of
 * `alertbase/security` is one).
 */
export interface SecretCipher {
  seal(plain: string, place: StoredSecretPlace): string;
  open(envelope: string, place: StoredSecretPlace): string;
  /** Is a stored value an envelope (rather than a secret stored in clear by an older version)? */
  isSealed(value: unknown): value is string;
  /** Was an envelope sealed under a key other than the newest? */
  isStale(envelope: string): boolean;
  /** Text that identifies a place (its additional authenticated data). */
  placeText(place: StoredSecretPlace): string;
}

/** The record a document belongs to. */
export interface RecordPlace {
  readonly tenantId: string;
  readonly resource: string;
  readonly id: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error of a repository that must store or read a secret without a key ring. */
export function noCipher(resource: string): AlertbaseError {
  return new AlertbaseError('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE', {
    reason: `${resource} has secret fields and no encryption key ring was given (ALERTBASE_ENCRYPTION_KEYS)`,
  });
}

/**
 * The stored document of `instance` (`doc`, its storage dump) with every
 * `Secret` of the instance replaced by an envelope: a secret read sealed
 * from the same place keeps its envelope (no decryption), any other is
 * encrypted under the newest key. Returns whether it found a secret.
 */
export function sealSecrets(
  instance: unknown,
  doc: Record<string, unknown>,
  record: RecordPlace,
  cipher: SecretCipher | undefined,
): Record<string, unknown> {
  const walk = (value: unknown, stored: unknown, path: string): unknown => {
    if (isSecret(value)) {
      if (cipher === undefined) throw noCipher(record.resource);
      const place = { ...record, field: path };
      const sealed = value.sealedForm;
      if (sealed !== undefined && sealed.origin === cipher.placeText(place)) return sealed.text;
      return cipher.seal(String(value.reveal()), place);
    }
    if (Array.isArray(value) && Array.isArray(stored)) {
      return stored.map((s, i) => walk(value[i], s, `${path}.${i}`));
    }
    if (isRecord(value) && isRecord(stored) && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(stored)) {
        out[k] = walk(value[k], s, path === '' ? k : `${path}.${k}`);
      }
      return out;
    }
    return stored;
  };
  return walk(instance, doc, '') as Record<string, unknown>;
}

/**
 * A stored document with the envelopes at `paths` (the model's secret
 * fields, `secretPaths(model.shape)`) replaced by sealed `Secret`s, ready
 * for the model's parse (which lets sealed secrets through undecrypted).
 * Each decrypts at `reveal()`, with the key its envelope names. A value
 * stored in clear by a version without encryption is left as it is (it is
 * encrypted when the record is next written, or by `alertbase keys rotate`).
 */
export function unsealSecrets(
  doc: Record<string, unknown>,
  record: RecordPlace,
  paths: readonly string[],
  cipher: SecretCipher | undefined,
): Record<string, unknown> {
  if (paths.length === 0) return doc;
  const sealedAt = (stored: string, field: string): unknown => {
    const place = { ...record, field };
    if (cipher === undefined) {
      // Without a ring an envelope cannot be read: say so at reveal(), not when listing.
      return /^ab1:/.test(stored)
        ? Secret.sealed({
            text: stored,
            origin: `${record.tenantId}/${record.resource}/${record.id}/${field}`,
            open: () => {
              throw noCipher(record.resource);
            },
          })
        : stored;
    }
    if (!cipher.isSealed(stored)) return stored;
    return Secret.sealed({
      text: stored,
      origin: cipher.placeText(place),
      open: () => cipher.open(stored, place),
    });
  };
  const visit = (node: unknown, parts: readonly string[], done: string): unknown => {
    const [head, ...rest] = parts;
    if (head === undefined) return typeof node === 'string' ? sealedAt(node, done) : node;
    const at = (k: string): string => (done === '' ? k : `${done}.${k}`);
    if (head === '*') {
      return Array.isArray(node) ? node.map((v, i) => visit(v, rest, at(String(i)))) : node;
    }
    if (!isRecord(node) || !Object.hasOwn(node, head)) return node;
    return { ...node, [head]: visit(node[head], rest, at(head)) };
  };
  let out: unknown = doc;
  for (const path of paths) out = visit(out, path.split('.'), '');
  return out as Record<string, unknown>;
}
