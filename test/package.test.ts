/**
 * The package as users get it: every `exports` subpath of package.json loads
 * from the built `dist/` (Node resolving the package by its own name), gives
 * what it should, and the packed tarball holds no tests or sources.
 * CI builds before testing; elsewhere the test builds `dist/` if it is absent.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};

beforeAll(() => {
  if (!existsSync(resolve(ROOT, 'dist/index.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  }
}, 180_000);

/** Loads a specifier in a fresh Node process and returns its export names. */
async function exportNames(specifier: string): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`,
    ],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as string[];
}

describe('the package', () => {
  const expected: Record<string, string[]> = {
    alertbase: [
      'defineModel',
      'AlertRule',
      'Alert',
      'AlertLevel',
      'Priority',
      'ValidationError',
      'fingerprint',
      'createValidator',
      'UniversalSerializer',
    ],
    'alertbase/base': ['defineModel', 'TimestampMixin', 'secret'],
    'alertbase/domain': ['Tenant', 'Silence', 'ApiKey', 'AuditEvent', 'NotificationChannel'],
    'alertbase/config': ['loadConfig', 'formatConfig'],
    'alertbase/interop': ['checkRuleFile', 'parseGoTemplate'],
    'alertbase/storage': ['openDatabase'],
    'alertbase/server': ['buildApp', 'startServer'],
    'alertbase/cli': ['runCli'],
  };

  it('declares a subpath for every public layer', () => {
    expect(Object.keys(pkg.exports).sort()).toEqual(
      [
        '.',
        './base',
        './domain',
        './config',
        './interop',
        './storage',
        './server',
        './cli',
        './package.json',
      ].sort(),
    );
  });

  it.each(Object.entries(expected))(
    '%s loads from dist and exports what it should',
    async (specifier, names) => {
      expect(await exportNames(specifier)).toEqual(expect.arrayContaining(names));
    },
    60_000,
  );

  it('the bin runs', async () => {
    const { stdout } = await run(
      process.execPath,
      [resolve(ROOT, pkg.bin.alertbase ?? ''), '--version'],
      { cwd: ROOT },
    );
    expect(stdout.trim()).toBe('0.1.0');
  }, 60_000);

  it('the tarball holds the built code, the examples and the README, and no tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const files =
      (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/cli/main.js',
        'README.md',
        'examples/alert-rule.yaml',
      ]),
    );
    expect(files.filter((f) => /\.test\.|^src\/|^test\//.test(f))).toEqual([]);
  }, 60_000);
});
