/**
 * Validation suite: 10,000 alert rules through the five levels, the cost of
 * each level, and what the validation cache saves.
 *
 * Baselines: the model's own schema parse (`AlertRule.safeParse`, what the
 * syntax level wraps) for the full pipeline; the syntax level for each other
 * level (the target: security + performance cost no more than syntax);
 * the same validator without a cache for the cache-hit case.
 */

import { performance } from 'node:perf_hooks';
import {
  type ConsistencyLookup,
  createValidator,
  type ValidationLevel,
} from '../src/base/validators/index.js';
import { AlertRule } from '../src/domain/alert-rule.js';
import { Tenant } from '../src/domain/tenant.js';
import { type BenchRow, benchRow, consume } from './lib.js';

const SUITE = 'validation';
const N = 10_000;
const ROUNDS = 5;

const METRICS = ['cpu_usage', 'memory_usage', 'http_requests_total', 'disk_free_bytes', 'up'];

/** 10,000 distinct, valid alert rules of varied shape. */
function makeRules(): Record<string, unknown>[] {
  return Array.from({ length: N }, (_, i) => {
    const metric = METRICS[i % METRICS.length] ?? 'up';
    const condition =
      i % 3 === 0
        ? `${metric}{instance="web-${i}"} > ${50 + (i % 50)}`
        : i % 3 === 1
          ? `sum by (job) (rate(${metric}{job="api-${i % 17}"}[5m])) > ${i % 100}`
          : `avg_over_time(${metric}[10m]) / ignoring(mode) group_left max(${metric}) > 0.${i % 9}`;
    return {
      tenantId: 'acme',
      name: `Rule ${i}: ${metric} high`,
      level: ['critical', 'high', 'medium', 'low', 'info'][i % 5],
      priority: ['P1', 'P2', 'P3', 'P4', 'P5'][i % 5],
      condition,
      for: `${1 + (i % 30)}m`,
      labels: { team: `team-${i % 12}`, service: `svc-${i % 40}` },
      annotations: {
        summary: `${metric} is {{ $value }} on {{ $labels.instance }}`,
        description: `Rule ${i} fired; see the runbook for service svc-${i % 40}.`,
        runbook_url: `https://runbooks.example.com/svc-${i % 40}`,
      },
      tags: ['bench', `t${i % 7}`],
    };
  });
}

const lookup: ConsistencyLookup = {
  findEntities: (_kind, ids) => ids.map((id) => ({ id, tenantId: 'acme' })),
  findIdByName: () => undefined,
  countEntities: () => 10,
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const samples: number[] = [];
  await fn(); // warm-up: JIT, lazily compiled schemas
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

function timeSync(fn: () => void): number {
  const samples: number[] = [];
  fn();
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/** Runs the suite: full pipeline, per-level cost, cache-hit speed-up. */
export async function run(): Promise<BenchRow[]> {
  const rules = makeRules();
  const tenant = Tenant.parse({ id: 'acme', name: 'Acme', tier: 'enterprise' });
  const uncached = createValidator({ model: AlertRule, cache: false, maxErrors: 10 });
  const rows: BenchRow[] = [];

  // Every rule must pass, or the bench would time error paths.
  for (const rule of rules.slice(0, 50)) {
    const r = await uncached.validate(rule, { tenant, lookup });
    if (!r.isValid()) throw new Error(`bench rule invalid: ${JSON.stringify(r.errors)}`);
  }

  const ours = await timeAsync(async () => {
    for (const rule of rules) consume(await uncached.validate(rule, { tenant, lookup }));
  });
  const schemaOnly = timeSync(() => {
    for (const rule of rules) consume(AlertRule.safeParse(rule));
  });
  rows.push(
    benchRow({
      suite: SUITE,
      case: `${N} alert rules, all five levels (baseline parses the schema only: less work)`,
      unit: 'ms',
      ours,
      baseline: schemaOnly,
      baselineName: 'AlertRule.safeParse',
    }),
  );

  // Per-level cost from the pipeline's own timings (second pass, warm).
  const totals: Partial<Record<ValidationLevel, number>> = {};
  for (let pass = 0; pass < 2; pass++) {
    for (const key of Object.keys(totals) as ValidationLevel[]) totals[key] = 0;
    for (const rule of rules) {
      const result = await uncached.validate(rule, { tenant, lookup, timings: true });
      for (const [level, ms] of Object.entries(result.timings ?? {})) {
        totals[level as ValidationLevel] = (totals[level as ValidationLevel] ?? 0) + ms;
      }
    }
  }
  const perRule = (level: ValidationLevel): number => ((totals[level] ?? 0) * 1_000) / N;
  const syntax = perRule('syntax');
  for (const level of ['semantic', 'security', 'performance', 'consistency'] as const) {
    rows.push(
      benchRow({
        suite: SUITE,
        case: `${level} level, per rule`,
        unit: 'µs/op',
        ours: perRule(level),
        baseline: syntax,
        baselineName: 'syntax level',
      }),
    );
  }
  rows.push(
    benchRow({
      suite: SUITE,
      case: 'security + performance levels, per rule (target: ratio ≥ 1)',
      unit: 'µs/op',
      ours: perRule('security') + perRule('performance'),
      baseline: syntax,
      baselineName: 'syntax level',
    }),
  );

  const cached = createValidator({ model: AlertRule, cache: { ttlSeconds: 3_600, maxEntries: N } });
  for (const rule of rules) await cached.validate(rule, { tenant, lookup });
  const hit = await timeAsync(async () => {
    for (const rule of rules) consume(await cached.validate(rule, { tenant, lookup }));
  });
  rows.push(
    benchRow({
      suite: SUITE,
      case: `${N} alert rules, cache hits (content hash; consistency level still runs)`,
      unit: 'ms',
      ours: hit,
      baseline: ours,
      baselineName: 'no cache',
    }),
  );
  return rows;
}
