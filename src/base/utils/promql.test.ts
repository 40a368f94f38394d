import { describe, expect, it } from 'vitest';
import { checkPromql } from './promql.js';

describe('checkPromql', () => {
  it.each([
    'cpu_usage > 80',
    'rate(http_requests_total{job="api"}[5m]) > 0.1',
    'sum by (job) (up) == 0',
    'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    'up offset 5m',
    'foo[5m:1m]',
    'up{job=~"api|web"} and on(instance) node_load1 > 2',
    '# a comment\nup == 0',
  ])('accepts %s', (expr) => {
    expect(checkPromql(expr)).toEqual({ ok: true });
  });

  it.each([
    // [expression, line, column]: what the lezer grammar reports.
    ['cpu_usage >', 1, 12],
    ['rate(x[5m]', 1, 11],
    ['DROP TABLE alerts', 1, 6],
    ['sum(', 1, 5],
    ['up\n  and\n  foo{', 3, 7],
    // Prometheus names the unknown function, from its first character.
    ['nonexistent_fn(x)', 1, 1],
  ] as const)('refuses %j at line %i, column %i', (expr, line, column) => {
    const result = checkPromql(expr);
    expect(result).toMatchObject({ ok: false, line, column });
    if (!result.ok) expect(result.message).toContain(`line ${line}, column ${column}`);
  });

  it('says what it found at the error', () => {
    const result = checkPromql('DROP TABLE alerts');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('"TABLE"');
    const atEnd = checkPromql('sum(');
    if (!atEnd.ok) expect(atEnd.message).toContain('end of input');
  });

  it.each([
    ['rate(up) > 1', 'promql_type_error', 1, 6],
    ['up{a=~"(?=x)"}', 'invalid_regex', 1, 4],
    ['up[0s]', 'invalid_duration', 1, 4],
    ['sum(', 'invalid_promql', 1, 5],
  ] as const)('refuses %j as Prometheus does, with the code %s', (expr, code, line, column) => {
    expect(checkPromql(expr)).toMatchObject({ ok: false, code, line, column });
  });

  it.each(['', '   ', '\n\t'])('refuses the empty expression %j', (expr) => {
    expect(checkPromql(expr)).toMatchObject({ ok: false, line: 1, column: 1 });
  });
});

describe('checkPromql memo', () => {
  it('gives the same verdicts after its oldest entries are dropped', () => {
    const first = checkPromql('memo_metric_0 > 1');
    for (let i = 1; i <= 2_100; i++) checkPromql(`memo_metric_${i} > ${i}`);
    expect(checkPromql('memo_metric_0 > 1')).toEqual(first);
    expect(checkPromql('memo_metric_0 >')).toMatchObject({ ok: false, line: 1, column: 16 });
    expect(Object.isFrozen(checkPromql('memo_metric_2100 > 2100'))).toBe(true);
  });
});
