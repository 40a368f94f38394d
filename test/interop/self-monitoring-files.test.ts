/**
 * The files alertbase ships to watch itself: `examples/alertbase-rules.yml`
 * (checked by `alertbase validate`'s rule-file checker and by `promtool check
 * rules`) and `docs/grafana-dashboard.json` (each panel's query checked
 * by alertbase's PromQL checker, after Grafana's variables are substituted
 * as Grafana does). Every metric either file names must be one alertbase
 * exports.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPrometheusExpr } from '../../src/base/prometheus/promql-check.js';
import { runCli } from '../../src/cli/index.js';
import { checkRuleFile } from '../../src/interop/index.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { call, setup, type TestApp } from '../server/helpers.js';

const run = promisify(execFile);
const RULES = resolve(import.meta.dirname, '../../examples/alertbase-rules.yml');
const DASHBOARD = resolve(import.meta.dirname, '../../docs/grafana-dashboard.json');

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string }[] };
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/** Grafana's substitution of the dashboard's variables (the "All" value of `$instance`, an interval). */
function substitute(expr: string): string {
  return expr.replaceAll('$__rate_interval', '2m').replaceAll('$instance', '.*');
}

/** Metric names in a PromQL text (alertbase's own and the process ones), without histogram suffixes. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:alertbase|process|nodejs)_[a-z0-9_]+)/g)].map((m) =>
    (m[1] ?? '').replace(/_(bucket|count|sum)$/, ''),
  );
}

let t: TestApp;
let exported: Set<string>;
beforeAll(async () => {
  t = await setup();
  await call(t.app, 'GET', '/health/live');
  const text = (await t.app.inject({ url: '/metrics' })).body;
  exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ''));
});
afterAll(() => t.close());

describe('docs/grafana-dashboard.json', () => {
  const queries = dashboard.panels.flatMap((p) =>
    p.targets.map((target) => [p.title, target.expr] as const),
  );

  it('has panels with queries, and the variables its queries use', () => {
    expect(queries.length).toBeGreaterThanOrEqual(15);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
  });

  it.each(queries)('"%s" is valid PromQL', (_title, expr) => {
    expect(checkPrometheusExpr(substitute(expr))).toMatchObject({ ok: true });
  });

  it('names only metrics alertbase exports', () => {
    const names = new Set(queries.flatMap(([, expr]) => metricNames(expr)));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('the checker refuses a broken query (the check can fail)', () => {
    expect(checkPrometheusExpr(substitute('rate(alertbase_http_requests_total)'))).toMatchObject({
      ok: false,
    });
  });
});

describe('examples/alertbase-rules.yml', () => {
  const text = readFileSync(RULES, 'utf8');

  it('passes the rule-file checker with the five asked-for alerts (and target down)', () => {
    const result = checkRuleFile(text);
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
    const names = [...text.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'AlertbaseHighErrorRate',
      'AlertbaseSlowIngest',
      'AlertbaseDatabaseDown',
      'AlertbaseMemoryNearLimit',
      'AlertbaseNotificationBacklog',
      'AlertbaseDown',
    ]);
  });

  it('is valid for `alertbase validate` (exit 0)', async () => {
    const out: string[] = [];
    const code = await runCli(['validate', RULES], {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
      cwd: process.cwd(),
      env: {},
    });
    expect(out.join('')).toContain('0 error(s), 0 warning(s)');
    expect(code).toBe(0);
  });

  it('names only metrics alertbase exports', () => {
    const names = new Set(metricNames(text));
    expect(names.size).toBeGreaterThanOrEqual(5);
    expect([...names].filter((n) => !exported.has(n))).toEqual([]);
  });
});

await describeWithBinary(
  'promtool check rules on examples/alertbase-rules.yml',
  'promtool',
  (promtool) => {
    it('finds the six rules and no problem', async () => {
      const { stdout } = await run(promtool, ['check', 'rules', RULES]);
      expect(stdout).toContain('SUCCESS: 6 rules found');
    });
  },
);
