/**
 * Differential fuzzing against promtool 2.42 in CI: a seeded sample of
 * generated expressions must get promtool's verdict, and so must every
 * disagreement ever found (`fuzz/found.ts`). More: `npm run fuzz:promql -- --count N`.
 */
import { describe, expect, it } from 'vitest';
import { checkPrometheusExpr } from '../../../src/base/prometheus/promql-check.js';
import { runDifferential } from './fuzz/differential.js';
import { FOUND } from './fuzz/found.js';
import { generateExpressions } from './fuzz/generator.js';
import { hasPromtool, promtoolVerdicts } from './fuzz/promtool.js';

const promtool = hasPromtool();
if (!promtool) {
  if (process.env.CI === 'true') {
    throw new Error('promtool is required in CI (Debian package "prometheus") but is not on PATH');
  }
  process.stderr.write('skipping PromQL differential fuzzing: promtool is not on PATH\n');
}

/** The CI sample: its seed and size. */
const SEED = 20_261_202;
const COUNT = 5_000;

describe('PromQL cases found by fuzzing (no promtool needed)', () => {
  it.each(FOUND.map((c) => [c.expr.slice(0, 80), c] as const))('%s', (_name, c) => {
    expect(checkPrometheusExpr(c.expr).ok).toBe(c.valid);
  });

  it('the generator is seeded: the same seed gives the same expressions', () => {
    const a = generateExpressions({ seed: 7, count: 50 });
    expect(generateExpressions({ seed: 7, count: 50 })).toEqual(a);
    expect(generateExpressions({ seed: 8, count: 50 })).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(45);
  });
});

describe.skipIf(!promtool && process.env.CI !== 'true')(
  'PromQL differential fuzzing against promtool',
  () => {
    it('promtool gives the found cases the verdict recorded for them', () => {
      const verdicts = promtoolVerdicts(FOUND.map((c) => c.expr));
      expect(verdicts.map((v) => v === undefined)).toEqual(FOUND.map((c) => c.valid));
    });

    it(`agrees on a seeded sample of ${COUNT} expressions`, { timeout: 120_000 }, () => {
      const result = runDifferential({ seed: SEED, count: COUNT });
      expect(result.count).toBe(COUNT);
      // The sample holds both verdicts in good number.
      expect(result.acceptedByPromtool).toBeGreaterThan(COUNT / 5);
      expect(result.acceptedByPromtool).toBeLessThan((COUNT * 4) / 5);
      expect(result.disagreements).toEqual([]);
    });
  },
);
