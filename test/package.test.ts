/**
 * The package as users get it: every `exports` subpath of package.json loads
 * from the built `dist/` (Node resolving the package by its own name), gives
 * what it should, the packed tarball holds the migrated PGlite template and no
 * tests or sources, and a first start on a new machine uses that template.
 * CI builds before testing; elsewhere the test builds `dist/` and the bundled
 * command if they are absent, and the template if it is absent or out of date.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedTemplateName, unpackedTemplateName } from '../src/storage/pglite-template.js';

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
  // The second half of `npm run build`: quick when the template is up to date.
  execFileSync('npx', ['tsx', 'scripts/build-template.ts'], { cwd: ROOT, stdio: 'ignore' });
  // The bundled command the bin names.
  if (!existsSync(resolve(ROOT, pkg.bin.alertbase ?? ''))) {
    execFileSync('npx', ['tsx', 'scripts/build-bundle.ts'], { cwd: ROOT, stdio: 'ignore' });
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
    'alertbase/cache': ['createCache', 'createMemoryDriver', 'createRedisDriver', 'connectRedis'],
    'alertbase/observability': ['createMetrics', 'renderMetrics', 'healthReport'],
    'alertbase/notify': ['senderFor', 'sendNotification', 'webhookPayload', 'guardedRequest'],
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
        './cache',
        './observability',
        './notify',
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

  it('the tarball holds the built code, the PGlite template, the examples and the README, and no tests', async () => {
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
        'dist/bin/alertbase.js',
        'README.md',
        'examples/alert-rule.yaml',
        'dist/console/index.html',
      ]),
    );
    // The console: its hashed entry module, and the PromQL editor in a chunk of its own.
    expect(files.some((f) => /^dist\/console\/app-[A-Z0-9]{8}\.js$/.test(f))).toBe(true);
    expect(
      files.some((f) => /^dist\/console\/chunks\/promql-editor-[A-Z0-9]{8}\.js$/.test(f)),
    ).toBe(true);
    expect(files.filter((f) => /\.test\.|^src\/|^test\//.test(f))).toEqual([]);
    // Exactly the template of the current key: none left over from other migration sets.
    expect(files.filter((f) => /pglite-template-.*\.tar/.test(f))).toEqual([
      `dist/storage/${shippedTemplateName()}`,
    ]);
    // Not the unpacked template the build writes beside it for this checkout's first starts.
    expect(existsSync(resolve(ROOT, 'dist/storage', unpackedTemplateName(), 'PG_VERSION'))).toBe(
      true,
    );
    expect(files.filter((f) => f.startsWith(`dist/storage/${unpackedTemplateName()}/`))).toEqual(
      [],
    );
  }, 60_000);
});

describe('the first start on a new machine', () => {
  it('creates the data directory from the shipped template, without initdb or a cache', async () => {
    const home = await mkdtemp(join(tmpdir(), 'alertbase-first-start-'));
    // A machine that never ran alertbase: an empty temporary directory (no template
    // cache in <tmpdir>/alertbase) and an empty working directory.
    const machineTmp = join(home, 'tmp');
    const cwd = join(home, 'app');
    await Promise.all([mkdir(machineTmp), mkdir(cwd)]);
    const child = spawn(
      process.execPath,
      [resolve(ROOT, pkg.bin.alertbase ?? ''), 'serve', '--port', '0'],
      { cwd, env: { PATH: process.env.PATH ?? '', TMPDIR: machineTmp }, stdio: 'pipe' },
    );
    let out = '';
    try {
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const listening = /alertbase listening on (http:\/\/\S+)/.exec(out);
          if (listening?.[1] !== undefined) ok(listening[1]);
        });
        child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      expect(out).toContain('Created tenant "demo"');
      // The template came from the package (in this built checkout, the unpacked copy
      // `npm run build` writes; an installed package has the tarball): initdb would
      // have written the cache.
      expect(existsSync(join(machineTmp, 'alertbase'))).toBe(false);
      expect(await readdir(join(cwd, 'data'))).toEqual(expect.arrayContaining(['PG_VERSION']));
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});
