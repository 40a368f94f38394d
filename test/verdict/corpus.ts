/**
 * One corpus of alerting rules, valid and broken, each with the verdict every
 * entry point must give: the error codes (none when valid). Every broken rule
 * has one fault, so every door, whichever order it checks in, finds the same one.
 */

/** One rule of the corpus. */
export interface VerdictCase {
  /** What the case is about (also the rule's name, made unique per door). */
  readonly about: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The error codes every door reports; empty: the rule is valid. */
  readonly codes: readonly string[];
}

/** The corpus. */
export const VERDICT_CORPUS: readonly VerdictCase[] = [
  // Valid.
  { about: 'comparison', expr: 'up == 0', codes: [] },
  { about: 'rate', expr: 'rate(http_requests_total{job="api"}[5m]) > 0.1', codes: [] },
  {
    about: 'aggregation with a template',
    expr: 'sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m])) > 0.05',
    annotations: { summary: '{{ $labels.job }} errors at {{ $value | humanizePercentage }}' },
    codes: [],
  },
  {
    about: 'histogram quantile',
    expr: 'histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket[5m]))) > 1',
    codes: [],
  },
  { about: 'regex matcher', expr: 'up{job=~"api|web", instance!~"10\\\\..*"} == 0', codes: [] },
  { about: 'subquery', expr: 'max_over_time(rate(x[1m])[10m:1m]) > 5', codes: [] },
  {
    about: 'templates with range and if',
    expr: 'up == 0',
    annotations: {
      description:
        '{{ range $k, $v := $labels }}{{ if ne $k "job" }}{{ $k }}={{ $v }} {{ end }}{{ end }}',
    },
    labels: { instance_copy: '{{ $labels.instance }}' },
    codes: [],
  },
  // Broken PromQL.
  { about: 'rate of an instant vector', expr: 'rate(up) > 1', codes: ['promql_type_error'] },
  { about: 'scalar comparison without bool', expr: '1 > 2', codes: ['promql_type_error'] },
  { about: 'range on an aggregation', expr: 'sum(up)[5m]', codes: ['promql_type_error'] },
  { about: 'selector matching everything', expr: '{job=~".*"}', codes: ['promql_type_error'] },
  { about: 'unclosed parenthesis', expr: '(up > 1', codes: ['invalid_promql'] },
  { about: 'unclosed call', expr: 'rate(x[5m]', codes: ['invalid_promql'] },
  { about: 'unknown function', expr: 'foo_bar(up) > 1', codes: ['invalid_promql'] },
  { about: 'not PromQL', expr: 'DROP TABLE alerts', codes: ['invalid_promql'] },
  { about: 'regex lookahead', expr: 'up{job=~"(?=api)"}', codes: ['invalid_regex'] },
  { about: 'zero range', expr: 'rate(x[0s]) > 1', codes: ['invalid_duration'] },
  { about: 'offset after the right operand', expr: 'a - b offset 10m >= 1', codes: [] },
  {
    about: 'regex nested repetitions past RE2 limits',
    expr: 'up{job=~"((a{100}){100}){100}"}',
    codes: ['invalid_regex'],
  },
  {
    about: 'regex nested 5,000 deep',
    expr: `up{job=~"${'('.repeat(5_000)}a${')'.repeat(5_000)}"}`,
    codes: ['invalid_regex'],
  },
  {
    about: 'expression nested 5,000 deep',
    expr: `${'('.repeat(5_000)}up${')'.repeat(5_000)} > 1`,
    codes: ['invalid_promql'],
  },
  // Broken templates.
  {
    about: 'template calling exec',
    expr: 'up == 0',
    annotations: { summary: '{{ exec "id" }}' },
    codes: ['invalid_template'],
  },
  {
    about: 'template calling env',
    expr: 'up == 0',
    annotations: { summary: '{{ env "HOME" }}' },
    codes: ['invalid_template'],
  },
  {
    about: 'template calling call',
    expr: 'up == 0',
    annotations: { summary: '{{ call $value }}' },
    codes: ['invalid_template'],
  },
  {
    about: 'recursive define',
    expr: 'up == 0',
    annotations: { summary: '{{ define "x" }}{{ template "x" . }}{{ end }}{{ template "x" . }}' },
    codes: ['invalid_template'],
  },
  {
    about: 'unclosed action',
    expr: 'up == 0',
    annotations: { summary: 'CPU at {{ $value' },
    codes: ['invalid_template'],
  },
  {
    about: 'misspelt function in a label',
    expr: 'up == 0',
    labels: { value: '{{ humanise $value }}' },
    codes: ['invalid_template'],
  },
];
