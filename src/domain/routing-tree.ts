/**
 * A tenant's routing tree in Alertmanager 0.25's `route` format: which
 * receiver (a named list of notification channels) gets an alert, grouped by
 * which labels, on which timers, muted or active in which time intervals.
 *
 * Route nodes keep Alertmanager's own field names (`group_by`,
 * `repeat_interval`, `continue`, ...) so a tree reads as an Alertmanager
 * configuration does. Matchers are Alertmanager matcher strings
 * (`severity=~"crit.*"`); the legacy `match` and `match_re` maps are accepted
 * and converted to them. Matching itself lives in `routing.ts`.
 */
import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { AuditMixin, TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { DurationMs, Id } from '../base/types/fields.js';
import { defineModel, type InstanceOf, type RefineContext } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';
import { formatMatcher, MatcherSyntaxError, parseMatchers, regexError } from './matchers.js';
import { NamedTimeInterval } from './time-interval.js';

/** `group_by: ['...']`: group by every label of the alert. */
export const GROUP_BY_ALL = '...';

/** Alertmanager's timers of the root route when the tree does not set them, in ms. */
export const ROUTE_DEFAULTS = Object.freeze({
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 60 * 60_000,
});

/** A label name as Alertmanager 0.25 accepts it in `group_by` and `match` (`model.LabelName`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A route node as validated: Alertmanager's field names, durations in milliseconds. */
export interface Route {
  /** The receiver's name; absent on a child: the parent's. */
  readonly receiver?: string | undefined;
  /** Matchers in Alertmanager's text form, one per entry (legacy `match`/`match_re` converted). */
  readonly matchers: readonly string[];
  /** Label names, or `['...']` for every label; absent on a child: the parent's. */
  readonly group_by?: readonly string[] | undefined;
  readonly group_wait?: number | undefined;
  readonly group_interval?: number | undefined;
  readonly repeat_interval?: number | undefined;
  /** After this route matches, go on to its next siblings. */
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** Names of time intervals in which this route does not notify (not inherited, as Alertmanager). */
  readonly mute_time_intervals: readonly string[];
  /** Names of time intervals outside which this route does not notify (not inherited). */
  readonly active_time_intervals: readonly string[];
}

/** A route node as accepted (Alertmanager's YAML, or a stored tree). */
export interface RouteInput {
  receiver?: string | undefined;
  matchers?: readonly string[] | undefined;
  /** Legacy: label → value, converted to `name="value"` matchers. */
  match?: Readonly<Record<string, string>> | undefined;
  /** Legacy: label → regular expression, converted to `name=~"re"` matchers. */
  match_re?: Readonly<Record<string, string>> | undefined;
  group_by?: readonly string[] | undefined;
  group_wait?: string | number | undefined;
  group_interval?: string | number | undefined;
  repeat_interval?: string | number | undefined;
  continue?: boolean | undefined;
  routes?: readonly RouteInput[] | undefined;
  mute_time_intervals?: readonly string[] | undefined;
  active_time_intervals?: readonly string[] | undefined;
}

const Name = z.string().min(1).max(LIMITS.nameMaxLength);

const issue = (ctx: z.RefinementCtx, path: (string | number)[], code: string, message: string) =>
  ctx.addIssue({ code: 'custom', path, message, params: { code } });

/** Matcher strings: each entry may hold several, comma-separated (as Alertmanager reads them). */
const MatcherList = z
  .array(z.string().max(LIMITS.labelValueMaxLength * 2))
  .max(LIMITS.maxSilenceMatchers)
  .transform((lines, ctx) => {
    const out: string[] = [];
    lines.forEach((line, i) => {
      try {
        for (const m of parseMatchers(line)) out.push(formatMatcher(m));
      } catch (err) {
        const why = err instanceof MatcherSyntaxError ? err.message : String(err);
        issue(ctx, [i], 'invalid_matcher', `bad matcher ${JSON.stringify(line)}: ${why}`);
      }
    });
    return out;
  });

const LegacyMatch = z.record(
  z.string().max(LIMITS.labelNameMaxLength),
  z.string().max(LIMITS.labelValueMaxLength),
);

const GroupBy = z
  .array(z.string().max(LIMITS.labelNameMaxLength))
  .max(LIMITS.maxLabels)
  .superRefine((names, ctx) => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (name === GROUP_BY_ALL) {
        if (names.length > 1) {
          issue(
            ctx,
            [i],
            'invalid_group_by',
            "'...' groups by every label and must be the only entry of group_by",
          );
        }
      } else if (!LABEL_NAME.test(name)) {
        issue(ctx, [i], 'invalid_group_by', `${JSON.stringify(name)} is not a valid label name`);
      }
      if (seen.has(name))
        issue(
          ctx,
          [i],
          'duplicate_group_by',
          `duplicated label ${JSON.stringify(name)} in group_by`,
        );
      seen.add(name);
    });
  });

const Interval = DurationMs.refine((ms) => ms > 0, {
  message: 'must be greater than zero',
  params: { code: 'interval_not_positive' },
});

const RouteObject = z.strictObject({
  // An empty receiver means the parent's, as in Alertmanager.
  receiver: z.string().max(LIMITS.nameMaxLength).optional(),
  matchers: MatcherList.optional(),
  match: LegacyMatch.optional(),
  match_re: LegacyMatch.optional(),
  group_by: GroupBy.optional(),
  group_wait: DurationMs.optional(),
  group_interval: Interval.optional(),
  repeat_interval: Interval.optional(),
  continue: z.boolean().optional(),
  get routes() {
    return z.array(z.lazy((): z.ZodType<Route, RouteInput> => RouteNode)).optional();
  },
  mute_time_intervals: z.array(Name).max(LIMITS.maxSilenceMatchers).optional(),
  active_time_intervals: z.array(Name).max(LIMITS.maxSilenceMatchers).optional(),
});

/**
 * One route node. Legacy `match` / `match_re` are checked as Alertmanager
 * checks them (label names, RE2 expressions) and become matchers, before
 * the node's own `matchers`.
 */
export const RouteNode: z.ZodType<Route, RouteInput> = RouteObject.transform((raw, ctx): Route => {
  const legacy: string[] = [];
  for (const [field, isRegex] of [
    ['match', false],
    ['match_re', true],
  ] as const) {
    for (const [name, value] of Object.entries(raw[field] ?? {})) {
      if (!LABEL_NAME.test(name)) {
        issue(
          ctx,
          [field, name],
          'invalid_matcher',
          `${JSON.stringify(name)} is not a valid label name`,
        );
        continue;
      }
      const error = isRegex ? regexError(value) : undefined;
      if (error !== undefined) {
        issue(ctx, [field, name], 'invalid_matcher', `invalid regular expression: ${error}`);
        continue;
      }
      legacy.push(formatMatcher({ name, value, isRegex, isEqual: true }));
    }
  }
  return {
    ...(raw.receiver === undefined || raw.receiver === '' ? {} : { receiver: raw.receiver }),
    matchers: [...legacy, ...(raw.matchers ?? [])],
    ...(raw.group_by === undefined ? {} : { group_by: raw.group_by }),
    ...(raw.group_wait === undefined ? {} : { group_wait: raw.group_wait }),
    ...(raw.group_interval === undefined ? {} : { group_interval: raw.group_interval }),
    ...(raw.repeat_interval === undefined ? {} : { repeat_interval: raw.repeat_interval }),
    continue: raw.continue ?? false,
    routes: raw.routes ?? [],
    mute_time_intervals: raw.mute_time_intervals ?? [],
    active_time_intervals: raw.active_time_intervals ?? [],
  };
});

/** The size of a route tree given as raw input, measured without recursion, up to the budget. */
export interface RouteTreeSize {
  /** Nodes counted (at most `LIMITS.maxRoutes + 1`). */
  readonly nodes: number;
  /** Deepest level reached (at most `LIMITS.maxRouteDepth + 1`); the root is 1. */
  readonly depth: number;
}

/**
 * Measures a raw route tree (anything: JSON from a request, YAML) with an
 * explicit stack, stopping as soon as it exceeds `LIMITS.maxRoutes` nodes or
 * `LIMITS.maxRouteDepth` levels, so a hostile tree costs at most the budget.
 */
export function measureRouteTree(raw: unknown): RouteTreeSize {
  let nodes = 0;
  let depth = 0;
  const stack: [unknown, number][] = [[raw, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, level] = item;
    nodes++;
    if (level > depth) depth = level;
    if (nodes > LIMITS.maxRoutes || depth > LIMITS.maxRouteDepth) break;
    const children: unknown =
      typeof node === 'object' && node !== null ? (node as { routes?: unknown }).routes : undefined;
    if (!Array.isArray(children)) continue;
    const list: readonly unknown[] = children;
    for (let i = 0; i < list.length && i <= LIMITS.maxRoutes; i++) {
      stack.push([list[i], level + 1]);
    }
  }
  return { nodes, depth };
}

/** The root route: the budget first (before any recursive parse), then the node, then the defaults. */
const RootRoute = z
  .preprocess((raw, ctx) => {
    const size = measureRouteTree(raw);
    if (size.nodes > LIMITS.maxRoutes) {
      issue(
        ctx,
        [],
        'route_tree_too_large',
        `the routing tree has more than ${LIMITS.maxRoutes} routes`,
      );
    } else if (size.depth > LIMITS.maxRouteDepth) {
      issue(
        ctx,
        [],
        'route_tree_too_deep',
        `the routing tree is nested more than ${LIMITS.maxRouteDepth} levels deep`,
      );
    }
    return raw;
  }, RouteNode)
  .transform(
    (root): Route => ({
      ...root,
      group_by: root.group_by ?? [],
      group_wait: root.group_wait ?? ROUTE_DEFAULTS.groupWaitMs,
      group_interval: root.group_interval ?? ROUTE_DEFAULTS.groupIntervalMs,
      repeat_interval: root.repeat_interval ?? ROUTE_DEFAULTS.repeatIntervalMs,
    }),
  );

/** A receiver: a name that routes use, and the notification channels (by id) it notifies. */
export const Receiver = z.strictObject({
  name: Name,
  channels: z
    .array(Id)
    .max(LIMITS.maxChannelsPerRule)
    .refine((ids) => new Set(ids).size === ids.length, {
      message: 'channel ids must be unique',
      params: { code: 'duplicate_channel' },
    })
    .default([]),
});

/** A validated receiver. */
export type Receiver = z.output<typeof Receiver>;

/** Visits every route with its path (as in the document) without recursion. */
export function walkRoutes(
  root: Route,
  visit: (route: Route, path: readonly (string | number)[], depth: number) => void,
): void {
  const stack: [Route, (string | number)[], number][] = [[root, ['route'], 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [route, path, depth] = item;
    visit(route, path, depth);
    const children = [...route.routes.entries()].reverse();
    for (const [i, child] of children) stack.push([child, [...path, 'routes', i], depth + 1]);
  }
}

/** Reports names that occur twice in a list, at the second occurrence. */
function duplicates(
  list: readonly { readonly name: string }[],
  field: string,
  code: string,
  what: string,
  ctx: RefineContext,
): Set<string> {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (seen.has(entry.name)) {
      ctx.addIssue({
        path: [field, i, 'name'],
        code,
        message: `${what} ${JSON.stringify(entry.name)} is not unique`,
      });
    }
    seen.add(entry.name);
  });
  return seen;
}

/**
 * A tenant's routing tree: the root `route`, the `receivers` its routes
 * name, the `time_intervals` they mute or activate on, and an optional
 * escalation policy (receiver names, in order).
 */
export const RoutingTree = defineModel('RoutingTree', {
  description:
    "Routes a tenant's alerts to receivers, grouped and timed as Alertmanager's route tree.",
  mixins: [TimestampMixin, TenantMixin, VersionedMixin, AuditMixin],
  fields: {
    id: Id.default(() => newId()),
    route: RootRoute,
    receivers: z.array(Receiver).min(1).max(LIMITS.maxReceivers),
    timeIntervals: z.array(NamedTimeInterval).max(LIMITS.maxReceivers).default([]),
    /**
     * Escalation policy: receivers notified one after the other while an
     * alert stays unacknowledged, one step each time its priority's
     * `escalationMs` passes (see `escalationStep` in `routing.ts`).
     */
    escalation: z.array(Name).max(LIMITS.maxEscalationSteps).default([]),
  },
  immutable: ['id'],
  refine: (tree, ctx) => {
    const receivers = duplicates(
      tree.receivers,
      'receivers',
      'duplicate_receiver',
      'receiver',
      ctx,
    );
    const intervals = duplicates(
      tree.timeIntervals,
      'timeIntervals',
      'duplicate_time_interval',
      'time interval',
      ctx,
    );
    const root = tree.route;
    if (root.receiver === undefined) {
      ctx.addIssue({
        path: ['route', 'receiver'],
        code: 'root_receiver_required',
        message: 'the root route must have a receiver',
      });
    }
    if (root.matchers.length > 0) {
      ctx.addIssue({
        path: ['route', 'matchers'],
        code: 'root_matchers',
        message: 'the root route must not have matchers: it receives every alert',
      });
    }
    if (root.continue) {
      ctx.addIssue({
        path: ['route', 'continue'],
        code: 'root_continue',
        message: 'the root route cannot have continue: it has no siblings',
      });
    }
    for (const field of ['mute_time_intervals', 'active_time_intervals'] as const) {
      if (root[field].length > 0) {
        ctx.addIssue({
          path: ['route', field],
          code: 'root_time_intervals',
          message: `the root route must not have ${field}`,
        });
      }
    }
    walkRoutes(root, (route, path) => {
      if (route.receiver !== undefined && !receivers.has(route.receiver)) {
        ctx.addIssue({
          path: [...path, 'receiver'],
          code: 'unknown_receiver',
          message: `undefined receiver ${JSON.stringify(route.receiver)} used in route`,
        });
      }
      for (const field of ['mute_time_intervals', 'active_time_intervals'] as const) {
        route[field].forEach((name, i) => {
          if (intervals.has(name)) return;
          ctx.addIssue({
            path: [...path, field, i],
            code: 'unknown_time_interval',
            message: `undefined time interval ${JSON.stringify(name)} used in route`,
          });
        });
      }
    });
    tree.escalation.forEach((name, i) => {
      if (receivers.has(name)) return;
      ctx.addIssue({
        path: ['escalation', i],
        code: 'unknown_receiver',
        message: `undefined receiver ${JSON.stringify(name)} used in escalation`,
      });
    });
  },
  examples: [
    {
      tenantId: 'acme',
      route: {
        receiver: 'team-ops',
        group_by: ['alertname', 'cluster'],
        group_wait: '30s',
        routes: [
          {
            matchers: ['severity="critical"'],
            receiver: 'pager',
            group_wait: '10s',
            continue: true,
          },
          {
            matchers: ['team=~"db|storage"'],
            receiver: 'team-db',
            mute_time_intervals: ['weekends'],
          },
        ],
      },
      receivers: [
        { name: 'team-ops', channels: ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10'] },
        { name: 'pager', channels: ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d11'] },
        { name: 'team-db', channels: ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d12'] },
      ],
      timeIntervals: [
        {
          name: 'weekends',
          time_intervals: [{ weekdays: ['saturday', 'sunday'], location: 'Europe/Berlin' }],
        },
      ],
      escalation: ['team-ops', 'pager'],
    },
  ],
});

/** A validated routing tree. */
export type RoutingTree = InstanceOf<typeof RoutingTree>;
