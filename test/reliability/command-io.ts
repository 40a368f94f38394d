/** What the command tests run in this process share: a platform key and a captured `CommandIo`. */
import type { CommandIo } from '../../src/server/commands.js';

/** A platform administrator key (128 bits of entropy and more, as the setting requires). */
export const ADMIN_KEY = 'c4d9e2f7a1b80365d2e7f4a9c8b1d6e30123456789abcdef0fedcba987654321';

/** A command's I/O in `cwd` with `env`; `out()` is what it printed. */
export function ioOf(cwd: string, env: Record<string, string>): CommandIo & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    cwd,
    env,
    out: () => out,
  };
}
