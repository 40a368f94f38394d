/**
 * `alertbase serve` (the CLI parses the arguments and calls this). A module
 * of its own, so that the command loads what it needs to read its
 * configuration and open its database, and nothing of the admin commands:
 * `startServer` sets the database opening before it loads the app.
 */
import { flushCompileCache } from 'node:module';
import { loadConfig } from '../config/index.js';
import type { CommandIo } from './commands.js';
import { type RunningServer, startServer } from './start-server.js';

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

/** How long after listening the compile cache is written. */
const COMPILE_CACHE_FLUSH_DELAY_MS = 2_000;

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
  const server = await startServer({
    config,
    env: io.env,
    cwd: io.cwd,
    print: (line) => io.stdout.write(`${line}\n`),
    // The logger is made by the app, loaded while the database opens.
    logger: options.logger === false ? false : { level: 'info', pretty: io.stdout.isTTY === true },
    ...(options.handleSignals === false ? { handleSignals: false } : {}),
  });
  // Listening: the modules compiled so far go to Node's compile cache soon
  // (when the CLI enabled it), not only at exit, which a killed process never
  // reaches. Not at once: writing it (about 0.1–0.3 s of CPU after a first
  // start) would hold back the first requests.
  setTimeout(flushCompileCache, COMPILE_CACHE_FLUSH_DELAY_MS).unref();
  return server;
}
