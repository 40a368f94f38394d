/**
 * scripts/warm-compile-cache.mjs, the step of `npm run build` that fills Node's
 * compile cache by starting the built `alertbase serve` once: it fills the
 * cache it is given, passes none of the user's database settings, and leaves
 * no data directory behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let home: string;

beforeAll(() => {
  // dist/ as `npm start` would run it: rebuilt when a source is newer.
  execFileSync(process.execPath, ['scripts/build-state.mjs', 'ensure'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  home = mkdtempSync(join(tmpdir(), 'alertbase-warm-test-'));
}, 300_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe('scripts/warm-compile-cache.mjs', () => {
  it('fills the compile cache by one start, on a throwaway data directory only', () => {
    const cache = join(home, 'cache');
    const machineTmp = join(home, 'tmp');
    mkdirSync(machineTmp);
    const out = execFileSync(process.execPath, ['scripts/warm-compile-cache.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        TMPDIR: machineTmp,
        NODE_COMPILE_CACHE: cache,
        // Not passed on: with it the start would fail (nothing listens there) or,
        // worse, migrate the user's database.
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        ALERTBASE_DATA_DIR: join(home, 'not-this-one'),
      },
    });
    expect(out).toMatch(/^compile cache: filled for alertbase serve in \d+ ms\n$/);
    // The compiled code of the modules a start loads: the bundle's chunks and the
    // external packages (hundreds of entries).
    expect(filesUnder(cache).length).toBeGreaterThan(100);
    // Its temporary data directory is gone, and the user's was not touched.
    expect(readdirSync(machineTmp)).toEqual([]);
    expect(readdirSync(home).sort()).toEqual(['cache', 'tmp']);
  }, 120_000);
});
