/**
 * `npm run fuzz:promql -- --count N [--seed S]`: differential fuzzing of the
 * PromQL checker against `promtool check rules`; prints the disagreements and
 * writes the counts to `bench/results/fuzz-promql.json`. Exit 1 on any
 * disagreement (add each to test/interop/prometheus/fuzz/found.ts and fix it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDifferential } from '../test/interop/prometheus/fuzz/differential.js';
import { hasPromtool } from '../test/interop/prometheus/fuzz/promtool.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '20000' }, seed: { type: 'string' } },
});
const count = Number(values.count);
const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
if (!Number.isSafeInteger(count) || count <= 0 || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npm run fuzz:promql -- --count N [--seed S]\n');
  process.exit(2);
}
if (!hasPromtool()) {
  process.stderr.write('promtool is not on PATH (apt-get install prometheus)\n');
  process.exit(2);
}
const result = runDifferential({ seed, count });
for (const d of result.disagreements.slice(0, 50)) {
  process.stdout.write(`${JSON.stringify(d.expr)}\n  ours: ${d.ours}\n  promtool: ${d.promtool}\n`);
}
const summary = {
  seed: result.seed,
  count: result.count,
  acceptedByPromtool: result.acceptedByPromtool,
  refusedByPromtool: result.count - result.acceptedByPromtool,
  disagreements: result.disagreements.length,
  oursMs: result.oursMs,
  promtoolMs: result.promtoolMs,
  promtool: '2.42',
  date: new Date().toISOString(),
};
const dir = join(import.meta.dirname, '../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'fuzz-promql.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(result.disagreements.length === 0 ? 0 : 1);
