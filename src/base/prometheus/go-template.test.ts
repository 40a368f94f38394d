import { describe, expect, it } from 'vitest';
import { PROMETHEUS_TEMPLATE_FUNCTIONS_2_42, parseGoTemplate } from './go-template.js';

describe('parseGoTemplate', () => {
  it.each([
    '',
    'plain text }} with a closing brace',
    '{{ $labels.instance }} is down',
    '{{ $value | humanize }}',
    '{{ $value | humanizePercentage }} {{ humanize1024 $value }}',
    '{{ if gt $value 80.0 }}high{{ else if gt $value 50.0 }}mid{{ else }}low{{ end }}',
    '{{ range $i, $e := query "up" }}{{ $i }}{{ $e.Labels.job }}{{ break }}{{ end }}',
    '{{ range query "up" }}{{ continue }}{{ else }}none{{ end }}',
    '{{ with $x := $labels.job }}{{ $x }}{{ else }}-{{ end }}',
    '{{ define "t" }}x{{ end }}{{ template "t" . }}{{ template `t` }}',
    '{{ block "b" . }}y{{ end }}',
    '{{/* comment */}}{{- /* trimmed */ -}}',
    '{{- $labels.job -}}',
    '{{-1}} {{ 0x1F }} {{ 1.5e3 }} {{ 1_000 }} {{ 0o17 }} {{ 0b101 }} {{ 2i }}',
    '{{ \'c\' }} {{ `raw \n string` }} {{ "esc \\" quote" }}',
    '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}',
    '{{ (printf "%d" 1) | len }}',
    '{{ nil }} {{ true }} {{ false }} {{ 1 2 }}',
    '{{ (1).x }} {{ $.Labels }} {{ . }}',
    '{{ index $labels "a" | printf "%s" }}',
    '{{ urlQueryEscape "a b" }}',
    '{{\n  $labels.job\n}}',
  ])('accepts %j', (text) => {
    expect(parseGoTemplate(text)).toEqual({ ok: true });
  });

  it.each([
    ['{{ $labels.instance ', 1, 1, 'unclosed action'],
    ['ok\n  {{ nosuch }}', 2, 6, 'function "nosuch" not defined'],
    ['{{ $foo }}', 1, 4, 'undefined variable "$foo"'],
    ['{{ $x = 1 }}', 1, 4, 'undefined variable "$x"'],
    ['{{ }}', 1, 4, 'missing value for command'],
    ['{{ if }}{{ end }}', 1, 7, 'missing value for if'],
    ['{{ if 1 }}', 1, 11, 'unexpected EOF'],
    ['{{ end }}', 1, 1, 'unexpected {{end}}'],
    ['{{ else }}', 1, 4, 'unexpected {{else}}'],
    ['{{/* c }}', 1, 1, 'unclosed comment'],
    ['{{/* c */ x}}', 1, 1, 'comment ends before closing delimiter'],
    ['{{ /* c */ }}', 1, 4, "unrecognized character in action: U+002F '/'"],
    ['{{ 1 | 2 }}', 1, 8, 'non executable command in pipeline stage 2'],
    ['{{ "a }}', 1, 4, 'unterminated quoted string'],
    ["{{ 'a }}", 1, 4, 'unterminated character constant'],
    ['{{ `a }}', 1, 4, 'unterminated raw quoted string'],
    ['{{ 1e }}', 1, 4, 'illegal number syntax: "1e"'],
    ['{{ 1x }}', 1, 4, 'illegal number syntax: "1x"'],
    ['{{ (1 }}', 1, 7, 'unclosed left paren'],
    ['{{ 1) }}', 1, 5, "unexpected right paren U+0029 ')'"],
    ['{{ if 1 }}{{ define "x" }}{{ end }}{{ end }}', 1, 14, 'unexpected <define> in command'],
    ['{{ range $i, $e := . }}{{ end }}{{ $i }}', 1, 36, 'undefined variable "$i"'],
    ['{{ break }}', 1, 4, '{{break}} outside {{range}}'],
    ['{{ continue }}', 1, 4, '{{continue}} outside {{range}}'],
    ['{{ if 1 }}{{ else with 2 }}{{ end }}', 1, 19, 'unexpected <with> in else'],
    ['{{ if 1 }}{{ else }}{{ else }}{{ end }}', 1, 24, 'expected end; found {{else}}'],
    ['{{ "a".b }}', 1, 7, 'unexpected . after term "\\"a\\""'],
    ['{{ template x }}', 1, 13, 'unexpected "x" in template clause'],
    ['{{ define x }}{{ end }}', 1, 11, 'unexpected "x" in define clause'],
    ['{{ block x }}{{ end }}', 1, 10, 'unexpected "x" in block clause'],
    ['{{ define "x" }}{{ else }}{{ end }}', 1, 20, 'unexpected {{else}} in define'],
    ['{{ block "x" . }}{{ else }}{{ end }}', 1, 21, 'unexpected {{else}} in block'],
    ['{{ range $i, $j, $k := . }}{{ end }}', 1, 16, 'too many declarations in range'],
    ['{{ range $i, 1 := . }}{{ end }}', 1, 14, 'unexpected "1" in range'],
    ['{{ range $i, $j . }}{{ end }}', 1, 17, 'unexpected "." in range'],
    ['{{ $labels.x-y }}', 1, 13, "bad character U+002D '-'"],
    ['{{ define "x" }}{{ $labels }}{{ end }}', 1, 20, 'undefined variable "$labels"'],
    ['{{ a := 1 }}', 1, 4, 'function "a" not defined'],
    ['{{ 1 := 1 }}', 1, 6, 'unexpected ":=" in command'],
    ['{{ x : 1 }}', 1, 6, 'expected :='],
    ['{{ range . }}{{ break 1 }}{{ end }}', 1, 23, 'unexpected "1" in break'],
    ['{{ (1 | }}', 1, 9, 'unclosed left paren'],
    ['{{ else if 1 }}', 1, 4, 'unexpected {{else}}'],
    ['{{ end 1 }}', 1, 8, 'unexpected "1" in end'],
    ['{{ range . }}{{ break }}{{ end }}{{ break }}', 1, 37, '{{break}} outside {{range}}'],
  ])('refuses %j at %i:%i (%s)', (text, line, column) => {
    expect(parseGoTemplate(text)).toMatchObject({ ok: false, line, column });
  });

  it('refuses what parses but can never expand: call, recursive templates', () => {
    expect(parseGoTemplate('{{ call $value }}')).toMatchObject({
      ok: false,
      line: 1,
      column: 4,
      message: expect.stringContaining('"call" is not allowed'),
    });
    expect(parseGoTemplate('{{ call $value }}', { functions: new Set(['call']) }).ok).toBe(true);
    for (const [text, column] of [
      ['{{ define "x" }}{{ template "x" . }}{{ end }}{{ template "x" . }}', 29],
      [
        '{{ define "x" }}{{ template "y" }}{{ end }}{{ define "y" }}{{ template "x" }}{{ end }}',
        72,
      ],
      ['{{ block "b" . }}{{ template "b" . }}{{ end }}', 30],
    ] as const) {
      expect(parseGoTemplate(text)).toMatchObject({
        ok: false,
        line: 1,
        column,
        message: expect.stringContaining('invokes itself'),
      });
    }
    expect(
      parseGoTemplate(
        '{{ define "a" }}{{ template "b" }}{{ end }}{{ define "b" }}b{{ end }}{{ template "a" }}{{ template "a" }}',
      ).ok,
    ).toBe(true);
    expect(parseGoTemplate('{{ template "undefined" }}').ok).toBe(true);
  });

  it('refuses nesting past 1000 levels with that reason, never a stack overflow', () => {
    const ifs = (n: number) => `${'{{ if 1 }}'.repeat(n)}${'{{ end }}'.repeat(n)}`;
    expect(parseGoTemplate(ifs(1_000)).ok).toBe(true);
    expect(parseGoTemplate(ifs(5_000))).toMatchObject({
      ok: false,
      message: 'template nests too deeply (more than 1000 levels)',
    });
    const parens = `{{ ${'('.repeat(5_000)}1${')'.repeat(5_000)} }}`;
    expect(parseGoTemplate(parens)).toMatchObject({ ok: false, line: 1, column: 1_004 });
    expect(parseGoTemplate(`{{ block "b" . }}${ifs(1_000)}{{ end }}`).ok).toBe(false);
  });

  it('knows the functions of Prometheus 2.42 when asked', () => {
    const options = { functions: PROMETHEUS_TEMPLATE_FUNCTIONS_2_42 };
    expect(parseGoTemplate('{{ urlQueryEscape "x" }}', options).ok).toBe(false);
    expect(parseGoTemplate('{{ stripDomain "x" }}', options).ok).toBe(true);
  });

  it('takes the variables defined before the template', () => {
    expect(parseGoTemplate('{{ $v }}', { variables: ['$v'] }).ok).toBe(true);
    expect(parseGoTemplate('{{ $labels }}', { variables: [] }).ok).toBe(false);
  });
});
