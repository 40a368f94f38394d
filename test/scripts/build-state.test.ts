/**
 * `npm start` rebuilds only when a build input is newer than the last build:
 * scripts/build-state.mjs, run in a copy of the layout it reads, with a `build`
 * script that counts its runs.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/build-state.mjs');
let root: string;

function ensure(): string {
  return execFileSync(process.execPath, [join(root, 'scripts/build-state.mjs'), 'ensure'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
const builds = (): number => readFileSync(join(root, 'builds.log'), 'utf8').length;
const age = (path: string, seconds: number): void => {
  const t = new Date(Date.now() - seconds * 1000);
  utimesSync(join(root, path), t, t);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'alertbase-build-state-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'src/base'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  copyFileSync(SCRIPT, join(root, 'scripts/build-state.mjs'));
  writeFileSync(join(root, 'builds.log'), '');
  // The build appends one character per run, then stamps, as the real one does.
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      scripts: {
        build:
          "node -e \"require('fs').appendFileSync('builds.log','x')\" && node scripts/build-state.mjs stamp",
      },
    }),
  );
  writeFileSync(join(root, 'src/base/model.ts'), 'export {};\n');
  writeFileSync(join(root, 'src/base/model.test.ts'), 'export {};\n');
  for (const path of ['package.json', 'src/base/model.ts', 'src/base/model.test.ts']) age(path, 60);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/build-state.mjs ensure', () => {
  it('builds when dist/ was never built', () => {
    ensure();
    expect(builds()).toBe(1);
    expect(readFileSync(join(root, 'dist/.build-stamp'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('does nothing when the build is newer than every input', () => {
    ensure();
    ensure();
    expect(builds()).toBe(1);
  });

  it('rebuilds when a source is newer than the build, not when only a test file is', () => {
    ensure();
    age('dist/.build-stamp', 30);
    writeFileSync(join(root, 'src/base/model.test.ts'), 'export const changed = 1;\n');
    ensure();
    expect(builds()).toBe(1);
    writeFileSync(join(root, 'src/base/model.ts'), 'export const changed = 1;\n');
    ensure();
    expect(builds()).toBe(2);
  });

  it('rebuilds when package.json changed (a dependency update can change the template)', () => {
    ensure();
    age('dist/.build-stamp', 30);
    writeFileSync(join(root, 'package.json'), readFileSync(join(root, 'package.json')));
    ensure();
    expect(builds()).toBe(2);
  });

  it('fails with the build’s exit status when the build fails', () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { build: 'exit 3' } }));
    expect(() => ensure()).toThrow(expect.objectContaining({ status: 3 }));
  });

  it('refuses an unknown command', () => {
    expect(() =>
      execFileSync(process.execPath, [join(root, 'scripts/build-state.mjs'), 'clean'], {
        stdio: 'pipe',
      }),
    ).toThrow(expect.objectContaining({ status: 2 }));
  });
});

describe('scripts/build-state.mjs start (what `npm start` runs)', () => {
  /** A stand-in for the bundled CLI that records the arguments it was run with. */
  function fakeCli(): void {
    mkdirSync(join(root, 'dist/bin'), { recursive: true });
    writeFileSync(
      join(root, 'dist/bin/alertbase.js'),
      "import { writeFileSync } from 'node:fs';\n" +
        "writeFileSync(new URL('../../argv.json', import.meta.url), JSON.stringify(process.argv.slice(2)));\n",
    );
    writeFileSync(join(root, 'package.json'), readFileSync(join(root, 'package.json')));
    age('package.json', 60);
  }
  const start = (...args: string[]): void => {
    execFileSync(process.execPath, [join(root, 'scripts/build-state.mjs'), 'start', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  const argv = (): unknown => JSON.parse(readFileSync(join(root, 'argv.json'), 'utf8'));

  it('builds when needed, then runs `alertbase serve` with the given options in the same process', () => {
    // ESM, as the package is.
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        ...JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')),
        type: 'module',
      }),
    );
    fakeCli();
    start('--port', '9999');
    expect(builds()).toBe(1);
    expect(argv()).toEqual(['serve', '--port', '9999']);
    start();
    expect(builds()).toBe(1);
    expect(argv()).toEqual(['serve']);
  });

  it('does not serve when the build fails', () => {
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ type: 'module', scripts: { build: 'exit 3' } }),
    );
    fakeCli();
    expect(() => start()).toThrow(expect.objectContaining({ status: 3 }));
    expect(() => argv()).toThrow(/ENOENT/);
  });
});
