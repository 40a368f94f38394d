/** Where a command writes and what it runs in; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes shared by every command. */
export const EXIT = Object.freeze({
  /** Nothing wrong. */
  ok: 0,
  /** The input has errors (validation, conversion). */
  invalid: 1,
  /** A usage error or an unreadable file. */
  usage: 2,
});

/** The process's own streams, working directory and environment. */
export function processIo(): CliIo {
  quietOnClosedPipe(process.stdout);
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/**
 * A reader that stops early (`alertbase schema | head -1`) closes the pipe:
 * end quietly, as Unix tools do, instead of an EPIPE stack trace. Any other
 * write error is raised as before.
 */
export function quietOnClosedPipe(stream: {
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}): void {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/** Thrown by commands for a usage error: exit 2 with a one-line reason. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
