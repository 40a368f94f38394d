import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { UnknownValueError } from '../exceptions/index.js';
import {
  ALERT_LEVEL_COLORS,
  ALERTA_SEVERITIES,
  AlertLevel,
  PAGERDUTY_SEVERITIES,
  PROMETHEUS_SEVERITY_ALIASES,
} from './alert-level.js';

function unknownValue(fn: () => unknown): UnknownValueError {
  try {
    fn();
  } catch (err) {
    expect((err as UnknownValueError).code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    return err as UnknownValueError;
  }
  throw new Error('expected a throw');
}

const ALL: AlertLevel[] = ['critical', 'high', 'medium', 'low', 'info'];

describe('AlertLevel basics', () => {
  it('lists the levels most severe first', () => {
    expect(AlertLevel.values).toEqual(ALL);
    expect(AlertLevel.enum.critical).toBe('critical');
  });

  it.each(ALL)('parses %s and refuses other cases', (level) => {
    expect(AlertLevel.parse(level)).toBe(level);
    expect(AlertLevel.is(level)).toBe(true);
    expect(AlertLevel.schema.parse(level)).toBe(level);
    expect(AlertLevel.is(level.toUpperCase())).toBe(false);
  });

  it('rejects unknown values with the allowed list', () => {
    const err = unknownValue(() => AlertLevel.parse('severe'));
    expect(err.context.enum).toBe('AlertLevel');
    expect(err.context.allowed).toEqual(ALL);
    const issue = AlertLevel.schema.safeParse('severe').error?.issues[0];
    for (const level of ALL) expect(issue?.message).toContain(level);
  });

  it.each([
    ['critical', 5, '#C62828'],
    ['high', 4, '#E65100'],
    ['medium', 3, '#F9A825'],
    ['low', 2, '#1565C0'],
    ['info', 1, '#607D8B'],
  ] as const)('%s has rank %d and colour %s', (level, rank, color) => {
    expect(AlertLevel.rank(level)).toBe(rank);
    expect(AlertLevel.color(level)).toBe(color);
    expect(ALERT_LEVEL_COLORS[level]).toMatch(/^#[0-9A-F]{6}$/);
  });

  it('colour of an unknown level throws', () => {
    unknownValue(() => AlertLevel.color('severe' as AlertLevel));
  });
});

describe('AlertLevel ordering', () => {
  it('compare sorts from least to most severe', () => {
    const shuffled: AlertLevel[] = ['high', 'info', 'critical', 'low', 'medium'];
    expect(shuffled.sort(AlertLevel.compare)).toEqual([
      'info',
      'low',
      'medium',
      'high',
      'critical',
    ]);
  });

  it('atLeast holds exactly when the rank is not lower, over every pair', () => {
    for (const [i, level] of ALL.entries()) {
      for (const [j, min] of ALL.entries()) {
        // ALL is most severe first, so a smaller index is more severe.
        expect(AlertLevel.atLeast(level, min)).toBe(i <= j);
        expect(Math.sign(AlertLevel.compare(level, min))).toBe(Math.sign(j - i));
      }
    }
  });

  it('max and min', () => {
    expect(AlertLevel.max('low', 'critical', 'medium')).toBe('critical');
    expect(AlertLevel.max('info', 'low')).toBe('low');
    expect(AlertLevel.min('low', 'critical', 'medium')).toBe('low');
    expect(AlertLevel.max('high')).toBe('high');
  });
});

describe('Prometheus severity', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'critical'],
    ['medium', 'warning'],
    ['low', 'warning'],
    ['info', 'info'],
  ] as const)('toPrometheus(%s) = %s', (level, label) => {
    expect(AlertLevel.toPrometheus(level)).toBe(label);
  });

  const table: [string, AlertLevel][] = [
    ['critical', 'critical'],
    ['crit', 'critical'],
    ['fatal', 'critical'],
    ['page', 'critical'],
    ['emergency', 'critical'],
    ['emerg', 'critical'],
    ['alert', 'critical'],
    ['high', 'high'],
    ['error', 'high'],
    ['err', 'high'],
    ['major', 'high'],
    ['medium', 'medium'],
    ['warning', 'medium'],
    ['warn', 'medium'],
    ['minor', 'medium'],
    ['moderate', 'medium'],
    ['low', 'low'],
    ['notice', 'low'],
    ['info', 'info'],
    ['informational', 'info'],
    ['information', 'info'],
    ['none', 'info'],
    ['debug', 'info'],
    ['trace', 'info'],
  ];

  it('the alias table is exactly the documented one', () => {
    expect(Object.entries(PROMETHEUS_SEVERITY_ALIASES)).toEqual(table);
  });

  it.each(table)('fromPrometheus(%s) = %s, in any case and with blanks', (label, level) => {
    expect(AlertLevel.fromPrometheus(label)).toBe(level);
    expect(AlertLevel.fromPrometheus(label.toUpperCase())).toBe(level);
    expect(AlertLevel.fromPrometheus(`${label[0]?.toUpperCase()}${label.slice(1)}`)).toBe(level);
    expect(AlertLevel.fromPrometheus(` ${label}\t`)).toBe(level);
  });

  it('the Prometheus round trip loses only what the three labels cannot hold', () => {
    expect(ALL.map((l) => AlertLevel.fromPrometheus(AlertLevel.toPrometheus(l)))).toEqual([
      'critical',
      'critical',
      'medium',
      'medium',
      'info',
    ]);
  });

  it.each(['', 'sev1', 'constructor', '__proto__', 'toString', 'warningx'])(
    'fromPrometheus(%j) throws with every accepted label',
    (label) => {
      const err = unknownValue(() => AlertLevel.fromPrometheus(label));
      expect(err.context.enum).toBe('PrometheusSeverity');
      expect(err.context.allowed).toEqual(table.map(([l]) => l));
    },
  );

  it('a missing label throws unless there is a fallback', () => {
    unknownValue(() => AlertLevel.fromPrometheus(undefined));
    expect(AlertLevel.fromPrometheus(undefined, { fallback: 'medium' })).toBe('medium');
    expect(AlertLevel.fromPrometheus('bogus', { fallback: 'low' })).toBe('low');
    expect(AlertLevel.fromPrometheus('critical', { fallback: 'low' })).toBe('critical');
    unknownValue(() => AlertLevel.fromPrometheus('bogus', { fallback: 'bad' as AlertLevel }));
  });

  it('toPrometheus of an unknown level throws', () => {
    unknownValue(() => AlertLevel.toPrometheus('bad' as AlertLevel));
  });
});

describe('PagerDuty Events v2 severity', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'warning'],
    ['info', 'info'],
  ] as const)('toPagerDuty(%s) = %s', (level, severity) => {
    expect(AlertLevel.toPagerDuty(level)).toBe(severity);
    expect(PAGERDUTY_SEVERITIES).toContain(severity);
  });

  it.each([
    ['critical', 'critical'],
    ['error', 'high'],
    ['warning', 'medium'],
    ['info', 'info'],
  ] as const)('fromPagerDuty(%s) = %s', (severity, level) => {
    expect(AlertLevel.fromPagerDuty(severity)).toBe(level);
  });

  it('covers every PagerDuty severity', () => {
    expect(PAGERDUTY_SEVERITIES).toEqual(['critical', 'error', 'warning', 'info']);
  });

  it.each(['Critical', 'high', 'warn', '', 'constructor'])('fromPagerDuty(%j) throws', (s) => {
    const err = unknownValue(() => AlertLevel.fromPagerDuty(s));
    expect(err.context.enum).toBe('PagerDutySeverity');
    expect(err.context.allowed).toEqual(['critical', 'error', 'warning', 'info']);
  });

  it('toPagerDuty of an unknown level throws', () => {
    unknownValue(() => AlertLevel.toPagerDuty('bad' as AlertLevel));
  });
});

describe('Alerta severity', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'major'],
    ['medium', 'minor'],
    ['low', 'warning'],
    ['info', 'informational'],
  ] as const)('toAlerta(%s) = %s', (level, severity) => {
    expect(AlertLevel.toAlerta(level)).toBe(severity);
    expect(AlertLevel.fromAlerta(severity)).toBe(level);
  });

  const table = [
    ['security', 'critical', false],
    ['critical', 'critical', false],
    ['major', 'high', false],
    ['minor', 'medium', false],
    ['warning', 'low', false],
    ['indeterminate', 'low', false],
    ['informational', 'info', false],
    ['normal', 'info', true],
    ['ok', 'info', true],
    ['cleared', 'info', true],
    ['debug', 'info', false],
    ['trace', 'info', false],
  ] as const;

  it('covers every Alerta severity, most severe first', () => {
    expect(table.map(([s]) => s)).toEqual([...ALERTA_SEVERITIES]);
  });

  it.each(table)('fromAlerta(%s) = %s (normal: %s)', (severity, level, normal) => {
    expect(AlertLevel.fromAlerta(severity)).toBe(level);
    expect(AlertLevel.isAlertaNormal(severity)).toBe(normal);
  });

  it('the mapping keeps Alerta’s order (never inverts it)', () => {
    const levels = table.map(([s]) => AlertLevel.fromAlerta(s));
    for (let i = 1; i < levels.length; i++) {
      expect(AlertLevel.atLeast(levels[i - 1] as AlertLevel, levels[i] as AlertLevel)).toBe(true);
    }
  });

  it.each(['Critical', 'unknown', 'high', '', 'hasOwnProperty'])('fromAlerta(%j) throws', (s) => {
    const err = unknownValue(() => AlertLevel.fromAlerta(s));
    expect(err.context.enum).toBe('AlertaSeverity');
    expect(err.context.allowed).toEqual([...ALERTA_SEVERITIES]);
    expect(AlertLevel.isAlertaNormal(s)).toBe(false);
  });

  it('toAlerta of an unknown level throws', () => {
    unknownValue(() => AlertLevel.toAlerta('bad' as AlertLevel));
  });
});

describe('AlertLevel in models', () => {
  it('is a Zod field', () => {
    const Rule = z.object({ level: AlertLevel.schema });
    expect(Rule.parse({ level: 'high' })).toEqual({ level: 'high' });
    expect(Rule.safeParse({ level: 'HIGH' }).success).toBe(false);
  });
});
