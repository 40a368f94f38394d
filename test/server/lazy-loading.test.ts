/**
 * `performance.lazy_loading`, as `alertbase serve` runs it: a real process
 * (the bundled bin, dist/bin/alertbase.js, as `npm start` runs it) on PGlite without REDIS_URL, with
 * a module hook that records every package Node loads. Ready, it has loaded
 * PGlite and Fastify and none of the drivers and libraries nothing used yet;
 * with the setting off, it has loaded them all at start. Fastify's own schema
 * compilers it never loads.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Loaded before the CLI: appends the name of each package Node loads to PACKAGES_LOG. */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({
  load(url, context, nextLoad) {
    const name = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url)?.[1];
    if (name !== undefined && !seen.has(name)) {
      seen.add(name);
      appendFileSync(process.env.PACKAGES_LOG, name + '\\n');
    }
    return nextLoad(url, context);
  },
});
`)}`;

/** Never loaded by a server that has not used them yet. */
const LAZY = [
  'pg',
  'ioredis',
  '@node-rs/argon2',
  'bcryptjs',
  'msgpackr',
  'protobufjs',
  'fast-xml-parser',
];

/**
 * Fastify's own validator and serializer compilers, which it loads unless it
 * is given compilers (the routes have theirs: route-validation.ts).
 */
const NEVER = ['ajv', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'];

let home: string;

beforeAll(async () => {
  // dist/ as `npm start` would run it: rebuilt when a source is newer.
  execFileSync(process.execPath, ['scripts/build-state.mjs', 'ensure'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  home = await mkdtemp(join(tmpdir(), 'alertbase-lazy-'));
}, 240_000);
afterAll(() => rm(home, { recursive: true, force: true }));

/** Starts `alertbase serve` in `cwd` until /health/ready answers 200; the packages it loaded by then. */
async function packagesLoadedWhenReady(name: string, args: readonly string[]): Promise<string[]> {
  const log = join(home, `${name}.log`);
  await writeFile(log, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PACKAGES_LOG: log,
    ALERTBASE_DATA_DIR: join(home, `${name}-data`),
  };
  const child = spawn(
    process.execPath,
    ['--import', RECORDER, resolve(ROOT, 'dist/bin/alertbase.js'), 'serve', '--port', '0', ...args],
    { cwd: home, env, stdio: 'pipe' },
  );
  let out = '';
  const exited = new Promise((done) => child.once('exit', done));
  try {
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const listening = /alertbase listening on (http:\/\/\S+)/.exec(out);
        if (listening?.[1] !== undefined) ok(listening[1]);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${out}`)));
    });
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('alertbase serve on PGlite without REDIS_URL', () => {
  it('is ready without loading pg, ioredis, the password or the format libraries (lazy_loading on, the default)', async () => {
    const loaded = await packagesLoadedWhenReady('lazy', []);
    // The recorder sees what the server needs…
    expect(loaded).toEqual(expect.arrayContaining(['@electric-sql/pglite', 'fastify']));
    // …and nothing of what it does not need yet.
    expect(loaded.filter((name) => LAZY.includes(name))).toEqual([]);
    expect(loaded.filter((name) => NEVER.includes(name))).toEqual([]);
  }, 120_000);

  it('loads them all at start with lazy_loading off', async () => {
    const config = join(home, 'eager.yaml');
    await writeFile(config, 'base_schema:\n  performance:\n    lazy_loading: false\n');
    const loaded = await packagesLoadedWhenReady('eager', ['--config', config]);
    expect(loaded).toEqual(expect.arrayContaining(LAZY));
    expect(loaded.filter((name) => NEVER.includes(name))).toEqual([]);
  }, 120_000);
});
