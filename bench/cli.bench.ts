/**
 * The `alertbase` command as a pre-commit hook or an editor runs it: the wall
 * time of one whole process, from spawn to exit, next to promtool on the same
 * files in the same run (issue #20, "The command, next to promtool").
 *
 * - one rule file: `alertbase validate examples/prometheus-rules.yml` against
 *   `promtool check rules` of the same file;
 * - a folder: `alertbase validate test/interop/prometheus/corpus` (the rule
 *   file corpus: every valid and invalid file, 125 files, 151 rules; both
 *   tools find the same faults) against `promtool check rules` given the same
 *   files;
 * - `alertbase --version` against `promtool --version`: the floor of a start.
 *
 * The command is the built bundle (`dist/bin/alertbase.js`, what the bin runs;
 * build first). Node's compile cache is a directory of this run, filled by an
 * unmeasured run of each case: the cache a user's second run meets. The two
 * tools alternate run by run; `ALERTBASE_BENCH_CLI_RUNS` runs each (default
 * 11), the median wall time is the row. ratio = promtool / alertbase (the
 * issue's target is at most twice promtool's time: ratio ≥ 0.5). promtool must
 * be on PATH (Debian package `prometheus`).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BenchRow, benchRow, median } from './lib.js';

const SUITE = 'cli';
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'bin', 'alertbase.js');
const RUNS = Number(process.env.ALERTBASE_BENCH_CLI_RUNS ?? 11);
const CORPUS = join('test', 'interop', 'prometheus', 'corpus');
const ONE_FILE = join('examples', 'prometheus-rules.yml');

/** One comparison: the two commands and the exit codes each must end with. */
interface Case {
  readonly name: string;
  readonly ours: readonly string[];
  readonly oursExit: number;
  readonly theirs: readonly string[];
  readonly theirsExit: number;
}

/** The corpus files, as promtool is given them (it takes files, not folders). */
function corpusFiles(): string[] {
  return ['valid', 'invalid'].flatMap((kind) =>
    readdirSync(join(ROOT, CORPUS, kind))
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .map((f) => join(CORPUS, kind, f)),
  );
}

/** Runs a command to its end; its wall time in ms. Throws when it ends with another exit code. */
function timeRun(command: readonly string[], expectedExit: number, env: NodeJS.ProcessEnv): number {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('cli bench: empty command');
  const started = performance.now();
  const result = spawnSync(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (result.error !== undefined) throw result.error;
  if (result.status !== expectedExit) {
    throw new Error(
      `cli bench: ${command.join(' ')} exited with ${String(result.status)}, expected ${expectedExit}\n${result.stderr.toString('utf8')}`,
    );
  }
  return ms;
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(BIN)) throw new Error(`cli bench: ${BIN} is not built (npm run build)`);
  const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (promtool.error !== undefined || promtool.status !== 0) {
    throw new Error('cli bench: promtool is not on PATH (Debian package "prometheus")');
  }
  const files = corpusFiles();
  if (files.length < 100) throw new Error(`cli bench: ${files.length} corpus files, need ≥ 100`);
  const node = process.execPath;
  const cases: Case[] = [
    {
      name: `validate one rule file (${ONE_FILE}), wall time of the process`,
      ours: [node, BIN, 'validate', ONE_FILE],
      oursExit: 0,
      theirs: ['promtool', 'check', 'rules', ONE_FILE],
      theirsExit: 0,
    },
    {
      name: `validate a folder of ${files.length} rule files (${CORPUS}: valid and invalid), wall time`,
      ours: [node, BIN, 'validate', CORPUS],
      oursExit: 1,
      theirs: ['promtool', 'check', 'rules', ...files],
      theirsExit: 1,
    },
    {
      name: '--version, wall time of the process (the floor of a start)',
      ours: [node, BIN, '--version'],
      oursExit: 0,
      theirs: ['promtool', '--version'],
      theirsExit: 0,
    },
  ];
  const cache = mkdtempSync(join(tmpdir(), 'alertbase-cli-bench-'));
  // The environment of a user's shell, without what would change Node's start (tsx's loader).
  const { NODE_OPTIONS: _options, ...inherited } = process.env;
  const env = { ...inherited, NODE_COMPILE_CACHE: cache, NO_COLOR: '1' };
  const rows: BenchRow[] = [];
  try {
    for (const c of cases) {
      // Unmeasured: fills the compile cache, and checks both commands end as they must.
      timeRun(c.ours, c.oursExit, env);
      timeRun(c.theirs, c.theirsExit, env);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternated, and which goes first swapped each round, so load drifts hit both.
        if (i % 2 === 0) {
          ours.push(timeRun(c.ours, c.oursExit, env));
          theirs.push(timeRun(c.theirs, c.theirsExit, env));
        } else {
          theirs.push(timeRun(c.theirs, c.theirsExit, env));
          ours.push(timeRun(c.ours, c.oursExit, env));
        }
      }
      rows.push(
        benchRow({
          suite: SUITE,
          case: c.name,
          unit: 'ms',
          ours: median(ours),
          baseline: median(theirs),
          baselineName: 'promtool 2.42 (same files, same run)',
        }),
      );
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  return rows;
}
