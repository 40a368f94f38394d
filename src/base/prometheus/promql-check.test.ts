import { describe, expect, it } from 'vitest';
import { checkPrometheusExpr, MAX_NESTING, unquotePromqlString } from './promql-check.js';

describe('checkPrometheusExpr', () => {
  it('refuses expressions nesting deeper than MAX_NESTING with that reason, quickly', () => {
    const nested = (n: number) => `${'('.repeat(n)}up${')'.repeat(n)} > 1`;
    expect(checkPrometheusExpr(nested(MAX_NESTING))).toMatchObject({ ok: true });
    expect(checkPrometheusExpr(nested(5_000))).toMatchObject({
      ok: false,
      code: 'invalid_promql',
      line: 1,
      column: MAX_NESTING + 1,
      message: expect.stringContaining('nests too deeply'),
    });
    const chain = Array.from({ length: 2_000 }, (_, i) => `a${i}`).join(' + ');
    expect(checkPrometheusExpr(chain)).toMatchObject({
      ok: false,
      message: expect.stringContaining('nests too deeply'),
    });
    expect(checkPrometheusExpr('up{a="((("} + (x)')).toMatchObject({ ok: true });
  });

  it.each([
    ['up == 0', 'instant vector'],
    ['"foo"', 'string'],
    ['5', 'scalar'],
    ['-1', 'scalar'],
    ['0x1F + Inf - NaN * 1e3', 'scalar'],
    ['rate(http_requests_total{job="api"}[5m])', 'instant vector'],
    ['rate(foo[5m])[10m:]', 'range vector'],
    ['foo[5m:1m] offset 1m', 'range vector'],
    ['foo @ 5 offset 1m', 'instant vector'],
    ['foo offset 1m @ start()', 'instant vector'],
    ['foo @ -5', 'instant vector'],
    ['foo[5m] offset -1m', 'range vector'],
    ['holt_winters(foo[5m], 0.5, 0.5)', 'instant vector'],
    ['holt_winters (foo[5m], 0.5, 0.5) + 1', 'instant vector'],
    ['sum by (job) (rate(x[1m])) / on (job) group_left (team) y', 'instant vector'],
    ['x == bool y', 'instant vector'],
    ['1 > bool 2', 'scalar'],
    ['foo + on() 2', 'instant vector'],
    ['a unless ignoring (x) b', 'instant vector'],
    ['count_values("v", up)', 'instant vector'],
    ['quantile(0.9, up)', 'instant vector'],
    ['sum(up) without (a)', 'instant vector'],
    ['label_join(up, "a", ",", "b", "c", "d")', 'instant vector'],
    ['days_in_month()', 'instant vector'],
    ['scalar(up) + time() + pi()', 'scalar'],
    ['{__name__="up"}', 'instant vector'],
    ['{a!~".*"}', 'instant vector'],
    ['{a!=""}', 'instant vector'],
    ['up{a="\\x41\\u0042\\U00000043\\101\\n"}', 'instant vector'],
    ["up{a='\\''}", 'instant vector'],
    ['up{a=`raw\\d`}', 'instant vector'],
    ['# comment\nup', 'instant vector'],
    ['up{a="holt_winters("}', 'instant vector'],
    ['1 atan2 up', 'instant vector'],
    ['a - b offset 10m >= 1', 'instant vector'],
    ['-a @ 5 offset 1h30m5s', 'instant vector'],
    ['a + offset', 'instant vector'],
    ['sum by (offset) (offset) + on (job) group_left offset', 'instant vector'],
    ['foo offset 5ms', 'instant vector'],
    ['3. + .5', 'scalar'],
    ['- 1', 'scalar'],
  ])('accepts %j as %s', (expr, type) => {
    expect(checkPrometheusExpr(expr)).toEqual({ ok: true, type });
  });

  it.each([
    ['', 'invalid_promql', 1, 1],
    ['1 + 0.5atan2 (up)', 'invalid_promql', 1, 5],
    ['foo offset 5m1', 'invalid_promql', 1, 12],
    ['foo offset 1x', 'invalid_promql', 1, 12],
    ['"abc', 'invalid_promql', 1, 1],
    ['up{a="\\uD800"}', 'invalid_promql', 1, 6],
    ['1e400', 'invalid_promql', 1, 1],
    ['atan2', 'invalid_promql', 1, 1],
    ['up @ 1e33', 'promql_type_error', 1, 6],
    ['up offset 0s', 'invalid_duration', 1, 11],
    ['a - b[5m]', 'promql_type_error', 1, 5],
    ['up offset 5m [5m]', 'promql_type_error', 1, 14],
    ['   ', 'invalid_promql', 1, 1],
    ['up ==', 'invalid_promql', 1, 6],
    ['sum(up', 'invalid_promql', 1, 7],
    ['up\n  == )', 'invalid_promql', 2, 6],
    ['foo_bar(x)', 'invalid_promql', 1, 1],
    ['sort_by_label(up, "a")', 'invalid_promql', 1, 1],
    ['limitk(2, up)', 'invalid_promql', 1, 1],
    ['holt_winters(up[5m], 1, 1) + mad_over_time(x[1m])', 'invalid_promql', 1, 30],
    ['double_exponential_smoothing(up[5m], 0.5, 0.5)', 'invalid_promql', 1, 1],
    ['{"foo"}', 'invalid_promql', 1, 2],
    ['foo[5m+1m]', 'invalid_promql', 1, 5],
    ['foo offset (1m+1m)', 'invalid_promql', 1, 12],
    ['a >/ b', 'invalid_promql', 1, 3],
    ['time() - 5m', 'invalid_promql', 1, 10],
    ['1_000', 'invalid_promql', 1, 1],
    ['up{a="\\q"}', 'invalid_promql', 1, 6],
    ['up{a="\\xZZ"}', 'invalid_promql', 1, 6],
    ['rate(up)', 'promql_type_error', 1, 6],
    ['rate(5[5m])', 'promql_type_error', 1, 7],
    ['sum(up)[5m]', 'promql_type_error', 1, 8],
    ['(foo)[5m]', 'promql_type_error', 1, 6],
    ['1 and 2', 'promql_type_error', 1, 1],
    ['1 > 2', 'promql_type_error', 1, 3],
    ['a + bool b', 'promql_type_error', 1, 3],
    ['a and on(x) group_left b', 'promql_type_error', 1, 1],
    ['a + on(x) 2', 'promql_type_error', 1, 1],
    ['a + on(x) group_left(x) b', 'promql_type_error', 1, 3],
    ['up[5m] + 1', 'promql_type_error', 1, 1],
    ['up + "a"', 'promql_type_error', 1, 6],
    ['-"a"', 'promql_type_error', 1, 1],
    ['up offset 5m offset 1m', 'promql_type_error', 1, 1],
    ['time() offset 5m', 'promql_type_error', 1, 1],
    ['time() @ 5', 'promql_type_error', 1, 1],
    ['up @ 5 @ 6', 'promql_type_error', 1, 1],
    ['"a"[5m:]', 'promql_type_error', 1, 1],
    ['abs()', 'promql_type_error', 1, 1],
    ['round(up, 1, 2)', 'promql_type_error', 1, 1],
    ['label_join(up)', 'promql_type_error', 1, 1],
    ['vector(up)', 'promql_type_error', 1, 8],
    ['sum()', 'promql_type_error', 1, 1],
    ['sum(1)', 'promql_type_error', 1, 5],
    ['topk(up)', 'promql_type_error', 1, 1],
    ['topk("a", up)', 'promql_type_error', 1, 6],
    ['count_values(2, up)', 'promql_type_error', 1, 14],
    ['{}', 'promql_type_error', 1, 1],
    ['{a=~".*"}', 'promql_type_error', 1, 1],
    ['up{__name__="x"}', 'promql_type_error', 1, 1],
    ['up[0s]', 'invalid_duration', 1, 4],
    ['up[300]', 'invalid_duration', 1, 4],
    ['up[5m:0s]', 'invalid_duration', 1, 7],
    ['up offset 5', 'invalid_duration', 1, 11],
    ['up{a=~"("}', 'invalid_regex', 1, 4],
    ['up{a=~"(?=x)"}', 'invalid_regex', 1, 4],
  ])('refuses %j with %s at %i:%i', (expr, code, line, column) => {
    expect(checkPrometheusExpr(expr)).toMatchObject({ ok: false, code, line, column });
  });
});

describe('unquotePromqlString', () => {
  it('reads escapes and raw strings', () => {
    expect(unquotePromqlString('"a\\tb\\\\"')).toEqual({ ok: true, value: 'a\tb\\' });
    expect(unquotePromqlString('`a\\tb`')).toEqual({ ok: true, value: 'a\\tb' });
    expect(unquotePromqlString('"\\u00e9"')).toEqual({ ok: true, value: 'é' });
    expect(unquotePromqlString('"\\q"').ok).toBe(false);
  });
});
