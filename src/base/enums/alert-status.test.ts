import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidTransitionError,
  type UnknownValueError,
  UnknownValueError as UnknownValueErrorClass,
} from '../exceptions/index.js';
import type { AlertLevel } from './alert-level.js';
import { ALERT_STATUS_TRANSITIONS, AlertAction, AlertStatus } from './alert-status.js';

function thrown<E>(fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a throw');
}

const STATUSES: AlertStatus[] = ['firing', 'acknowledged', 'resolved', 'suppressed', 'expired'];
const ACTIONS: AlertAction[] = [
  'acknowledge',
  'unacknowledge',
  'resolve',
  'reopen',
  'suppress',
  'unsuppress',
  'expire',
];

/** The expected table, written out independently of the code. `null`: not allowed. */
const EXPECTED: Record<AlertStatus, Record<AlertAction, AlertStatus | null>> = {
  firing: {
    acknowledge: 'acknowledged',
    unacknowledge: null,
    resolve: 'resolved',
    reopen: null,
    suppress: 'suppressed',
    unsuppress: null,
    expire: 'expired',
  },
  acknowledged: {
    acknowledge: null,
    unacknowledge: 'firing',
    resolve: 'resolved',
    reopen: null,
    suppress: 'suppressed',
    unsuppress: null,
    expire: 'expired',
  },
  resolved: {
    acknowledge: null,
    unacknowledge: null,
    resolve: null,
    reopen: 'firing',
    suppress: null,
    unsuppress: null,
    expire: null,
  },
  suppressed: {
    acknowledge: null,
    unacknowledge: null,
    resolve: 'resolved',
    reopen: null,
    suppress: null,
    // without context: the default previous status
    unsuppress: 'firing',
    expire: 'expired',
  },
  expired: {
    acknowledge: null,
    unacknowledge: null,
    resolve: null,
    reopen: 'firing',
    suppress: null,
    unsuppress: null,
    expire: null,
  },
};

const ALLOWED: Record<AlertStatus, AlertAction[]> = {
  firing: ['acknowledge', 'resolve', 'suppress', 'expire'],
  acknowledged: ['unacknowledge', 'resolve', 'suppress', 'expire'],
  resolved: ['reopen'],
  suppressed: ['resolve', 'unsuppress', 'expire'],
  expired: ['reopen'],
};

const MATRIX = STATUSES.flatMap((from) =>
  ACTIONS.map((action) => [from, action, EXPECTED[from][action]] as const),
);

describe('AlertStatus and AlertAction values', () => {
  it('lists the statuses and actions', () => {
    expect(AlertStatus.values).toEqual(STATUSES);
    expect(AlertAction.values).toEqual(ACTIONS);
  });

  it('rejects unknown values with the allowed lists', () => {
    const s = thrown<UnknownValueError>(() => AlertStatus.parse('open'));
    expect(s.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(s.context.allowed).toEqual(STATUSES);
    const a = thrown<UnknownValueError>(() => AlertAction.parse('ack'));
    expect(a.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(a.context.allowed).toEqual(ACTIONS);
    const issue = AlertStatus.schema.safeParse('open').error?.issues[0];
    for (const status of STATUSES) expect(issue?.message).toContain(status);
  });

  it('works in a model', () => {
    const Alert = z.object({ status: AlertStatus.schema });
    expect(Alert.parse({ status: 'suppressed' })).toEqual({ status: 'suppressed' });
  });
});

describe('the whole status × action matrix', () => {
  it('has 35 cells, 13 allowed', () => {
    expect(MATRIX).toHaveLength(35);
    expect(MATRIX.filter(([, , to]) => to !== null)).toHaveLength(13);
  });

  it.each(MATRIX)('%s + %s → %s', (from, action, to) => {
    expect(AlertStatus.canTransition(from, action)).toBe(to !== null);
    if (to !== null) {
      expect(AlertStatus.transition(from, action)).toBe(to);
      return;
    }
    const err = thrown<InvalidTransitionError>(() => AlertStatus.transition(from, action));
    expect(err).toBeInstanceOf(InvalidTransitionError);
    expect(err.code).toBe('ALERTBASE_STATUS_INVALID_TRANSITION');
    expect(err.status).toBe(409);
    expect(err.allowed).toEqual(ALLOWED[from]);
    expect(err.context.from).toBe(from);
    expect(err.context.action).toBe(action);
    expect(err.context.allowed).toEqual(ALLOWED[from]);
    expect(err.toProblemDetails().allowedActions).toEqual(ALLOWED[from]);
  });

  it.each(STATUSES)('allowedActions(%s)', (from) => {
    expect(AlertStatus.allowedActions(from)).toEqual(ALLOWED[from]);
    expect(AlertStatus.allowedActions(from)).toEqual(
      ACTIONS.filter((a) => EXPECTED[from][a] !== null),
    );
  });

  it('the exported table has exactly the allowed cells', () => {
    for (const from of STATUSES) {
      expect(Object.keys(ALERT_STATUS_TRANSITIONS[from]).sort()).toEqual([...ALLOWED[from]].sort());
    }
    expect(ALERT_STATUS_TRANSITIONS.suppressed.unsuppress).toBe('previous');
  });
});

describe('unsuppress restores the status before suppression', () => {
  it.each([
    [undefined, 'firing'],
    ['firing', 'firing'],
    ['acknowledged', 'acknowledged'],
  ] as const)('previousStatus %s → %s', (previousStatus, to) => {
    expect(AlertStatus.transition('suppressed', 'unsuppress', { previousStatus })).toBe(to);
  });

  it('round trip through suppression keeps an acknowledgement', () => {
    const before: AlertStatus = 'acknowledged';
    const suppressed = AlertStatus.transition(before, 'suppress');
    expect(AlertStatus.transition(suppressed, 'unsuppress', { previousStatus: before })).toBe(
      'acknowledged',
    );
  });

  it.each(['resolved', 'suppressed', 'expired', 'open'])(
    'refuses a previousStatus of %s',
    (previousStatus) => {
      const err = thrown<UnknownValueError>(() =>
        AlertStatus.transition('suppressed', 'unsuppress', {
          previousStatus: previousStatus as AlertStatus,
        }),
      );
      expect(err.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
      expect(err.context.enum).toBe('SuppressibleStatus');
      expect(err.context.allowed).toEqual(['firing', 'acknowledged']);
    },
  );

  it('ignores the context for other actions', () => {
    expect(AlertStatus.transition('firing', 'acknowledge', { previousStatus: 'resolved' })).toBe(
      'acknowledged',
    );
  });
});

describe('unknown statuses and actions', () => {
  it('transition throws UnknownValueError', () => {
    const s = thrown<UnknownValueError>(() =>
      AlertStatus.transition('open' as AlertStatus, 'resolve'),
    );
    expect(s).toBeInstanceOf(UnknownValueErrorClass);
    expect(s.context.enum).toBe('AlertStatus');
    const a = thrown<UnknownValueError>(() =>
      AlertStatus.transition('firing', 'close' as AlertAction),
    );
    expect(a.context.enum).toBe('AlertAction');
    expect(a.context.allowed).toEqual(ACTIONS);
  });

  it('canTransition is false', () => {
    expect(AlertStatus.canTransition('open' as AlertStatus, 'resolve')).toBe(false);
    expect(AlertStatus.canTransition('firing', 'close' as AlertAction)).toBe(false);
    expect(AlertStatus.canTransition('firing', 'toString' as AlertAction)).toBe(false);
  });

  it('allowedActions, isActive, isTerminal and onRefire throw', () => {
    const bad = 'open' as AlertStatus;
    for (const fn of [
      () => AlertStatus.allowedActions(bad),
      () => AlertStatus.isActive(bad),
      () => AlertStatus.isTerminal(bad),
      () => AlertStatus.onRefire(bad, 'low', 'high'),
      () => AlertStatus.onRefire('firing', 'severe' as AlertLevel, 'high'),
      () => AlertStatus.onRefire('resolved', 'low', 'severe' as AlertLevel),
    ]) {
      expect(thrown<UnknownValueError>(fn).code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    }
  });
});

describe('isActive and isTerminal', () => {
  it.each([
    ['firing', true, false],
    ['acknowledged', true, false],
    ['resolved', false, true],
    ['suppressed', true, false],
    ['expired', false, true],
  ] as const)('%s: active %s, terminal %s', (status, active, terminal) => {
    expect(AlertStatus.isActive(status)).toBe(active);
    expect(AlertStatus.isTerminal(status)).toBe(terminal);
  });

  it('terminal statuses allow only reopen', () => {
    for (const s of STATUSES.filter((x) => AlertStatus.isTerminal(x))) {
      expect(AlertStatus.allowedActions(s)).toEqual(['reopen']);
    }
  });
});

describe('onRefire', () => {
  const worse = ['medium', 'critical'] as const;
  const same = ['high', 'high'] as const;
  const better = ['critical', 'low'] as const;

  it.each([
    ['firing', worse, 'firing'],
    ['firing', same, 'firing'],
    ['firing', better, 'firing'],
    ['acknowledged', worse, 'firing'],
    ['acknowledged', same, 'acknowledged'],
    ['acknowledged', better, 'acknowledged'],
    ['resolved', worse, 'firing'],
    ['resolved', same, 'firing'],
    ['resolved', better, 'firing'],
    ['suppressed', worse, 'suppressed'],
    ['suppressed', same, 'suppressed'],
    ['suppressed', better, 'suppressed'],
    ['expired', worse, 'firing'],
    ['expired', same, 'firing'],
    ['expired', better, 'firing'],
  ] as const)('%s, levels %j → %s', (status, [previous, next], to) => {
    expect(AlertStatus.onRefire(status, previous, next)).toBe(to);
  });

  it('an acknowledged alert re-alarms on any step up, and only then', () => {
    const levels: AlertLevel[] = ['info', 'low', 'medium', 'high', 'critical'];
    for (const [i, previous] of levels.entries()) {
      for (const [j, next] of levels.entries()) {
        expect(AlertStatus.onRefire('acknowledged', previous, next)).toBe(
          j > i ? 'firing' : 'acknowledged',
        );
      }
    }
  });
});

describe('docs/alert-status.md', () => {
  it('shows the same transition table as the code', () => {
    const doc = readFileSync(new URL('../../../docs/alert-status.md', import.meta.url), 'utf8');
    const start = doc.indexOf('<!-- transition-table:start -->');
    const end = doc.indexOf('<!-- transition-table:end -->');
    expect(start).toBeGreaterThan(-1);
    const rows = doc
      .slice(start, end)
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const [header, , ...body] = rows;
    expect(header?.slice(1)).toEqual(ACTIONS);
    expect(body.map((r) => r[0])).toEqual(STATUSES);
    for (const row of body) {
      const from = row[0] as AlertStatus;
      for (const [i, action] of ACTIONS.entries()) {
        const cell = row[i + 1];
        const target = ALERT_STATUS_TRANSITIONS[from][action];
        expect(cell, `${from} + ${action}`).toBe(target ?? '—');
      }
    }
  });
});
