#!/usr/bin/env node
// Times alertbase's start-up as a user meets it: from spawning `npm start` (or
// `node dist/bin/alertbase.js serve`, the bundled bin, directly) to the first 200 of /health/ready.
//
//   node bench/startup.mjs [--runs 5] [--how npm,node] [--case first,restart] [--root <dir>] [--cold]
//   node bench/startup.mjs --imports [--runs 5]
//
// `first`: an empty data directory each run; `restart`: one data directory,
// created by an unmeasured start, reused by every run. Node's compile cache
// (NODE_COMPILE_CACHE) at each first start is a new one, as `npm ci` leaves it:
// filled by the build's scripts/warm-compile-cache.mjs (run unmeasured, when the
// measured checkout has it), or empty with `--cold` (or for a checkout without
// it); restarts share the cache the unmeasured start wrote.
// `--root <dir>`: measure another built checkout (before/after comparisons
// on a busy machine: alternate the two). Each process is stopped
// (SIGTERM to its own process group, SIGKILL after 10 s) before the next
// starts. `--imports`: the time to import each heavy module alone, in a fresh
// process each (median), from dist/ and node_modules/. Prints one line per run and the median per case, and a JSON summary
// on the last line. Plain JavaScript: it loads no compiler, and measures dist/
// as `npm start` runs it (build it first: `npm ci` or `npm run build`).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
/** A start that is not ready by then is a failure, not a slow number. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 10;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

/** The checkout measured (`--root`: another one, built, e.g. an older commit's); default this one. */
const ROOT = resolve(option('root', HERE));
const runs = Number(option('runs', '5'));
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  process.stderr.write('--runs: a whole number from 1 to 50\n');
  process.exit(2);
}
const hows = option('how', 'npm,node').split(',');
const cases = option('case', 'first,restart').split(',');
/** The script of `npm run build` that fills the compile cache, if the measured checkout has one. */
const WARM = join(ROOT, 'scripts', 'warm-compile-cache.mjs');
const warmFirst = !process.argv.includes('--cold') && existsSync(WARM);

const COMMANDS = {
  npm: ['npm', ['start', '--silent']],
  node: [process.execPath, ['dist/bin/alertbase.js', 'serve']],
};

/** A free TCP port on the loopback interface. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * CPU seconds spent so far by a process group (Linux: /proc), in ms: every
 * member's user and system time plus that of its children already waited
 * for (npm's shell and the build check). A loaded machine stretches the wall
 * clock; this moves much less. Undefined where /proc is not there.
 */
function groupCpuMs(pgid) {
  const TICK_MS = 10; // USER_HZ is 100 on Linux
  let ticks = 0;
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The fields after the command name, which is in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks * TICK_MS;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function ready(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Fills `compileCache` as `npm run build` does (unmeasured). */
function warmCache(compileCache) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [WARM], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, NODE_COMPILE_CACHE: compileCache },
    });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${WARM}: ${code}`))));
  });
}

/** Starts once; milliseconds to ready, and the server's own "ready in". */
async function startOnce(how, dataDir, compileCache) {
  const port = await freePort();
  const [command, args] = COMMANDS[how];
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ALERTBASE_DATA_DIR: dataDir,
      NODE_COMPILE_CACHE: compileCache,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  const exit = new Promise((r) => child.once('exit', r)).then(() => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}/health/ready`;
  let ms;
  let cpuMs;
  while (!exited && performance.now() - started < READY_TIMEOUT_MS) {
    if (await ready(url)) {
      ms = performance.now() - started;
      cpuMs = groupCpuMs(child.pid);
      break;
    }
    await sleep(POLL_MS);
  }
  // The server prints its own "ready in" just after it starts answering.
  for (let i = 0; i < 200 && !exited && !/ready in \d+ ms/.test(output); i++) await sleep(10);
  // The process group: npm, its shell and node.
  if (!exited) process.kill(-child.pid, 'SIGTERM');
  const killer = setTimeout(() => {
    if (!exited) process.kill(-child.pid, 'SIGKILL');
  }, STOP_TIMEOUT_MS);
  await exit;
  clearTimeout(killer);
  // npm can exit before the server it started has closed PGlite: the next start
  // would find the data directory locked (ALERTBASE_STORAGE_DATA_DIR_LOCKED).
  const lockFile = `${dataDir}.lock`;
  for (let waited = 0; existsSync(lockFile) && waited < STOP_TIMEOUT_MS; waited += POLL_MS) {
    await sleep(POLL_MS);
  }
  if (ms === undefined) throw new Error(`${how} did not become ready:\n${output}`);
  const own = /ready in (\d+) ms/.exec(output);
  return { ms, cpuMs, ownMs: own === null ? undefined : Number(own[1]) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Modules whose import cost matters at start, alone in a fresh process. */
const IMPORTS = [
  'fastify',
  '@fastify/compress',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/under-pressure',
  'zod',
  'fastify-type-provider-zod',
  '@electric-sql/pglite',
  'pg',
  'ioredis',
  'prom-client',
  'pino',
  'yaml',
  'protobufjs',
  'msgpackr',
  'fast-xml-parser',
  'nodemailer',
  're2js',
  '@node-rs/argon2',
  'commander',
  './dist/config/index.js',
  './dist/base/serializers/index.js',
  './dist/storage/index.js',
  './dist/server/openapi.js',
  './dist/server/app.js',
  './dist/server/start-server.js',
];

function importOnce(spec) {
  const code = `const t = performance.now(); await import(${JSON.stringify(spec)}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolveTime, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolveTime(Number(out));
      else reject(new Error(`importing ${spec} failed (${code})`));
    });
  });
}

if (process.argv.includes('--imports')) {
  const result = {};
  for (const spec of IMPORTS) {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await importOnce(spec));
    result[spec] = Math.round(median(times));
    process.stdout.write(`${spec}: ${result[spec]} ms\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), 'alertbase-startup-'));
const summary = {};
try {
  for (const how of hows) {
    if (!(how in COMMANDS)) throw new Error(`--how: npm or node, not ${how}`);
    for (const kind of cases) {
      if (kind !== 'first' && kind !== 'restart') throw new Error(`--case: first or restart`);
      const restartDir = join(scratch, `${how}-restart`);
      // A first start has a new compile cache, as after `npm ci` (see the top);
      // restarts share the cache the unmeasured start wrote.
      const restartCache = join(scratch, `${how}-restart-cache`);
      if (kind === 'restart') await startOnce(how, restartDir, restartCache);
      const times = [];
      const own = [];
      const cpu = [];
      for (let i = 0; i < runs; i++) {
        const dir = kind === 'first' ? join(scratch, `${how}-first-${i}`) : restartDir;
        const cache = kind === 'first' ? join(scratch, `${how}-first-${i}-cache`) : restartCache;
        if (kind === 'first' && warmFirst) await warmCache(cache);
        const { ms, cpuMs, ownMs } = await startOnce(how, dir, cache);
        times.push(ms);
        if (cpuMs !== undefined) cpu.push(cpuMs);
        if (ownMs !== undefined) own.push(ownMs);
        process.stdout.write(
          `${how} ${kind} #${i + 1}: ${Math.round(ms)} ms, CPU ${cpuMs ?? '?'} ms (server: ready in ${ownMs ?? '?'} ms)\n`,
        );
      }
      const key = `${how} ${kind}`;
      summary[key] = {
        medianMs: Math.round(median(times)),
        minMs: Math.round(Math.min(...times)),
        maxMs: Math.round(Math.max(...times)),
        serverMedianMs: own.length === 0 ? undefined : Math.round(median(own)),
        cpuMedianMs: cpu.length === 0 ? undefined : Math.round(median(cpu)),
      };
      process.stdout.write(
        `${key}: median ${summary[key].medianMs} ms (${summary[key].minMs}–${summary[key].maxMs}), server's own median ${summary[key].serverMedianMs} ms, CPU median ${summary[key].cpuMedianMs} ms\n`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
