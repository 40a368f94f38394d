/**
 * Hostile input: the CPU time alertbase spends on each request it refuses
 * (amplified bodies, YAML bombs) and on the injection scan's worst case, and
 * the p99 latency of `GET /health/live` while those requests run.
 *
 * In one process, through `app.inject` (no sockets), on a PGlite test
 * database: every attack is sent with the key it needs (a viewer key where
 * reading is enough), warmed up, then sent `ROUNDS` times one after another;
 * CPU time (`process.cpuUsage`, user + system) divided by the requests is
 * the row. Its baseline is the target, 20 ms of CPU per refused
 * request (ratio > 1: within the target).
 *
 * The liveness row: `GET /health/live` every 5 ms, first with nothing else
 * running (the baseline, same run), then while six attack streams run
 * (every attack in turn). The event loop is shared, so a probe waits for
 * whatever request holds it: the p99 shows the longest stall an attack
 * causes. ratio = idle p99 / p99 under attack (1 would be no effect).
 */

import { gzipSync } from 'node:zlib';
import {
  aliasBomb,
  jsonZeros,
  mergeBomb,
  msgpackNulls,
  protobufNulls,
  xmlChildren,
} from '../test/security/payloads.js';
import { call, setup, type TestApp } from '../test/server/helpers.js';
import { type BenchRow, benchRow } from './lib.js';

const SUITE = 'hostile';
const ROUNDS = Number(process.env.ALERTBASE_BENCH_HOSTILE_ROUNDS ?? 20);
const TARGET_MS = 20;

/** One hostile request and the status it must get. */
interface Attack {
  readonly name: string;
  readonly status: number;
  send(t: TestApp): Promise<{ status: number }>;
}

const gz = (bytes: Uint8Array): Buffer => gzipSync(bytes, { level: 9 });

function attacks(): Attack[] {
  const amplified = (format: string, type: string, bytes: Uint8Array): Attack => {
    const body = gz(bytes);
    return {
      name: `${format}: ${Math.round(body.byteLength / 1024)} KB gzip → ${(bytes.byteLength / 1e6).toFixed(1)} MB, 2.6 M values (viewer key)`,
      status: 413,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules/validate', {
          key: t.keys.viewer,
          raw: body,
          contentType: type,
          headers: { 'content-encoding': 'gzip' },
        }),
    };
  };
  const merge = `${mergeBomb(5, 10)}\ngroups: []\n`;
  const alias = `name: x\n${aliasBomb(9, 9)}\n`;
  const description = '<a '.repeat(349_000);
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const wide = Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n');
  return [
    {
      name: `POST /v1/rules/import: merge-key bomb (${merge.length} bytes, 10^5 merges)`,
      status: 400,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules/import', {
          key: t.keys.editor,
          raw: merge,
          contentType: 'application/yaml',
        }),
    },
    {
      name: `POST /v1/rules: YAML alias bomb (${alias.length} bytes, 9^10 nodes)`,
      status: 400,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules', {
          key: t.keys.editor,
          raw: alias,
          contentType: 'application/yaml',
        }),
    },
    {
      name: `POST /v1/rules: YAML nested 100,000 deep (${deep.length / 1000} KB of \`[\`)`,
      status: 413,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules', {
          key: t.keys.editor,
          raw: deep,
          contentType: 'application/yaml',
        }),
    },
    {
      name: `POST /v1/rules: a YAML mapping of 40,000 keys (${Math.round(wide.length / 1000)} KB)`,
      status: 413,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules', {
          key: t.keys.editor,
          raw: wide,
          contentType: 'application/yaml',
        }),
    },
    amplified('protobuf', 'application/x-protobuf', protobufNulls(2_600_000)),
    amplified('msgpack', 'application/msgpack', msgpackNulls(2_600_000)),
    amplified('json', 'application/json', jsonZeros(2_600_000)),
    amplified('xml', 'application/xml', xmlChildren(2_600_000)),
    {
      name: 'for reference, not an attack: POST /v1/rules/validate of a valid rule (answered 200)',
      status: 200,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules/validate', {
          key: t.keys.viewer,
          body: { name: 'x', level: 'high', priority: 'p2', condition: 'up == 0' },
        }),
    },
    {
      name: 'POST /v1/rules/validate: 1 MB of `<a ` in a description (answered 200, injection scan)',
      status: 200,
      send: (t) =>
        call(t.app, 'POST', '/v1/rules/validate', {
          key: t.keys.viewer,
          body: { name: 'x', level: 'high', priority: 'p2', condition: 'up == 0', description },
        }),
    },
  ];
}

/** CPU ms (user + system) per request over `ROUNDS` sequential requests. */
async function cpuPerRequest(t: TestApp, attack: Attack): Promise<number> {
  for (let i = 0; i < 3; i++) {
    const r = await attack.send(t);
    if (r.status !== attack.status) {
      throw new Error(`${attack.name}: status ${r.status}, expected ${attack.status}`);
    }
  }
  const before = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await attack.send(t);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / ROUNDS;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/** Probes `/health/live` every 5 ms while `busy` runs; returns the latencies. */
async function probeWhile(t: TestApp, busy: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void busy.finally(() => {
    done = true;
  });
  while (!done) {
    const start = performance.now();
    await t.app.inject({ method: 'GET', url: '/health/live' });
    latencies.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return latencies;
}

export async function run(): Promise<BenchRow[]> {
  const t = await setup();
  try {
    const rows: BenchRow[] = [];
    const list = attacks();
    for (const attack of list) {
      const ms = await cpuPerRequest(t, attack);
      rows.push(
        benchRow({
          suite: SUITE,
          case: `CPU per request: ${attack.name}`,
          unit: 'ms',
          ours: ms,
          baseline: TARGET_MS,
          baselineName: 'target: 20 ms CPU per request',
        }),
      );
    }
    const idle = await probeWhile(t, new Promise((resolve) => setTimeout(resolve, 1_000)));
    const streams = Array.from({ length: 6 }, async (_, s) => {
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < list.length; i++) await list[(i + s) % list.length]?.send(t);
      }
    });
    const attacked = await probeWhile(t, Promise.all(streams));
    rows.push(
      benchRow({
        suite: SUITE,
        case: `GET /health/live p99 while 6 streams send every attack above (${attacked.length} probes)`,
        unit: 'ms',
        ours: Math.max(p99(attacked), 1e-3),
        baseline: Math.max(p99(idle), 1e-3),
        baselineName: `idle p99, same run (${idle.length} probes)`,
      }),
    );
    return rows;
  } finally {
    await t.close();
  }
}
