import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { UnknownValueError, ValidationError } from '../exceptions/index.js';
import type { AlertLevel } from './alert-level.js';
import {
  DEFAULT_LEVEL_PRIORITIES,
  type LevelPriorityOverrides,
  PRIORITY_ORDER_ISSUE,
  PRIORITY_SLAS,
  Priority,
} from './priority.js';

function thrown<E>(fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a throw');
}

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('Priority values', () => {
  it('emits P1..P5', () => {
    expect(Priority.values).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
  });

  it.each([
    ['P1', 'P1'],
    ['p1', 'P1'],
    ['P2', 'P2'],
    ['p2', 'P2'],
    ['P3', 'P3'],
    ['p3', 'P3'],
    ['P4', 'P4'],
    ['p4', 'P4'],
    ['P5', 'P5'],
    ['p5', 'P5'],
  ])('parses %s as %s (parse and schema)', (input, out) => {
    expect(Priority.parse(input)).toBe(out);
    expect(Priority.schema.parse(input)).toBe(out);
    expect(Priority.tryParse(input)).toBe(out);
    expect(Priority.is(input)).toBe(input === out);
  });

  it('parses the seed example inside a model', () => {
    const Rule = z.object({ level: z.string(), priority: Priority.schema });
    expect(Rule.parse({ level: 'high', priority: 'p2' })).toEqual({
      level: 'high',
      priority: 'P2',
    });
  });

  it.each(['P0', 'P6', 'p', '1', ' P1', 'high', '', 2, null])('rejects %j', (v) => {
    const err = thrown<UnknownValueError>(() => Priority.parse(v));
    expect(err.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(err.context.allowed).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    const issue = Priority.schema.safeParse(v).error?.issues[0];
    for (const p of Priority.values) expect(issue?.message).toContain(p);
  });

  it('JSON Schema: output uppercase, input both cases', () => {
    expect(z.toJSONSchema(Priority.schema)).toMatchObject({
      enum: ['P1', 'P2', 'P3', 'P4', 'P5'],
    });
    expect(z.toJSONSchema(Priority.schema, { io: 'input' })).toMatchObject({
      enum: ['P1', 'P2', 'P3', 'P4', 'P5', 'p1', 'p2', 'p3', 'p4', 'p5'],
    });
  });
});

describe('Priority ordering', () => {
  it('P1 ranks highest', () => {
    expect(Priority.values.map((p) => Priority.rank(p))).toEqual([5, 4, 3, 2, 1]);
    expect(Priority.atLeast('P1', 'P2')).toBe(true);
    expect(Priority.atLeast('P3', 'P2')).toBe(false);
    expect(Priority.max('P4', 'P2', 'P5')).toBe('P2');
    expect(Priority.min('P4', 'P2', 'P5')).toBe('P5');
    expect(['P3', 'P1', 'P5'].sort((a, b) => Priority.compare(b as 'P1', a as 'P1'))).toEqual([
      'P1',
      'P3',
      'P5',
    ]);
  });
});

describe('Priority SLAs', () => {
  it.each([
    ['P1', 5 * MIN, 15 * MIN],
    ['P2', 15 * MIN, HOUR],
    ['P3', HOUR, 4 * HOUR],
    ['P4', 8 * HOUR, 24 * HOUR],
    ['P5', 24 * HOUR, 72 * HOUR],
  ] as const)('%s: respond within %d ms, escalate after %d ms', (p, response, escalation) => {
    expect(Priority.sla(p)).toEqual({ responseMs: response, escalationMs: escalation });
    expect(PRIORITY_SLAS[p]).toBe(Priority.sla(p));
  });

  it('deadlines grow as priority falls, and escalation never precedes response', () => {
    for (const [i, p] of Priority.values.entries()) {
      const sla = Priority.sla(p);
      expect(sla.escalationMs).toBeGreaterThan(sla.responseMs);
      const next = Priority.values[i + 1];
      if (next !== undefined) expect(Priority.sla(next).responseMs).toBeGreaterThan(sla.responseMs);
    }
  });

  it('sla of an unknown priority throws; lowercase is accepted at runtime', () => {
    expect(thrown<UnknownValueError>(() => Priority.sla('P9' as 'P1')).code).toBe(
      'ALERTBASE_VALIDATION_UNKNOWN_VALUE',
    );
    expect(Priority.sla('p1' as 'P1').responseMs).toBe(5 * MIN);
  });
});

describe('level → priority mapping', () => {
  it.each([
    ['critical', 'P1'],
    ['high', 'P2'],
    ['medium', 'P3'],
    ['low', 'P4'],
    ['info', 'P5'],
  ] as const)('default: %s → %s', (level, p) => {
    expect(Priority.fromLevel(level)).toBe(p);
    expect(DEFAULT_LEVEL_PRIORITIES[level]).toBe(p);
  });

  it('levelMapping() without overrides is the default', () => {
    expect(Priority.levelMapping()).toEqual(DEFAULT_LEVEL_PRIORITIES);
    expect(Priority.levelMapping({})).toEqual(DEFAULT_LEVEL_PRIORITIES);
  });

  it('applies a tenant’s overrides, in either case', () => {
    const overrides = { high: 'p1', low: 'P5' };
    expect(Priority.levelMapping(overrides)).toEqual({
      critical: 'P1',
      high: 'P1',
      medium: 'P3',
      low: 'P5',
      info: 'P5',
    });
    expect(Priority.fromLevel('high', overrides)).toBe('P1');
    expect(Priority.fromLevel('medium', overrides)).toBe('P3');
    expect(Object.isFrozen(Priority.levelMapping(overrides))).toBe(true);
  });

  it('accepts overriding every level at once', () => {
    const all = { critical: 'P1', high: 'P1', medium: 'P2', low: 'P2', info: 'P3' };
    expect(Priority.levelMapping(all)).toEqual(all);
  });

  const bad: [string, unknown, { pointer: string; code: string }[]][] = [
    ['an unknown priority', { high: 'P9' }, [{ pointer: '/high', code: 'invalid_value' }]],
    ['a non-string priority', { high: 1 }, [{ pointer: '/high', code: 'invalid_value' }]],
    ['an unknown level', { severe: 'P1' }, [{ pointer: '/severe', code: 'unrecognized_keys' }]],
    [
      'several problems at once',
      { bogus: 'P1', other: 'P2', medium: 'x' },
      [
        { pointer: '/medium', code: 'invalid_value' },
        { pointer: '/bogus', code: 'unrecognized_keys' },
        { pointer: '/other', code: 'unrecognized_keys' },
      ],
    ],
    ['info above low', { info: 'P1' }, [{ pointer: '/info', code: PRIORITY_ORDER_ISSUE }]],
    ['low above medium', { low: 'P2' }, [{ pointer: '/low', code: PRIORITY_ORDER_ISSUE }]],
    [
      'critical below high',
      { critical: 'P3' },
      [{ pointer: '/critical', code: PRIORITY_ORDER_ISSUE }],
    ],
    [
      'two inversions',
      { critical: 'P5', low: 'P1' },
      [
        { pointer: '/critical', code: PRIORITY_ORDER_ISSUE },
        { pointer: '/low', code: PRIORITY_ORDER_ISSUE },
      ],
    ],
    ['not an object', 'P1', [{ pointer: '', code: 'invalid_type' }]],
  ];

  it.each(bad)('rejects %s', (_name, overrides, issues) => {
    const err = thrown<ValidationError>(() =>
      Priority.levelMapping(overrides as LevelPriorityOverrides),
    );
    expect(err.code).toBe('ALERTBASE_VALIDATION_FAILED');
    expect(err.context.model).toBe('LevelPriorityOverrides');
    expect(err.issues.map(({ pointer, code }) => ({ pointer, code }))).toEqual(issues);
    expect(
      thrown<ValidationError>(() =>
        Priority.fromLevel('critical', overrides as LevelPriorityOverrides),
      ).code,
    ).toBe('ALERTBASE_VALIDATION_FAILED');
  });

  it('fromLevel of an unknown level throws UnknownValueError', () => {
    const err = thrown<UnknownValueError>(() => Priority.fromLevel('severe' as AlertLevel));
    expect(err.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(err.context.enum).toBe('AlertLevel');
  });

  it('overridesSchema works inside a tenant settings model', () => {
    const Settings = z.object({ priorities: Priority.overridesSchema });
    expect(Settings.parse({ priorities: { high: 'p1' } })).toEqual({ priorities: { high: 'P1' } });
    const result = Settings.safeParse({ priorities: { info: 'P1' } });
    expect(result.error?.issues[0]?.path).toEqual(['priorities', 'info']);
  });
});
