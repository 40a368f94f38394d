import { InvalidTransitionError, UnknownValueError } from '../exceptions/index.js';
import { AlertLevel } from './alert-level.js';
import { defineEnum, type SmartEnum } from './define-enum.js';

const STATUSES = defineEnum(
  'AlertStatus',
  ['firing', 'acknowledged', 'resolved', 'suppressed', 'expired'],
  { description: 'Lifecycle status of an alert; see docs/alert-status.md.' },
);

/**
 * Lifecycle status of an alert.
 *
 * - `firing`: the condition holds and nobody has taken it on.
 * - `acknowledged`: a responder has taken it on.
 * - `resolved`: the condition cleared, or a responder closed it.
 * - `suppressed`: silenced (Alertmanager silence, ISA 18.2 "shelved"): still active, not notified.
 * - `expired`: not refreshed before its timeout, so its state is unknown.
 */
export type AlertStatus = (typeof STATUSES.values)[number];

/**
 * An operator or system action on an alert's status.
 *
 * @example
 * ```ts
 * AlertAction.parse(body.action); // 'acknowledge' | ... or throws UnknownValueError
 * ```
 */
export const AlertAction = defineEnum(
  'AlertAction',
  ['acknowledge', 'unacknowledge', 'resolve', 'reopen', 'suppress', 'unsuppress', 'expire'],
  { description: 'An action that changes an alert status.' },
);
/** An operator or system action on an alert's status. */
export type AlertAction = (typeof AlertAction.values)[number];

/** Result of a transition in the table: a status, or `previous` (the status before suppression). */
export type TransitionTarget = AlertStatus | 'previous';

/**
 * The status transition table: for each status, the actions allowed from it
 * and the status each leads to. An action missing from a row is not allowed.
 * `docs/alert-status.md` shows the table in full.
 */
export const ALERT_STATUS_TRANSITIONS: Readonly<
  Record<AlertStatus, Readonly<Partial<Record<AlertAction, TransitionTarget>>>>
> = Object.freeze({
  firing: Object.freeze({
    acknowledge: 'acknowledged',
    resolve: 'resolved',
    suppress: 'suppressed',
    expire: 'expired',
  }),
  acknowledged: Object.freeze({
    unacknowledge: 'firing',
    resolve: 'resolved',
    suppress: 'suppressed',
    expire: 'expired',
  }),
  resolved: Object.freeze({ reopen: 'firing' }),
  // ISA 18.2 (11.7.3) and Alerta: an unshelved alarm returns to its status before shelving.
  suppressed: Object.freeze({ resolve: 'resolved', unsuppress: 'previous', expire: 'expired' }),
  expired: Object.freeze({ reopen: 'firing' }),
});

/** Facts a transition may need. */
export interface TransitionContext {
  /**
   * For `unsuppress`: the status the alert had when it was suppressed
   * (`firing` or `acknowledged`). Defaults to `firing`.
   */
  readonly previousStatus?: AlertStatus | undefined;
}

/** Statuses from which `suppress` is allowed: the only ones `unsuppress` can restore. */
const SUPPRESSIBLE: readonly AlertStatus[] = Object.freeze(
  STATUSES.values.filter((s) => ALERT_STATUS_TRANSITIONS[s].suppress !== undefined),
);

/** The `AlertStatus` enumeration: the transition table and the re-fire rules. */
export interface AlertStatusEnum extends SmartEnum<AlertStatus> {
  /** Is `action` allowed from `from`? False for unknown statuses and actions. */
  canTransition(from: AlertStatus, action: AlertAction): boolean;
  /**
   * The actions allowed from a status, in `AlertAction.values` order.
   * @throws UnknownValueError for an unknown status.
   */
  allowedActions(from: AlertStatus): readonly AlertAction[];
  /**
   * The status an action leads to.
   * @throws InvalidTransitionError (`ALERTBASE_STATUS_INVALID_TRANSITION`) when the
   *   table does not allow the action; its `allowed` lists the actions that are.
   * @throws UnknownValueError for an unknown status or action, or an `unsuppress`
   *   whose `ctx.previousStatus` is neither `firing` nor `acknowledged`.
   * @example
   * ```ts
   * AlertStatus.transition('firing', 'acknowledge');                 // 'acknowledged'
   * AlertStatus.transition('suppressed', 'unsuppress',
   *   { previousStatus: 'acknowledged' });                          // 'acknowledged'
   * AlertStatus.transition('resolved', 'acknowledge');               // throws, allowed: ['reopen']
   * ```
   */
  transition(from: AlertStatus, action: AlertAction, ctx?: TransitionContext): AlertStatus;
  /**
   * The status of an existing alert when its condition fires again (a new
   * notification for the same fingerprint):
   * - `acknowledged` returns to `firing` when the level got worse, else stays;
   * - `resolved` and `expired` are reopened (`firing`);
   * - `firing` and `suppressed` stay as they are.
   * @example
   * ```ts
   * AlertStatus.onRefire('acknowledged', 'medium', 'critical'); // 'firing'
   * AlertStatus.onRefire('acknowledged', 'high', 'medium');     // 'acknowledged'
   * ```
   */
  onRefire(status: AlertStatus, previousLevel: AlertLevel, newLevel: AlertLevel): AlertStatus;
  /** Does the condition still hold (`firing`, `acknowledged`, `suppressed`)? */
  isActive(status: AlertStatus): boolean;
  /** Is the alert's lifecycle over until it fires again (`resolved`, `expired`)? */
  isTerminal(status: AlertStatus): boolean;
}

const allowedActions = (from: AlertStatus): readonly AlertAction[] => {
  const row = ALERT_STATUS_TRANSITIONS[STATUSES.parse(from)];
  return AlertAction.values.filter((a) => row[a] !== undefined);
};

/**
 * Lifecycle status of an alert: a smart enumeration with a transition table
 * learnt from Alerta's and ISA 18.2's alarm models.
 *
 * @example
 * ```ts
 * if (AlertStatus.canTransition(alert.status, 'acknowledge')) {
 *   alert.status = AlertStatus.transition(alert.status, 'acknowledge');
 * }
 * ```
 */
export const AlertStatus: AlertStatusEnum = Object.freeze({
  ...STATUSES,
  canTransition(from: AlertStatus, action: AlertAction): boolean {
    return (
      STATUSES.is(from) &&
      AlertAction.is(action) &&
      ALERT_STATUS_TRANSITIONS[from][action] !== undefined
    );
  },
  allowedActions,
  transition(from: AlertStatus, action: AlertAction, ctx: TransitionContext = {}): AlertStatus {
    const target = ALERT_STATUS_TRANSITIONS[STATUSES.parse(from)][AlertAction.parse(action)];
    if (target === undefined) throw new InvalidTransitionError(from, action, allowedActions(from));
    if (target !== 'previous') return target;
    const previous = ctx.previousStatus ?? 'firing';
    if (!SUPPRESSIBLE.includes(previous)) {
      throw new UnknownValueError('SuppressibleStatus', previous, SUPPRESSIBLE);
    }
    return previous;
  },
  onRefire(status: AlertStatus, previousLevel: AlertLevel, newLevel: AlertLevel): AlertStatus {
    const current = STATUSES.parse(status);
    const worse = AlertLevel.compare(newLevel, previousLevel) > 0;
    switch (current) {
      case 'acknowledged':
        return worse ? 'firing' : 'acknowledged';
      case 'resolved':
      case 'expired':
        return 'firing';
      default:
        return current;
    }
  },
  isActive: (status: AlertStatus) => {
    const s = STATUSES.parse(status);
    return s === 'firing' || s === 'acknowledged' || s === 'suppressed';
  },
  isTerminal: (status: AlertStatus) => {
    const s = STATUSES.parse(status);
    return s === 'resolved' || s === 'expired';
  },
});
