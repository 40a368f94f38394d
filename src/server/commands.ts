/**
 * What the `alertbase serve` and `alertbase admin create-key` commands run
 * (the CLI parses the arguments and calls these).
 */
import { AlertbaseError } from '../base/exceptions/index.js';
import { type AlertbaseConfig, loadConfig } from '../config/index.js';
import { type Database, openDatabase, pgliteTemplate } from '../storage/index.js';
import { createRepositories } from '../storage/repositories/index.js';
import { PLATFORM_TENANT } from './auth.js';
import { seedDataDir } from './data-dir.js';
import { type RunningServer, startServer } from './start-server.js';

/** The streams and environment a command runs with (the CLI's `CliIo` fits). */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options of `alertbase serve`. */
export interface ServeCommandOptions {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly config?: string | undefined;
  /** Log requests (pino: JSON lines on stdout, readable lines when it is a terminal). Default true. */
  readonly logger?: boolean | undefined;
  /** Close on SIGINT/SIGTERM, then exit. Default true. */
  readonly handleSignals?: boolean | undefined;
}

/**
 * `alertbase serve`: starts the server and returns once it listens; it runs
 * until SIGINT/SIGTERM. `--port` and `--host` win over the configuration
 * (`PORT`, `HOST`, the file).
 */
export async function runServe(
  options: ServeCommandOptions,
  io: CommandIo,
): Promise<RunningServer> {
  const { config } = await loadConfig({
    env: io.env,
    cwd: io.cwd,
    configFile: options.config,
    overrides: { server: { port: options.port, host: options.host } },
  });
  return startServer({
    config,
    env: io.env,
    cwd: io.cwd,
    print: (line) => io.stdout.write(`${line}\n`),
    // The logger is made by the app, loaded while the database opens.
    logger: options.logger === false ? false : { level: 'info', pretty: io.stdout.isTTY === true },
    ...(options.handleSignals === false ? { handleSignals: false } : {}),
  });
}

/** Loads the configuration and opens the database it names (a new PGlite directory from the template). */
export async function openConfigured(
  configFile: string | undefined,
  io: CommandIo,
): Promise<{ readonly config: AlertbaseConfig; readonly db: Database }> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile });
  const url = config.storage.databaseUrl;
  if (url === undefined)
    await seedDataDir(config.storage.dataDir, () => pgliteTemplate({ keep: false }));
  const db = await openDatabase(url === undefined ? { dataDir: config.storage.dataDir } : { url });
  return { config, db };
}

/** Opens the database the configuration names. */
async function openConfiguredDatabase(
  configFile: string | undefined,
  io: CommandIo,
): Promise<Database> {
  return (await openConfigured(configFile, io)).db;
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
  const db = await openConfiguredDatabase(options.config, io);
  try {
    const repos = createRepositories(db);
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
  const db = await openConfiguredDatabase(options.config, io);
  try {
    const repos = createRepositories(db);
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
