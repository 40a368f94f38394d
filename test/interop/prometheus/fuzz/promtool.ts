/**
 * `promtool check rules` as a batch judge of PromQL expressions: many
 * expressions go into one rule file (one alerting rule each), one promtool
 * call checks them all, and its per-rule errors are mapped back by rule number.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Is promtool on PATH? */
export function hasPromtool(): boolean {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.error === undefined && found.status === 0;
}

/** promtool's verdict of one expression: `undefined` when accepted, else its error. */
export type PromtoolVerdict = string | undefined;

/**
 * Checks `exprs` with promtool, `batch` rules per file. Returns one verdict per
 * expression, in order.
 *
 * @throws Error when promtool fails for another reason than the rules (a YAML error).
 */
export function promtoolVerdicts(exprs: readonly string[], batch = 5_000): PromtoolVerdict[] {
  const dir = mkdtempSync(join(tmpdir(), 'alertbase-promtool-'));
  const out: PromtoolVerdict[] = [];
  try {
    for (let start = 0; start < exprs.length; start += batch) {
      const chunk = exprs.slice(start, start + batch);
      const file = join(dir, 'rules.yml');
      const rules = chunk.map((e, i) => `  - alert: F${i + 1}\n    expr: ${JSON.stringify(e)}\n`);
      writeFileSync(file, `groups:\n- name: fuzz\n  rules:\n${rules.join('')}`);
      const run = spawnSync('promtool', ['check', 'rules', file], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      const text = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      const errors = new Map<number, string>();
      for (const m of text.matchAll(/group "fuzz", rule (\d+), "F\d+": (.*)$/gm)) {
        const n = Number(m[1]);
        if (!errors.has(n)) errors.set(n, m[2] ?? '');
      }
      if (run.status !== 0 && errors.size === 0) {
        throw new Error(`promtool failed without a rule error: ${text.slice(0, 2_000)}`);
      }
      chunk.forEach((_, i) => {
        out.push(errors.get(i + 1));
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
