/**
 * What `alertbase keys new`, `alertbase keys rotate` and `alertbase audit
 * checkpoint|verify` run: add a key to the ring of encryption at rest,
 * re-encrypt the stored secrets under the newest key while the service
 * runs, and take or check signed checkpoints of an audit chain.
 */

import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AlertbaseError } from '../base/exceptions/index.js';
import { loadConfig } from '../config/index.js';
import { type AuditCheckpoint, auditKeysOf, FieldCipher } from '../security/index.js';
import {
  type ReencryptResult,
  reencryptSecrets,
  verifyAuditChain,
} from '../storage/repositories/index.js';
import { checkCheckpoint, parseCheckpoint, takeCheckpoint } from './audit-checkpoints.js';
import { type CommandIo, openConfigured } from './commands.js';
import { addKey, resolveKeyRing } from './key-ring-file.js';

/** Options of `alertbase keys new`. */
export interface NewKeyCommandOptions {
  /** The new key's id (default `k` and the next number). */
  readonly id?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase keys new`: appends a new random key to the data directory's
 * key file, or, when the ring comes from `ALERTBASE_ENCRYPTION_KEYS`, prints
 * the entry to append there. Running instances encrypt with it once they
 * are restarted with it; then run `alertbase keys rotate`.
 */
export async function runNewKey(options: NewKeyCommandOptions, io: CommandIo): Promise<string> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const added = await addKey(config, options.id);
  const id = added.entry.slice(0, added.entry.indexOf(':'));
  if (added.appendedTo !== undefined) {
    io.stdout.write(
      `Added key ${id} to ${added.appendedTo}. Restart alertbase to encrypt with it, then run: alertbase keys rotate\n`,
    );
  } else {
    io.stdout.write(
      `Append this entry to ALERTBASE_ENCRYPTION_KEYS (after the others) on every instance, restart them, then run alertbase keys rotate:\n  ${added.entry}\n`,
    );
  }
  return id;
}

/** Options of `alertbase keys rotate`. */
export interface RotateKeysCommandOptions {
  /** Rows per transaction (default 100). */
  readonly batchSize?: number | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase keys rotate`: re-encrypts every stored secret under the
 * newest key of the ring (`reencryptSecrets`), batch by batch, each batch
 * audited as `secrets.reencrypt` in its tenant's trail. Safe while the
 * service runs on a PostgreSQL server (a PGlite directory admits one
 * process: stop the service first), and to run again.
 */
export async function runRotateKeys(
  options: RotateKeysCommandOptions,
  io: CommandIo,
): Promise<ReencryptResult> {
  const { config, db } = await openConfigured(options.config, io, 'keys rotate');
  try {
    const { ring } = await resolveKeyRing(config, { create: false });
    const result = await reencryptSecrets(db, new FieldCipher(ring), {
      batchSize: options.batchSize,
      actor: 'system:cli',
      auditKeys: auditKeysOf(ring),
    });
    if (result.failed === 0) {
      io.stdout.write(
        `Re-encrypted ${result.secrets} secret(s) in ${result.rows} row(s) of ${result.tenants} tenant(s); every secret is under key ${result.keyId}.\n`,
      );
      return result;
    }
    io.stdout.write(
      `Re-encrypted ${result.secrets} secret(s) in ${result.rows} row(s) of ${result.tenants} tenant(s) under key ${result.keyId}.\n`,
    );
    const lines = result.failures.map(
      (f) => `  ${f.tenantId} ${f.resource} ${f.id} ${f.field}: ${f.reason}\n`,
    );
    throw new AlertbaseError('ALERTBASE_SECURITY_DECRYPTION_FAILED', {
      where: `${result.failed} secret(s), left as they are`,
      reason: `no key of the ring decrypts them (altered, copied, or under a removed key):\n${lines.join('')}`,
    });
  } finally {
    await db.close();
  }
}

/** Options of `alertbase audit checkpoint`. */
export interface AuditCheckpointCommandOptions {
  readonly tenant: string;
  /** Write it to this file (default: stdout). */
  readonly output?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase audit checkpoint --tenant T [-o FILE]`: a signed checkpoint of
 * the tenant's audit chain (length, head hash), as JSON: keep it outside
 * the database.
 */
export async function runAuditCheckpoint(
  options: AuditCheckpointCommandOptions,
  io: CommandIo,
): Promise<AuditCheckpoint> {
  const { config, db } = await openConfigured(options.config, io, 'audit checkpoint');
  try {
    const { ring } = await resolveKeyRing(config, { create: false });
    const checkpoint = await takeCheckpoint(db, ring, options.tenant);
    const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (options.output === undefined) io.stdout.write(text);
    else await writeFile(resolve(io.cwd, options.output), text, { mode: 0o644 });
    return checkpoint;
  } finally {
    await db.close();
  }
}

/** Options of `alertbase audit verify`. */
export interface AuditVerifyCommandOptions {
  readonly tenant: string;
  /** A checkpoint file made by `alertbase audit checkpoint` (or the API). */
  readonly checkpoint?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase audit verify --tenant T [--checkpoint FILE]`: verifies the
 * tenant's chain, and against the checkpoint when given. Returns whether
 * it holds (the CLI exits 1 when not).
 */
export async function runAuditVerify(
  options: AuditVerifyCommandOptions,
  io: CommandIo,
): Promise<boolean> {
  const checkpoint =
    options.checkpoint === undefined
      ? undefined
      : parseCheckpoint(JSON.parse(await readFile(resolve(io.cwd, options.checkpoint), 'utf8')));
  const { config, db } = await openConfigured(options.config, io, 'audit verify');
  try {
    const { ring } = await resolveKeyRing(config, { create: false });
    if (checkpoint === undefined) {
      const chain = await verifyAuditChain(db, options.tenant, { keys: auditKeysOf(ring) });
      io.stdout.write(`${JSON.stringify(chain)}\n`);
      return chain.ok;
    }
    const verdict = await checkCheckpoint(db, ring, options.tenant, checkpoint);
    io.stdout.write(`${JSON.stringify(verdict)}\n`);
    return verdict.ok;
  } finally {
    await db.close();
  }
}
