/**
 * Level 2, semantic: business rules. Checks read fields by name (`startsAt`,
 * `endsAt`, `for`, `level`, `priority`, `status`, `condition`, `labels`,
 * `annotations`), so they apply to any model that has them and to documents
 * validated without a model; a check whose fields are absent passes.
 */

import { DURATIONS, LIMITS } from '../constants.js';
import { AlertLevel } from '../enums/alert-level.js';
import { ALERT_STATUS_TRANSITIONS, AlertStatus } from '../enums/alert-status.js';
import { DEFAULT_LEVEL_PRIORITIES, type LevelPriorityMap, Priority } from '../enums/priority.js';
import { parseGoTemplate } from '../prometheus/go-template.js';
import { type Check, type CheckContext, defineCheck } from './check.js';
import { analyzePromql, type PromqlAnalysis } from './promql-analysis.js';
import { durationMs, stringEntries, timeMs } from './shared.js';
import type { TemplateChecker } from './template.js';

/** Options of {@link semanticChecks}. */
export interface SemanticCheckOptions {
  /**
   * Checks annotation and label templates; default {@link parseGoTemplate}, the
   * Go `text/template` parser with Prometheus' functions (what the rule-file
   * import and `AlertRule` use). {@link checkTemplateBraces} checks structure only.
   */
  readonly templateChecker?: TemplateChecker;
  /** Longest `for`, ms; default `DURATIONS.maxRuleForMs` (24h). */
  readonly maxForMs?: number;
  /** Fields holding a PromQL expression; default `['condition', 'expr']`. */
  readonly conditionFields?: readonly string[];
}

/** A Prometheus label or annotation name. */
const NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The parsed PromQL of a field, shared between levels through `ctx.memo`.
 * @internal
 */
export function promqlOf(ctx: CheckContext, field: string): PromqlAnalysis | undefined {
  const expr = ctx.field(field);
  if (typeof expr !== 'string') return undefined;
  return ctx.memo(`promql:${field}`, () => analyzePromql(expr));
}

const priorityRank = (p: string): number => Priority.values.indexOf(p as Priority);

/** The priority a level should have under a tenant's overrides (defaults when the overrides are bad). */
function mappingOf(ctx: CheckContext): LevelPriorityMap {
  const overrides = ctx.tenant?.settings?.levelPriorities;
  if (overrides === undefined) return DEFAULT_LEVEL_PRIORITIES;
  try {
    return Priority.levelMapping(overrides);
  } catch {
    ctx.warn({
      code: 'invalid_level_priorities',
      message: "the tenant's level → priority overrides are invalid; the default mapping was used",
    });
    return DEFAULT_LEVEL_PRIORITIES;
  }
}

/** Statuses reachable from `from` in one action. */
function reachable(from: AlertStatus, previousStatus: unknown): AlertStatus[] {
  return Object.values(ALERT_STATUS_TRANSITIONS[from]).map((target) =>
    target === 'previous' ? (AlertStatus.is(previousStatus) ? previousStatus : 'firing') : target,
  );
}

/**
 * The semantic level's checks:
 * - `semantic.time-range`: `endsAt` after `startsAt` (`ends_before_starts`);
 * - `semantic.for-duration`: `for` neither negative (`for_negative`) nor above 24h (`for_too_long`);
 * - `semantic.level-priority`: the priority is within one step of the tenant's level → priority
 *   mapping; three steps or more is an error (`level_priority_mismatch`: critical with P4/P5
 *   unless the tenant maps it so), two a warning (`level_priority_unusual`);
 * - `semantic.status-transition`: a status change from `previous` follows the `AlertStatus`
 *   transition table (`invalid_status_transition`);
 * - `semantic.promql`: the condition is PromQL Prometheus accepts (`invalid_promql`,
 *   `promql_type_error`, `invalid_regex`, `invalid_duration`; with line and column);
 * - `semantic.label-names`: label and annotation names follow the Prometheus rule
 *   (`invalid_label_name`, `invalid_annotation_name`) and are not reserved `__` names
 *   (`reserved_label_name`, `reserved_annotation_name`);
 * - `semantic.templates`: annotation and label templates parse (`invalid_template`, with the
 *   line and column inside the value).
 *
 * @example
 * ```ts
 * createValidator({ checks: CheckSet.of([...syntaxChecks(), ...semanticChecks({ templateChecker })]) });
 * ```
 */
export function semanticChecks(options: SemanticCheckOptions = {}): Check[] {
  const templateChecker = options.templateChecker ?? parseGoTemplate;
  const maxForMs = options.maxForMs ?? DURATIONS.maxRuleForMs;
  const conditionFields = options.conditionFields ?? ['condition', 'expr'];
  // A custom checker or limit is a different rule set: bump the version the cache keys on.
  const version = (changed: boolean, extra = ''): string => (changed ? `1+${extra}` : '1');

  return [
    defineCheck({
      name: 'semantic.time-range',
      level: 'semantic',
      description: 'endsAt is after startsAt.',
      run(ctx) {
        const starts = timeMs(ctx.field('startsAt'));
        const ends = timeMs(ctx.field('endsAt'));
        if (starts !== undefined && ends !== undefined && ends <= starts) {
          ctx.error({
            code: 'ends_before_starts',
            path: ctx.pointer(['endsAt']),
            message: 'endsAt must be after startsAt',
          });
        }
      },
    }),
    defineCheck({
      name: 'semantic.for-duration',
      level: 'semantic',
      version: version(options.maxForMs !== undefined, String(maxForMs)),
      description: '`for` is neither negative nor longer than 24h.',
      run(ctx) {
        const ms = durationMs(ctx.field('for'));
        if (ms === undefined) return;
        if (ms < 0) {
          ctx.error({
            code: 'for_negative',
            path: ctx.pointer(['for']),
            message: '`for` cannot be negative',
          });
        } else if (ms > maxForMs) {
          ctx.error({
            code: 'for_too_long',
            path: ctx.pointer(['for']),
            message: `\`for\` is ${ms} ms; at most ${maxForMs} ms (24h) is allowed`,
          });
        }
      },
    }),
    defineCheck({
      name: 'semantic.level-priority',
      level: 'semantic',
      description: "The priority agrees with the tenant's level → priority mapping.",
      run(ctx) {
        const level = ctx.field('level');
        const raw = ctx.field('priority');
        if (!AlertLevel.is(level) || typeof raw !== 'string') return;
        const priority = raw.toUpperCase();
        if (!Priority.is(priority)) return;
        const expected = mappingOf(ctx)[level];
        const distance = Math.abs(priorityRank(priority) - priorityRank(expected));
        if (distance >= 3) {
          ctx.error({
            code: 'level_priority_mismatch',
            path: ctx.pointer(['priority']),
            message: `a ${level} alert cannot be ${priority}; the tenant's mapping gives ${expected}`,
          });
        } else if (distance === 2) {
          ctx.warn({
            code: 'level_priority_unusual',
            path: ctx.pointer(['priority']),
            message: `a ${level} alert is usually ${expected}, not ${priority}`,
          });
        }
      },
    }),
    defineCheck({
      name: 'semantic.status-transition',
      level: 'semantic',
      description: 'A status change follows the AlertStatus transition table.',
      run(ctx) {
        const before = ctx.previous?.status;
        const after = ctx.field('status');
        if (!AlertStatus.is(before) || !AlertStatus.is(after) || before === after) return;
        const targets = reachable(before, ctx.previous?.previousStatus);
        if (!targets.includes(after)) {
          ctx.error({
            code: 'invalid_status_transition',
            path: ctx.pointer(['status']),
            message: `an alert cannot go from ${before} to ${after}; allowed: ${AlertStatus.allowedActions(before).join(', ')}`,
          });
        }
      },
    }),
    defineCheck({
      name: 'semantic.promql',
      level: 'semantic',
      version: version(options.conditionFields !== undefined, conditionFields.join(',')),
      description: 'The condition parses as PromQL.',
      run(ctx) {
        for (const field of conditionFields) {
          const analysis = promqlOf(ctx, field);
          if (analysis?.error === undefined) continue;
          ctx.error({
            code: analysis.error.code,
            path: ctx.pointer([field]),
            message: analysis.error.message,
            line: analysis.error.line,
            column: analysis.error.column,
          });
        }
      },
    }),
    defineCheck({
      name: 'semantic.label-names',
      level: 'semantic',
      description: 'Label and annotation names are valid and not reserved.',
      run(ctx) {
        for (const [field, kind, max] of [
          ['labels', 'label', LIMITS.labelNameMaxLength],
          ['annotations', 'annotation', LIMITS.annotationNameMaxLength],
        ] as const) {
          for (const [name] of stringEntries(ctx.field(field))) {
            const path = ctx.pointer([field, name]);
            if (!NAME_PATTERN.test(name) || name.length > max) {
              ctx.error({
                code: `invalid_${kind}_name`,
                path,
                message: `${JSON.stringify(name)} is not a valid ${kind} name (${NAME_PATTERN.source}, at most ${max} characters)`,
              });
            } else if (name.startsWith('__')) {
              ctx.error({
                code: `reserved_${kind}_name`,
                path,
                message: `${kind} names starting with "__" are reserved`,
              });
            }
          }
        }
      },
    }),
    defineCheck({
      name: 'semantic.templates',
      level: 'semantic',
      version: version(options.templateChecker !== undefined, templateChecker.name),
      description: 'Annotation and label templates parse as Go text/template.',
      run(ctx) {
        for (const field of ['annotations', 'labels'] as const) {
          for (const [name, text] of stringEntries(ctx.field(field))) {
            // Text without an action is a valid template; skip the checker for it.
            if (!text.includes('{{')) continue;
            const checked = templateChecker(text);
            if (checked.ok) continue;
            ctx.error({
              code: 'invalid_template',
              path: ctx.pointer([field, name]),
              message: checked.message,
              ...(checked.line === undefined ? {} : { line: checked.line }),
              ...(checked.column === undefined ? {} : { column: checked.column }),
            });
          }
        }
      },
    }),
  ];
}
