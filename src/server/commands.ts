/**
 * What the `alertbase admin` commands run (the CLI parses the arguments and
 * calls these); `alertbase serve` is `serve-command.ts`.
 */
import { AlertbaseError } from '../base/exceptions/index.js';
import { type AlertbaseConfig, adminKeysOf, loadConfig } from '../config/index.js';
import { auditKeysOf, FieldCipher } from '../security/index.js';
import {
  lockDataDir,
  lockFileOf,
  processIsAlive,
  readDataDirLock,
} from '../storage/data-dir-lock.js';
import { type Database, openDatabase, pgliteTemplateSeed } from '../storage/index.js';
import { createRepositories, type Repositories } from '../storage/repositories/index.js';
import { PLATFORM_TENANT } from './auth.js';
import { seedDataDir } from './data-dir.js';
import { resolveKeyRing } from './key-ring-file.js';

/** The streams and environment a command runs with (the CLI's `CliIo` fits). */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What an admin command says when `alertbase serve` holds the PGlite directory. */
const ADMIN_ADVICE =
  'PGlite admits one process: stop that server, run this command, start the server again. ' +
  '`alertbase admin owner-key` goes through the running server instead when ALERTBASE_ADMIN_KEY holds a platform administrator key; ' +
  'a platform key for a running server needs no database: start it with ALERTBASE_ADMIN_KEY=$(openssl rand -hex 32)';

/**
 * Loads the configuration and opens the database it names (a new PGlite
 * directory from the template). A PGlite directory that a running
 * `alertbase serve` holds is refused (`ALERTBASE_STORAGE_DATA_DIR_LOCKED`),
 * saying what to do instead.
 */
export async function openConfigured(
  configFile: string | undefined,
  io: CommandIo,
  command: string,
): Promise<{ readonly config: AlertbaseConfig; readonly db: Database }> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile });
  const url = config.storage.databaseUrl;
  if (url !== undefined) {
    return { config, db: await openDatabase({ url, timeoutMs: config.storage.databaseTimeoutMs }) };
  }
  const { dataDir } = config.storage;
  const lock = await lockDataDir(dataDir, {
    holder: `alertbase ${command}`,
    advice: ADMIN_ADVICE,
  });
  try {
    await seedDataDir(dataDir, () => pgliteTemplateSeed({ keep: false }));
    return { config, db: await openDatabase({ dataDir, lock }) };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * The repositories of a command that writes: secrets encrypted and audit
 * entries sealed with the installation's key ring (made, as `serve` makes
 * it, when there is none yet), so the chain `serve` verifies stays sealed.
 */
export async function sealedRepositories(
  config: AlertbaseConfig,
  db: Database,
): Promise<Repositories> {
  const keys = await resolveKeyRing(config, { create: 'file' });
  await keys.persist();
  return createRepositories(db, {
    cipher: new FieldCipher(keys.ring),
    auditKeys: auditKeysOf(keys.ring),
  });
}

/** Options of `alertbase admin create-key`. */
export interface CreateKeyCommandOptions {
  /** The key's name, to recognise it in the audit trail. */
  readonly name?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase admin create-key`: issues a platform administrator key (it
 * manages tenants) and prints it once; only its hash is stored, in the
 * reserved `platform` tenant, created on first use.
 */
export async function runCreateAdminKey(
  options: CreateKeyCommandOptions,
  io: CommandIo,
): Promise<string> {
  const { config, db } = await openConfigured(options.config, io, 'admin create-key');
  try {
    const repos = await sealedRepositories(config, db);
    if ((await repos.tenants.find(PLATFORM_TENANT)) === undefined) {
      await repos.tenants.create(
        { id: PLATFORM_TENANT, name: 'Platform administration' },
        'system:cli',
      );
    }
    const issued = await repos.apiKeys.issue(
      PLATFORM_TENANT,
      { name: options.name ?? 'platform-admin', role: 'owner' },
      'system:cli',
    );
    io.stdout.write(
      `Platform administrator key (shown only this once, stored hashed):\n  ${issued.key}\n`,
    );
    return issued.key;
  } finally {
    await db.close();
  }
}

/** Options of `alertbase admin owner-key`. */
export interface OwnerKeyCommandOptions {
  /** The tenant that gets a new owner key. */
  readonly tenant: string;
  /** Why (kept in the tenant's audit trail). */
  readonly reason?: string | undefined;
  readonly config?: string | undefined;
}

/**
 * `alertbase admin owner-key --tenant T`: break-glass. Issues a new owner key
 * to a tenant whose owners lost theirs, prints it once, and records
 * `key.break_glass` (actor `system:cli`, with the reason) in the tenant's
 * audit trail. Needs the database, as `create-key` does.
 */
export async function runIssueOwnerKey(
  options: OwnerKeyCommandOptions,
  io: CommandIo,
): Promise<string> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const viaServer = await runningServerOf(config);
  if (viaServer !== undefined) return issueOwnerKeyThroughApi(viaServer, options, io);
  const { db } = await openConfigured(options.config, io, 'admin owner-key');
  try {
    const repos = await sealedRepositories(config, db);
    if (options.tenant === PLATFORM_TENANT) {
      throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
        role: 'platform-admin',
        action: 'issue tenant owner keys to the platform tenant (use alertbase admin create-key)',
      });
    }
    await repos.tenants.get(options.tenant);
    const issued = await repos.apiKeys.issueBreakGlassOwnerKey(
      options.tenant,
      'system:cli',
      options.reason ?? '',
    );
    io.stdout.write(
      `Owner key of tenant ${options.tenant} (break-glass, audited; shown only this once):\n  ${issued.key}\n`,
    );
    return issued.key;
  } finally {
    await db.close();
  }
}

/** A running `alertbase serve` that holds the PGlite directory, and a key to call it with. */
export interface RunningServerRef {
  readonly url: string;
  readonly adminKey: string;
}

/**
 * @internal The server to send an admin command to: the holder of the
 * PGlite directory when it announced its URL and a platform key is
 * configured (`ALERTBASE_ADMIN_KEY`); otherwise `undefined` (the command
 * opens the database itself, or is refused naming the holder).
 */
export async function runningServerOf(
  config: AlertbaseConfig,
): Promise<RunningServerRef | undefined> {
  if (config.storage.databaseUrl !== undefined) return undefined;
  const held = await readDataDirLock(lockFileOf(config.storage.dataDir));
  const adminKey = adminKeysOf(config)[0];
  if (held?.url === undefined || adminKey === undefined || !processIsAlive(held.pid)) {
    return undefined;
  }
  return { url: held.url, adminKey };
}

/** `alertbase admin owner-key` through a running server's `POST /v1/tenants/:id/owner-key`. */
async function issueOwnerKeyThroughApi(
  server: RunningServerRef,
  options: OwnerKeyCommandOptions,
  io: CommandIo,
): Promise<string> {
  const res = await fetch(
    `${server.url}/v1/tenants/${encodeURIComponent(options.tenant)}/owner-key`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ reason: options.reason ?? '' }),
      signal: AbortSignal.timeout(30_000),
    },
  );
  const body = (await res.json()) as { key?: unknown; code?: unknown; detail?: unknown };
  if (res.status !== 201 || typeof body.key !== 'string') {
    throw new AlertbaseError('ALERTBASE_INTERNAL', {
      reason: `the running server at ${server.url} answered ${res.status} ${String(body.code ?? '')}: ${String(body.detail ?? '')}`,
    });
  }
  io.stdout.write(
    `Owner key of tenant ${options.tenant} (break-glass, audited; issued by the running server at ${server.url}; shown only this once):\n  ${body.key}\n`,
  );
  return body.key;
}
