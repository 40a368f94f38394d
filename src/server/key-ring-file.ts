/**
 * Where the key ring of encryption at rest comes from: the
 * `ALERTBASE_ENCRYPTION_KEYS` setting (or its `_FILE`) when set; otherwise
 * the key file `encryption-keys` in the data directory, created on first
 * start with one random key, readable by its owner only (0600).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AlertbaseError } from '../base/exceptions/index.js';
import type { AlertbaseConfig } from '../config/index.js';
import { ENCRYPTION_KEYS_ENV } from '../config/index.js';
import { KEY_BYTES, KeyRing } from '../security/key-ring.js';

/** The key file's name in the data directory. */
export const KEY_FILE_NAME = 'encryption-keys';

/** A key ring and where it came from. */
export interface ResolvedKeyRing {
  readonly ring: KeyRing;
  /**
   * `setting`: `ALERTBASE_ENCRYPTION_KEYS`; `file`: the key file; `new`: made
   * now, written by `persist()`; `memory`: made now for this process only.
   */
  readonly source: 'setting' | 'file' | 'new' | 'memory';
  /** The key file (sources `file` and `new`). */
  readonly path: string | undefined;
  /** Writes a `new` ring's key file (0600; refused when one appeared meanwhile); nothing otherwise. */
  persist(): Promise<void>;
}

/** The key file of a configuration. */
export function keyFileOf(config: AlertbaseConfig): string {
  return join(resolve(config.storage.dataDir), KEY_FILE_NAME);
}

async function readKeyFile(path: string): Promise<KeyRing | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if ((mode & 0o077) !== 0) {
    throw new AlertbaseError('ALERTBASE_CONFIG_INVALID', {
      source: path,
      reason: `the key file is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 ${path}`,
    });
  }
  return KeyRing.parse(await readFile(path, 'utf8'), path);
}

/**
 * The key ring of a configuration: from `storage.encryptionKeys` when set,
 * else from the key file in the data directory. When there is neither:
 * with `create: 'file'` a new ring of one random key, written by
 * `persist()` (after the data directory is seeded: a directory with files
 * in it is not seeded); with `create: 'memory'` a new ring kept by this
 * process only (a database given to `startServer`, such as a test's);
 * with `create: false` an error.
 *
 * @throws AlertbaseError `ALERTBASE_CONFIG_INVALID` for a malformed ring or a
 * key file readable by others; `ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE`
 * when there is none and `create` is false.
 */
export async function resolveKeyRing(
  config: AlertbaseConfig,
  options: { readonly create: 'file' | 'memory' | false },
): Promise<ResolvedKeyRing> {
  const setting = config.storage.encryptionKeys;
  const nothing = async (): Promise<void> => {};
  if (setting !== undefined) {
    return {
      ring: KeyRing.parse(setting.reveal(), ENCRYPTION_KEYS_ENV),
      source: 'setting',
      path: undefined,
      persist: nothing,
    };
  }
  const path = keyFileOf(config);
  const found = await readKeyFile(path);
  if (found !== undefined) return { ring: found, source: 'file', path, persist: nothing };
  if (options.create === false) {
    throw new AlertbaseError('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE', {
      reason: `neither ${ENCRYPTION_KEYS_ENV} nor the key file ${path} exists`,
    });
  }
  const ring = KeyRing.generate('k1');
  if (options.create === 'memory')
    return { ring, source: 'memory', path: undefined, persist: nothing };
  let written: Promise<void> | undefined;
  return {
    ring,
    source: 'new',
    path,
    persist() {
      written ??= (async () => {
        await mkdir(resolve(config.storage.dataDir), { recursive: true });
        // 'wx': never replace a key file another process wrote meanwhile.
        await writeFile(path, ring.toText(), { mode: 0o600, flag: 'wx' });
      })();
      return written;
    },
  };
}

/**
 * `alertbase keys new`: a new key for the ring, named `id` (default: `k`
 * and the next number). Appended to the key file when the ring comes from
 * it; otherwise returned, to be added to the end of `ALERTBASE_ENCRYPTION_KEYS`.
 */
export async function addKey(
  config: AlertbaseConfig,
  id?: string,
): Promise<{ readonly entry: string; readonly appendedTo: string | undefined }> {
  const current = await resolveKeyRing(config, { create: false });
  const numbers = current.ring.ids.map((k) => Number(/^k(\d+)$/.exec(k)?.[1] ?? 0));
  const name = id ?? `k${Math.max(0, ...numbers) + 1}`;
  const entry = `${name}:${randomBytes(KEY_BYTES).toString('base64')}`;
  // Validates the name and that it is new.
  KeyRing.parse(`${current.ring.toText()}${entry}`, 'the new key');
  if (current.source === 'file' && current.path !== undefined) {
    await appendFile(current.path, `${entry}\n`, { mode: 0o600 });
    return { entry, appendedTo: current.path };
  }
  return { entry, appendedTo: undefined };
}
