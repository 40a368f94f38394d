/**
 * The `alertbase` command as a real process (from the sources, through
 * tsx), for the reliability suites: `alertbase serve` started and stopped by
 * pid, one-shot commands run to their exit code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tsx's loader by absolute URL: a child whose working directory is elsewhere resolves it too. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** The environment of a child: PATH and HOME only, plus `env` (no stray DATABASE_URL). */
function childEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...env,
  };
}

/** The end of a one-shot command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `alertbase <args>` to its end (killed after `timeoutMs`). */
export function runAlertbase(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `alertbase serve` running as a process. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with its exit code and signal, and how long after `signal()` it came. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal by pid. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, and waits for the exit (idempotent). */
  kill(): Promise<void>;
}

/** Starts `alertbase serve --port 0` and waits (≤ `timeoutMs`) for its "listening on" line. */
export function startServeProcess(
  env: Readonly<Record<string, string>>,
  cwd: string,
  timeoutMs = 60_000,
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, MAIN, 'serve', '--port', '0', '--host', '127.0.0.1'],
      { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let started = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.on('exit', (code, signal) => done({ code, signal }));
    });
    const kill = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    const timer = setTimeout(() => {
      void kill().then(() => reject(new Error(`alertbase serve did not start: ${out}`)));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const url = /alertbase listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined && !started) {
        started = true;
        clearTimeout(timer);
        resolve({
          child,
          pid: child.pid ?? 0,
          url,
          output: () => out,
          exited,
          signal: (signal) => child.kill(signal),
          kill,
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`alertbase serve exited (${code ?? signal}) before listening: ${out}`));
      }
    });
  });
}
