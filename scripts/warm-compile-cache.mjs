#!/usr/bin/env node
// Fills Node's compile cache for `alertbase serve`: the last step of `npm run build` (so of
// `npm ci`'s `prepare`) before the stamp. The first `npm start` after it then reuses the
// compiled code of every module it loads, as a restart does, instead of compiling about
// 0.3–0.5 s of CPU of them (bench/README.md, "Start-up").
//
//   node scripts/warm-compile-cache.mjs
//
// It starts the built command once, as `npm start` would (the same files, the same
// NODE_COMPILE_CACHE, else Node's default <tmpdir>/node-compile-cache), on a new data
// directory in a temporary folder with port 0, and stops it once it has listened for
// three seconds: the command writes the cache two seconds after it listens. Nothing else of the environment is passed (no
// DATABASE_URL, no REDIS_URL, no configuration file: the folder is its working
// directory), so it touches no database of the user's. A failure only says so: the build
// goes on, and the first start compiles as before.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'bin', 'alertbase.js');
const TIMEOUT_MS = 120_000;
/** How long it serves before it is stopped: past the command's compile cache write (2 s). */
const SERVE_MS = 3_000;
/** What is passed on of the environment: where things are, and the compile cache's settings. */
const KEPT = ['PATH', 'HOME', 'TMPDIR', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE'];

/** Starts `alertbase serve` once and stops it after {@link SERVE_MS} of listening. */
function serveOnce(folder) {
  const env = { ALERTBASE_DATA_DIR: join(folder, 'data'), PORT: '0', HOST: '127.0.0.1' };
  for (const name of KEPT) if (process.env[name] !== undefined) env[name] = process.env[name];
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    cwd: folder,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let listening = false;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`not listening after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    const read = (chunk) => {
      output += chunk;
      if (listening || !output.includes('alertbase listening on')) return;
      // Everything a start loads is loaded; SIGTERM closes it gracefully.
      listening = true;
      setTimeout(() => child.kill('SIGTERM'), SERVE_MS);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', fail);
    // Its output is not shown: it holds the throwaway demo tenant's key.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`alertbase serve exited with ${code ?? signal}`));
    });
  });
}

const started = performance.now();
const folder = mkdtempSync(join(tmpdir(), 'alertbase-warm-'));
try {
  await serveOnce(folder);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`compile cache: filled for alertbase serve in ${ms} ms\n`);
} catch (err) {
  process.stderr.write(`compile cache: not filled (${err.message}); the first start compiles\n`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
