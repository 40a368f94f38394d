/**
 * The benchmark harness: `npm run bench` runs every suite, `npm run bench -- <suite> [...]`
 * the named ones. A suite is `bench/<suite>.bench.ts` exporting
 * `run(): Promise<BenchRow[]>` (see `bench/lib.ts`).
 *
 * Each suite runs in its own child process, so one suite's JIT state, heap and
 * crashes do not affect another's numbers. The rows of the suites run are
 * printed as a table and written to `bench/results/latest.md` and
 * `bench/results/latest.json` (the array of rows).
 */

import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchRow, checkRow } from './lib.js';

const BENCH_DIR = import.meta.dirname;
const RESULTS_DIR = join(BENCH_DIR, 'results');
const SUFFIX = '.bench.ts';
const CHILD_FLAG = '--child';

/** What a child process sends back. */
type ChildMessage = { readonly rows: BenchRow[] } | { readonly error: string };

/** Suite names found in `bench/`, sorted. */
function discoverSuites(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

/** In the child: import the suite, run it, check its rows, send them to the parent. */
async function runChild(suite: string): Promise<void> {
  const send = (message: ChildMessage): Promise<void> =>
    new Promise((resolve, reject) => {
      if (process.send === undefined) {
        reject(new Error('bench: child mode needs an IPC channel'));
        return;
      }
      process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  try {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, `${suite}${SUFFIX}`)).href)) as {
      run?: unknown;
    };
    if (typeof mod.run !== 'function') {
      throw new Error(`bench/${suite}${SUFFIX} does not export run(): Promise<BenchRow[]>`);
    }
    const rows: unknown = await (mod.run as () => Promise<unknown>)();
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new Error(`bench/${suite}${SUFFIX}: run() must resolve to a non-empty array of rows`);
    }
    rows.forEach((row: unknown, i) => {
      const problem = checkRow(row);
      if (problem !== undefined) throw new Error(`row ${i}: ${problem}`);
      if ((row as BenchRow).suite !== suite) {
        throw new Error(`row ${i}: suite is "${(row as BenchRow).suite}", expected "${suite}"`);
      }
    });
    await send({ rows: rows as BenchRow[] });
  } catch (err) {
    await send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  }
}

/** In the parent: run one suite in a child process; resolves to its rows or its error. */
function runSuite(suite: string): Promise<ChildMessage> {
  return new Promise((resolve) => {
    let message: ChildMessage | undefined;
    // The child inherits this process's `execArgv`, which carries tsx's loader.
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, suite], { stdio: 'inherit' });
    child.on('message', (m: ChildMessage) => {
      message = m;
    });
    child.on('error', (err) => resolve({ error: err.message }));
    child.on('exit', (code, signal) => {
      resolve(
        message ?? {
          error: `child process exited (${signal ?? `code ${String(code)}`}) without results`,
        },
      );
    });
  });
}

/** A number with about 3 significant digits and thousands separators. */
function formatValue(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The rows as a Markdown table. */
function toTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| suite | case | unit | alertbase | baseline | baseline value | ratio |',
    '|---|---|---|--:|---|--:|--:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${escapeCell(r.suite)} | ${escapeCell(r.case)} | ${r.unit} | ${formatValue(r.ours)} | ${escapeCell(r.baselineName)} | ${formatValue(r.baseline)} | ${r.ratio.toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

/** The Markdown report: environment, the table, failures. */
function toMarkdown(
  rows: readonly BenchRow[],
  ran: readonly string[],
  all: readonly string[],
  failures: ReadonlyMap<string, string>,
): string {
  const cpuList = cpus();
  const cpuModel = cpuList[0]?.model.trim() ?? 'unknown';
  const partial = ran.length < all.length;
  const out = [
    '# Benchmark results',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} (${platform()} ${arch()})`,
    `- CPU: ${cpuModel} × ${cpuList.length}`,
    `- Suites: ${ran.join(', ')}${partial ? ` (partial run; all suites: ${all.join(', ')})` : ''}`,
    '',
    'ratio > 1 means alertbase is better: for throughput (ops/s) ratio = alertbase / baseline,',
    'for times and sizes ratio = baseline / alertbase. See `bench/README.md` for what each suite',
    'measures and where a baseline does less work than alertbase.',
    '',
    toTable(rows),
    '',
  ];
  if (failures.size > 0) {
    out.push('## Failed suites', '');
    for (const [suite, error] of failures) {
      out.push(`### ${suite}`, '', '```', error, '```', '');
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args[0] === CHILD_FLAG) {
    const suite = args[1];
    if (suite === undefined) throw new Error(`bench: ${CHILD_FLAG} needs a suite name`);
    await runChild(suite);
    return;
  }

  const all = discoverSuites();
  const unknown = args.filter((a) => !all.includes(a));
  if (unknown.length > 0) {
    console.error(
      `bench: unknown suite ${unknown.map((u) => `"${u}"`).join(', ')}; suites: ${all.join(', ') || '(none)'}`,
    );
    process.exitCode = 2;
    return;
  }
  const selected = args.length > 0 ? [...new Set(args)] : all;
  if (selected.length === 0) {
    console.error(`bench: no suites (no bench/*${SUFFIX} files)`);
    process.exitCode = 2;
    return;
  }

  const rows: BenchRow[] = [];
  const failures = new Map<string, string>();
  for (const suite of selected) {
    const started = performance.now();
    console.error(`bench: ${suite} ...`);
    const result = await runSuite(suite);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if ('rows' in result) {
      rows.push(...result.rows);
      console.error(`bench: ${suite} done in ${seconds} s (${result.rows.length} rows)`);
    } else {
      failures.set(suite, result.error);
      console.error(`bench: ${suite} FAILED after ${seconds} s\n${result.error}`);
    }
  }

  if (rows.length === 0) {
    console.error('bench: no results; bench/results/ left unchanged');
    process.exitCode = 1;
    return;
  }
  const markdown = toMarkdown(rows, selected, all, failures);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  if (failures.size > 0) process.exitCode = 1;
}

await main();
