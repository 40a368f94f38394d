/**
 * Real Prometheus and Alertmanager processes for the end-to-end tests and the
 * HTTP benchmark: finding the binaries, free loopback ports, temporary
 * directories, starting and always stopping the processes, bounded polling.
 * No vitest here, so `bench/` can use it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The binaries Debian installs (`prometheus`, `prometheus-alertmanager`). */
export const PROMETHEUS_BIN = 'prometheus';
export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

/** The absolute path of an executable on `PATH` (or in `/usr/bin`), or undefined. */
export async function findBinary(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: try the next directory.
    }
  }
  return undefined;
}

/**
 * A free TCP port on 127.0.0.1: listen on port 0, read the port, close.
 * (Another process could take it before it is used; on loopback in a test run
 * that is unlikely, and a start that fails to bind is reported with its log.)
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** A temporary directory, removed by `remove()`. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/** Creates `<tmpdir>/alertbase-<prefix>-XXXXXX`. */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `alertbase-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, for at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: {
    readonly timeoutMs: number;
    readonly intervalMs?: number;
    readonly log?: () => string;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const log = options.log === undefined ? '' : `\n--- process log (tail) ---\n${options.log()}`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${why}${log}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** A child process with its output kept (the last 64 KiB) for diagnostics. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** The tail of stdout and stderr, interleaved. */
  log(): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves when it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const LOG_LIMIT = 64 * 1024;

/** Spawns `bin args` (no shell), keeping its output. */
export function startProcess(bin: string, args: readonly string[], cwd: string): RunningProcess {
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    // A spawn failure (ENOENT, EACCES) never emits 'exit'.
    child.once('error', (err) => {
      output += `\n[spawn error] ${err.message}\n`;
      exited = true;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    child,
    log: () => output,
    exited: () => exited,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        if (exited) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, graceMs);
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Waits until `GET url` answers 200, or throws with the process log (the process may have died). */
export async function waitUntilReady(
  url: string,
  proc: RunningProcess,
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    `${url} to answer 200`,
    async () => {
      if (proc.exited()) throw new Error('the process exited');
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    },
    { timeoutMs, intervalMs: 100, log: proc.log },
  );
}

/** Alertmanager's config: one webhook receiver (or none), a single route. */
export interface AlertmanagerOptions {
  /** The webhook receiver, when notifications should go somewhere. */
  readonly webhook?: { readonly url: string; readonly bearer: string } | undefined;
  /** `inhibit_rules`, as Alertmanager's configuration file writes them. */
  readonly inhibitRules?: readonly Record<string, unknown>[] | undefined;
  /** A whole configuration instead (route, receivers, ...): the options above are then ignored. */
  readonly config?: Readonly<Record<string, unknown>> | undefined;
}

/** A running Alertmanager on loopback, with its temporary directory. */
export interface RunningAlertmanager {
  readonly url: string;
  readonly process: RunningProcess;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts `prometheus-alertmanager` on a free loopback port, gossip off
 * (`--cluster.listen-address=`), its storage in a temporary directory.
 */
export async function startAlertmanager(
  bin: string,
  options: AlertmanagerOptions = {},
): Promise<RunningAlertmanager> {
  const dir = await tempDir('alertmanager');
  const port = await freePort();
  const webhook = options.webhook;
  // JSON is YAML: no quoting pitfalls for the key.
  const config = options.config ?? {
    route: {
      receiver: webhook === undefined ? 'blackhole' : 'alertbase',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers:
      webhook === undefined
        ? [{ name: 'blackhole' }]
        : [
            {
              name: 'alertbase',
              webhook_configs: [
                {
                  url: webhook.url,
                  send_resolved: true,
                  http_config: { authorization: { credentials: webhook.bearer } },
                },
              ],
            },
          ],
    ...(options.inhibitRules === undefined ? {} : { inhibit_rules: options.inhibitRules }),
  };
  const file = join(dir.path, 'alertmanager.yml');
  await writeFile(file, JSON.stringify(config, null, 2));
  const proc = startProcess(
    bin,
    [
      `--config.file=${file}`,
      `--storage.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    dir.path,
  );
  const url = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    await proc.stop();
    await dir.remove();
  };
  try {
    await waitUntilReady(`${url}/-/ready`, proc);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, process: proc, close };
}
