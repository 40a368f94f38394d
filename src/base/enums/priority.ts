import { z } from 'zod';
import { toJsonPointer, ValidationError, type ValidationIssue } from '../exceptions/index.js';
import { AlertLevel } from './alert-level.js';
import { defineOrderedEnum, type OrderedEnum } from './define-enum.js';

const PRIORITIES = defineOrderedEnum('Priority', ['P1', 'P2', 'P3', 'P4', 'P5'], {
  order: 'descending',
  acceptLowercase: true,
  description: 'Urgency of an alert, P1 (most urgent) to P5; lowercase input is accepted.',
});

/** Urgency of an alert, `P1` (most urgent) to `P5`, as Opsgenie and PagerDuty write it. */
export type Priority = (typeof PRIORITIES.values)[number];

/** Response and escalation deadlines of a priority, in milliseconds from when the alert fires. */
export interface PrioritySla {
  /** Time within which a responder should acknowledge the alert. */
  readonly responseMs: number;
  /** Time after which an unacknowledged alert escalates to the next responder tier. */
  readonly escalationMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The SLA of each priority. */
export const PRIORITY_SLAS: Readonly<Record<Priority, PrioritySla>> = Object.freeze({
  P1: Object.freeze({ responseMs: 5 * MINUTE, escalationMs: 15 * MINUTE }),
  P2: Object.freeze({ responseMs: 15 * MINUTE, escalationMs: HOUR }),
  P3: Object.freeze({ responseMs: HOUR, escalationMs: 4 * HOUR }),
  P4: Object.freeze({ responseMs: 8 * HOUR, escalationMs: 24 * HOUR }),
  P5: Object.freeze({ responseMs: 24 * HOUR, escalationMs: 72 * HOUR }),
});

/** A complete level → priority mapping. */
export type LevelPriorityMap = Readonly<Record<AlertLevel, Priority>>;

/** A tenant's overrides of the default mapping; priorities may be lowercase. */
export type LevelPriorityOverrides = Readonly<Partial<Record<AlertLevel, string>>>;

/** The default mapping: critical → P1, high → P2, medium → P3, low → P4, info → P5. */
export const DEFAULT_LEVEL_PRIORITIES: LevelPriorityMap = Object.freeze({
  critical: 'P1',
  high: 'P2',
  medium: 'P3',
  low: 'P4',
  info: 'P5',
});

/** Issue code of an override map that gives a less severe level a more urgent priority. */
export const PRIORITY_ORDER_ISSUE = 'priority_order';

const merge = (overrides: Readonly<Partial<Record<AlertLevel, Priority>>>): LevelPriorityMap =>
  Object.freeze({ ...DEFAULT_LEVEL_PRIORITIES, ...overrides });

const overridesSchema = z
  .partialRecord(AlertLevel.schema, PRIORITIES.schema)
  .superRefine((overrides, ctx) => {
    const mapping = merge(overrides);
    // Levels run from most to least severe, so priorities must not become more urgent along them.
    const levels = AlertLevel.values;
    for (let i = 1; i < levels.length; i++) {
      const level = levels[i] as AlertLevel;
      const above = levels[i - 1] as AlertLevel;
      if (PRIORITIES.compare(mapping[level], mapping[above]) > 0) {
        ctx.addIssue({
          code: 'custom',
          path: [Object.hasOwn(overrides, level) ? level : above],
          message: `${level} would get ${mapping[level]}, more urgent than ${mapping[above]} of ${above}`,
          params: { code: PRIORITY_ORDER_ISSUE },
        });
      }
    }
  });

const toIssues = (issue: z.core.$ZodIssue): ValidationIssue[] => {
  const path = issue.path.filter(
    (p): p is string | number => typeof p === 'string' || typeof p === 'number',
  );
  // One issue per unknown key, at that key, so a caller sees which entry to remove.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...path, key],
      pointer: toJsonPointer([...path, key]),
      code: issue.code,
      message: `${key} is not an AlertLevel; expected one of: ${AlertLevel.values.join(', ')}`,
    }));
  }
  const custom = issue.code === 'custom' ? issue.params?.code : undefined;
  return [
    {
      path,
      pointer: toJsonPointer(path),
      code: typeof custom === 'string' ? custom : issue.code,
      message: issue.message,
    },
  ];
};

/** The `Priority` enumeration: SLAs and the level → priority mapping. */
export interface PriorityEnum extends OrderedEnum<Priority, Priority | Lowercase<Priority>> {
  /** Response and escalation deadlines of a priority. */
  sla(priority: Priority): PrioritySla;
  /**
   * Zod schema of a tenant's override map: keys are levels, values priorities
   * (either case, output uppercase), and the merged mapping must keep the
   * levels' order (a less severe level never gets a more urgent priority;
   * issue code `priority_order`). Unknown keys are rejected.
   */
  readonly overridesSchema: z.ZodType<
    Partial<Record<AlertLevel, Priority>>,
    Partial<Record<AlertLevel, Priority | Lowercase<Priority>>>
  >;
  /**
   * The default mapping with a tenant's overrides applied.
   * @throws ValidationError (`ALERTBASE_VALIDATION_FAILED`) whose issues name each bad key or value.
   * @example
   * ```ts
   * Priority.levelMapping({ high: 'p1' }); // { critical: 'P1', high: 'P1', medium: 'P3', ... }
   * Priority.levelMapping({ info: 'P1' }); // throws: issue code 'priority_order' at /info
   * ```
   */
  levelMapping(overrides?: LevelPriorityOverrides): LevelPriorityMap;
  /**
   * The priority of a level, by the default mapping or a tenant's overrides.
   * @throws ValidationError for invalid overrides, UnknownValueError for an unknown level.
   */
  fromLevel(level: AlertLevel, overrides?: LevelPriorityOverrides): Priority;
}

/**
 * Urgency of an alert: a smart enumeration of `P1`..`P5`, ordered (`P1` ranks
 * highest). Input may be lowercase (`p2`, as the seed writes it); output is
 * always uppercase.
 *
 * @example
 * ```ts
 * Priority.parse('p2');                 // 'P2'
 * Priority.schema.parse('p2');          // 'P2'
 * Priority.is('p2');                    // false: not canonical
 * Priority.sla('P1').responseMs;        // 300000
 * Priority.fromLevel('critical');       // 'P1'
 * ```
 */
export const Priority: PriorityEnum = Object.freeze({
  ...PRIORITIES,
  sla: (priority: Priority) => PRIORITY_SLAS[PRIORITIES.parse(priority)],
  overridesSchema,
  levelMapping(overrides: LevelPriorityOverrides = {}): LevelPriorityMap {
    const result = overridesSchema.safeParse(overrides);
    if (!result.success) {
      throw new ValidationError('LevelPriorityOverrides', result.error.issues.flatMap(toIssues));
    }
    return merge(result.data);
  },
  fromLevel(level: AlertLevel, overrides?: LevelPriorityOverrides): Priority {
    const mapping =
      overrides === undefined ? DEFAULT_LEVEL_PRIORITIES : Priority.levelMapping(overrides);
    return mapping[AlertLevel.parse(level)];
  },
});
