import { describe, expect, it } from 'vitest';
import { AlertRule } from '../../domain/alert-rule.js';
import { alertRulesToRuleFile, ruleFileToAlertRules } from './alert-rules.js';
import { parseRuleFile } from './rule-file.js';
import { formatRuleFile } from './write.js';

const TEXT = `groups:
  - name: node
    labels:
      team: infra
    rules:
      - alert: NodeDown
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.instance }} down"
      - alert: DiskFilling
        expr: predict_linear(node_filesystem_free_bytes[6h], 4 * 3600) < 0
        labels:
          severity: warning
      - alert: NoSeverity
        expr: up
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: ReservedLabel
        expr: up
        labels:
          __tmp: x
`;

describe('ruleFileToAlertRules', () => {
  const { rules, issues } = ruleFileToAlertRules(parseRuleFile(TEXT), { tenantId: 'acme' });

  it('maps severity to level and level to priority', () => {
    expect(rules.map((r) => [r.name, r.level, r.priority])).toEqual([
      ['NodeDown', 'critical', 'P1'],
      ['DiskFilling', 'medium', 'P3'],
      ['NoSeverity', 'medium', 'P3'],
    ]);
  });

  it('keeps durations, group, merged labels and annotations', () => {
    const [down] = rules;
    expect(down?.for).toBe(300_000);
    expect(down?.keepFiringFor).toBe(60_000);
    expect(down?.group).toBe('node');
    expect(down?.tenantId).toBe('acme');
    expect(down?.labels).toEqual({ team: 'infra', severity: 'critical' });
    expect(down?.annotations).toEqual({ summary: '{{ $labels.instance }} down' });
  });

  it('reports skipped recording rules and rules the model refuses', () => {
    expect(issues.map((i) => [i.severity, i.code, i.pointer])).toEqual([
      ['info', 'recording_rule_skipped', '/groups/0/rules/3'],
      ['error', 'invalid_key', '/groups/0/rules/4/labels/__tmp'],
    ]);
  });

  it('uses the default level and priority overrides given', () => {
    const result = ruleFileToAlertRules(parseRuleFile(TEXT), {
      tenantId: 'acme',
      defaultLevel: 'low',
      priorityOverrides: { critical: 'P2' },
    });
    expect(result.rules.map((r) => [r.level, r.priority])).toEqual([
      ['critical', 'P2'],
      ['medium', 'P3'],
      ['low', 'P4'],
    ]);
  });
});

describe('alertRulesToRuleFile', () => {
  const make = (fields: Record<string, unknown>) =>
    AlertRule.parse({
      tenantId: 'acme',
      level: 'high',
      priority: 'P2',
      condition: 'up == 0',
      ...fields,
    });

  it('groups rules, adds severity from the level, formats durations', () => {
    const file = alertRulesToRuleFile([
      make({ name: 'A', group: 'g1', for: '90s', labels: { team: 'x' } }),
      make({
        name: 'B',
        keepFiringFor: '5m',
        annotations: { summary: 's' },
        labels: { severity: 'page' },
      }),
      make({ name: 'C', group: 'g1', level: 'info', priority: 'P5' }),
      make({ name: 'Off', enabled: false }),
    ]);
    expect(file).toEqual({
      groups: [
        {
          name: 'g1',
          rules: [
            {
              alert: 'A',
              expr: 'up == 0',
              for: '1m30s',
              labels: { team: 'x', severity: 'critical' },
            },
            { alert: 'C', expr: 'up == 0', labels: { severity: 'info' } },
          ],
        },
        {
          name: 'alertbase',
          rules: [
            {
              alert: 'B',
              expr: 'up == 0',
              keepFiringFor: '5m',
              labels: { severity: 'page' },
              annotations: { summary: 's' },
            },
          ],
        },
      ],
    });
  });

  it('writes disabled rules when asked and names the default group', () => {
    const file = alertRulesToRuleFile([make({ name: 'Off', enabled: false })], {
      includeDisabled: true,
      defaultGroup: 'mine',
    });
    expect(file.groups.map((g) => [g.name, g.rules.length])).toEqual([['mine', 1]]);
  });

  it('round-trips rules through a rule file', () => {
    const { rules } = ruleFileToAlertRules(parseRuleFile(TEXT), { tenantId: 'acme' });
    const again = ruleFileToAlertRules(parseRuleFile(formatRuleFile(alertRulesToRuleFile(rules))), {
      tenantId: 'acme',
    }).rules;
    // Writing adds the severity a rule without one gets from its level; the rest is unchanged.
    const view = (r: AlertRule) => {
      const { severity: _, ...labels } = r.labels;
      return [r.name, r.level, r.condition, r.for, r.keepFiringFor, r.group, labels, r.annotations];
    };
    expect(again.map(view)).toEqual(rules.map(view));
  });
});
