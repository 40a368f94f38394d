import { describe, expect, it } from 'vitest';
import { checkRuleFile, parseRuleFile } from './rule-file.js';
import type { PrometheusRuleFile } from './types.js';
import { formatRuleFile } from './write.js';

const FILE: PrometheusRuleFile = {
  groups: [
    {
      name: 'node',
      interval: '30s',
      queryOffset: '1m',
      limit: 5,
      labels: { team: 'infra' },
      rules: [
        {
          alert: 'NodeDown',
          expr: 'up{job="node"} == 0',
          for: '5m',
          keepFiringFor: '10m',
          labels: { severity: 'critical', b: '1', a: '2' },
          annotations: { summary: '{{ $labels.instance }} is down: {{ $value | humanize }}' },
        },
        { record: 'job:up:sum', expr: 'sum by (job) (up)\n  # total\n', labels: { x: 'y' } },
        { alert: 'Plain', expr: 'vector(1)' },
      ],
    },
    { name: 'empty', rules: [] },
  ],
};

describe('formatRuleFile', () => {
  it('round-trips through parseRuleFile', () => {
    const text = formatRuleFile(FILE);
    expect(parseRuleFile(text)).toEqual(FILE);
    expect(formatRuleFile(parseRuleFile(text))).toBe(text);
  });

  it('writes keys in a stable order and sorts labels', () => {
    const text = formatRuleFile(FILE);
    const keys = text
      .split('\n')
      .map((l) => /^\s*(?:- )?([a-z_]+):/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined);
    expect(keys.slice(0, 14)).toEqual([
      'groups',
      'name',
      'interval',
      'query_offset',
      'limit',
      'labels',
      'team',
      'rules',
      'alert',
      'expr',
      'for',
      'keep_firing_for',
      'labels',
      'a',
    ]);
  });

  it('writes a file that checks clean', () => {
    const result = checkRuleFile(formatRuleFile(FILE));
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['missing_severity']);
  });
});
