import { describe, expect, it } from 'vitest';
import { isAlertbaseError, type ValidationError } from '../../base/exceptions/errors.js';
import { checkRuleFile, parseRuleFile } from './rule-file.js';

const codes = (text: string) =>
  checkRuleFile(text).issues.map((i) => [i.severity, i.code, i.line, i.column]);

describe('checkRuleFile', () => {
  it('reads a file into the typed structure', () => {
    const result = checkRuleFile(`groups:
  - name: g
    interval: 1m
    query_offset: 30s
    limit: 3
    labels: { team: db }
    rules:
      - alert: A
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: { severity: critical }
        annotations: { summary: "{{ $value }}" }
      - record: r
        expr: sum(up)
        labels: { a: b }
`);
    expect(result.valid).toBe(true);
    expect(result.file).toEqual({
      groups: [
        {
          name: 'g',
          interval: '1m',
          queryOffset: '30s',
          limit: 3,
          labels: { team: 'db' },
          rules: [
            {
              alert: 'A',
              expr: 'up == 0',
              for: '5m',
              keepFiringFor: '1m',
              labels: { severity: 'critical' },
              annotations: { summary: '{{ $value }}' },
            },
            { record: 'r', expr: 'sum(up)', labels: { a: 'b' } },
          ],
        },
      ],
    });
  });

  it('warns about missing and unknown severities, naming the default level', () => {
    const text = `groups:
  - name: g
    rules:
      - alert: A
        expr: up
      - alert: B
        expr: up
        labels: { severity: urgent }
      - alert: C
        expr: up
        labels: { severity: "{{ $labels.sev }}" }
  - name: h
    labels: { severity: bad }
    rules:
      - alert: D
        expr: up
`;
    expect(codes(text)).toEqual([
      ['warning', 'missing_severity', 4, 9],
      ['warning', 'unknown_severity', 8, 29],
      ['warning', 'unknown_severity', 13, 25],
    ]);
    const result = checkRuleFile(text, { defaultLevel: 'low' });
    expect(result.valid).toBe(true);
    expect(result.warnings[0]?.pointer).toBe('/groups/0/rules/0/labels');
    expect(result.warnings[2]?.pointer).toBe('/groups/1/labels/severity');
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(codes('groups:\n  - name: g\n   rules: x\n')[0]?.slice(0, 2)).toEqual([
      'error',
      'yaml_syntax',
    ]);
    expect(codes('groups: []\ngroups: []\n')).toEqual([['error', 'duplicate_key', 2, 1]]);
  });

  it('warns about documents after the first', () => {
    expect(codes('groups: []\n---\ngroups: []\n')).toEqual([
      ['warning', 'extra_documents_ignored', 2, 1],
    ]);
  });

  it('accepts null sections and empty groups as promtool does', () => {
    expect(checkRuleFile('groups:\n').valid).toBe(true);
    expect(
      checkRuleFile('groups:\n  - name: g\n    rules:\n    limit:\n    interval:\n').valid,
    ).toBe(true);
    // promtool skips null list items.
    expect(codes('groups:\n  -\n')).toEqual([]);
    expect(
      checkRuleFile('groups:\n  - name: g\n    rules:\n      -\n').file?.groups[0]?.rules,
    ).toEqual([]);
  });

  it('refuses wrong YAML types at their line', () => {
    expect(codes('groups:\n  - 5\n')).toEqual([['error', 'invalid_type', 2, 5]]);
    expect(codes('groups:\n  - name: g\n    rules:\n      - x\n')).toEqual([
      ['error', 'invalid_type', 4, 9],
    ]);
    expect(
      codes('groups:\n  - name: g\n    labels:\n      ? [a]\n      : b\n')[0]?.slice(0, 2),
    ).toEqual(['error', 'invalid_type']);
    expect(codes('groups:\n  - name: g\n    limit: "5"\n')).toEqual([
      ['error', 'invalid_type', 3, 12],
    ]);
  });

  it('checks group labels', () => {
    expect(codes('groups:\n  - name: g\n    labels:\n      bad-name: x\n')).toEqual([
      ['error', 'invalid_label_name', 4, 7],
    ]);
  });

  it('points at the template line inside a block scalar', () => {
    const result = checkRuleFile(
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          d: |\n            one\n            {{ nope }}\n          e: "x\\n{{ nope2 }}"\n',
    );
    expect(result.errors.map((e) => [e.code, e.line])).toEqual([
      ['invalid_template', 9],
      ['invalid_template', 11],
    ]);
  });

  it('reads merge keys from a list of anchors', () => {
    const text = `x: &a { severity: critical }
y: &b { team: db }
`;
    expect(checkRuleFile(text).errors.map((e) => e.code)).toEqual([
      'unknown_field',
      'unknown_field',
    ]);
    const merged = `groups:
  - name: g
    rules:
      - alert: A
        expr: up
        labels: &l { severity: critical }
      - alert: B
        expr: up
        labels:
          <<: [*l, { team: db }]
          severity: info
`;
    const file = parseRuleFile(merged);
    expect(file.groups[0]?.rules[1]?.labels).toEqual({ team: 'db', severity: 'info' });
  });
});

describe('parseRuleFile', () => {
  it('throws a ValidationError listing the errors', () => {
    let caught: unknown;
    try {
      parseRuleFile('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up)\n');
    } catch (err) {
      caught = err;
    }
    expect(isAlertbaseError(caught, 'ALERTBASE_VALIDATION_FAILED')).toBe(true);
    expect((caught as ValidationError).issues.map((i) => [i.code, i.line, i.pointer])).toEqual([
      ['promql_type_error', 5, '/groups/0/rules/0/expr'],
    ]);
  });
});
