/**
 * The validation levels for routing trees, beyond what the model itself
 * refuses (syntax: unknown receivers and time intervals, bad matchers,
 * budgets):
 *
 * - `semantic.routing-reachability`: a route that can never match
 *   (`unreachable_route`, a warning): an earlier sibling without matchers
 *   or with the same matchers takes every alert and does not `continue`, or
 *   its matchers (with its ancestors') contradict each other;
 * - `semantic.routing-receivers`: a receiver without channels notifies
 *   nobody (`receiver_without_channels`, a warning); a receiver no route and
 *   no escalation step names (`unused_receiver`, an info);
 * - `semantic.routing-timers`: `repeat_interval` shorter than
 *   `group_interval` (`repeat_before_group_interval`, a warning: a group is
 *   never re-sent sooner than its next `group_interval` flush);
 * - `consistency.routing-channels`: each receiver's channel ids exist in the
 *   tree's tenant (`unknown_reference`).
 *
 * Checks run on a validated `RoutingTree` only (after the syntax level).
 */
import { LIMITS } from '../base/constants.js';
import type { Check, CheckContext } from '../base/validators/check.js';
import { defineCheck } from '../base/validators/check.js';
import {
  createValidator,
  type DefaultCheckOptions,
  defaultChecks,
  type Validator,
  type ValidatorOptions,
} from '../base/validators/pipeline.js';
import { compileMatcher, type Matcher, parseMatcher } from './matchers.js';
import { listRoutes, type MatchedRoute } from './routing.js';
import { type Route, RoutingTree, walkRoutes } from './routing-tree.js';

const treeOf = (ctx: CheckContext): RoutingTree | undefined =>
  RoutingTree.is(ctx.data) ? (ctx.data as RoutingTree) : undefined;

/** Do these matchers (all of which an alert must pass) contradict each other? */
function contradicts(matchers: readonly Matcher[]): string | undefined {
  const equal = new Map<string, string>();
  for (const m of matchers) {
    if (m.isEqual && !m.isRegex) {
      const before = equal.get(m.name);
      if (before !== undefined && before !== m.value) {
        return `${m.name} cannot equal both ${JSON.stringify(before)} and ${JSON.stringify(m.value)}`;
      }
      equal.set(m.name, m.value);
    }
  }
  for (const m of matchers) {
    const value = equal.get(m.name);
    if (value === undefined) continue;
    if (!compileMatcher(m).matches(value)) {
      return `${m.name} must equal ${JSON.stringify(value)}, which ${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}${JSON.stringify(m.value)} refuses`;
    }
  }
  return undefined;
}

const sameMatchers = (a: Route, b: Route): boolean =>
  a.matchers.length === b.matchers.length &&
  [...a.matchers].sort().join('\n') === [...b.matchers].sort().join('\n');

function reachability(ctx: CheckContext, tree: RoutingTree): void {
  const pointer = (path: readonly (string | number)[]) => ctx.pointer(path);
  // Matchers of each route with its ancestors', by path.
  const inherited = new Map<string, Matcher[]>();
  walkRoutes(tree.route, (route, path) => {
    const parentKey = path.slice(0, -2).join('/');
    const own = [...(inherited.get(parentKey) ?? []), ...route.matchers.map(parseMatcher)];
    inherited.set(path.join('/'), own);
    const why = contradicts(own);
    if (why !== undefined) {
      ctx.warn({
        code: 'unreachable_route',
        path: pointer(path),
        message: `this route can never match: ${why}`,
      });
    }
    route.routes.forEach((child, i) => {
      const earlier = route.routes
        .slice(0, i)
        .findIndex((e) => !e.continue && (e.matchers.length === 0 || sameMatchers(e, child)));
      if (earlier === -1) return;
      ctx.warn({
        code: 'unreachable_route',
        path: pointer([...path, 'routes', i]),
        message: `this route can never match: routes/${earlier} before it takes every alert it would (and has no continue)`,
      });
    });
  });
}

function receiversUsage(
  ctx: CheckContext,
  tree: RoutingTree,
  routes: readonly MatchedRoute[],
): void {
  const used = new Set([...routes.map((r) => r.receiver), ...tree.escalation]);
  tree.receivers.forEach((receiver, i) => {
    if (receiver.channels.length === 0) {
      ctx.warn({
        code: 'receiver_without_channels',
        path: ctx.pointer(['receivers', i, 'channels']),
        message: `receiver ${JSON.stringify(receiver.name)} has no channels: alerts routed to it notify nobody`,
      });
    }
    if (!used.has(receiver.name)) {
      ctx.info({
        code: 'unused_receiver',
        path: ctx.pointer(['receivers', i, 'name']),
        message: `no route or escalation step uses receiver ${JSON.stringify(receiver.name)}`,
      });
    }
  });
}

/**
 * The checks of a routing tree for the semantic and consistency levels (see
 * the module's description). Add them to a check set, or use
 * {@link createRoutingTreeValidator}.
 *
 * @example
 * ```ts
 * createValidator({ model: RoutingTree, checks: defaultChecks().add(...routingTreeChecks()) });
 * ```
 */
export function routingTreeChecks(): Check[] {
  return [
    defineCheck({
      name: 'semantic.routing-reachability',
      level: 'semantic',
      description: 'Every route of a routing tree can match some alert.',
      run(ctx) {
        const tree = treeOf(ctx);
        if (tree !== undefined) reachability(ctx, tree);
      },
    }),
    defineCheck({
      name: 'semantic.routing-receivers',
      level: 'semantic',
      description: 'Receivers have channels and are used.',
      run(ctx) {
        const tree = treeOf(ctx);
        if (tree !== undefined) receiversUsage(ctx, tree, listRoutes(tree));
      },
    }),
    defineCheck({
      name: 'semantic.routing-timers',
      level: 'semantic',
      description: 'repeat_interval is not shorter than group_interval.',
      run(ctx) {
        const tree = treeOf(ctx);
        if (tree === undefined) return;
        for (const route of listRoutes(tree)) {
          if (route.repeatIntervalMs >= route.groupIntervalMs) continue;
          ctx.warn({
            code: 'repeat_before_group_interval',
            path: `${route.pointer}`,
            message: `repeat_interval (${route.repeatIntervalMs} ms) is shorter than group_interval (${route.groupIntervalMs} ms): groups are re-sent only at group_interval`,
          });
        }
      },
    }),
    defineCheck({
      name: 'consistency.routing-channels',
      level: 'consistency',
      description: "Receivers' channels exist in the tree's tenant.",
      async run(ctx) {
        const tree = treeOf(ctx);
        if (tree === undefined) return;
        const ids = [...new Set(tree.receivers.flatMap((r) => r.channels))];
        if (ids.length === 0) return;
        const find = ctx.lookup?.findEntities;
        if (find === undefined) {
          ctx.info({
            code: 'consistency_skipped',
            message: `${ctx.check} was skipped: no lookup can find entities`,
          });
          ctx.result.markSkipped('consistency');
          return;
        }
        const found = await find.call(ctx.lookup, 'NotificationChannel', ids);
        const owned = new Set(found.filter((e) => e.tenantId === tree.tenantId).map((e) => e.id));
        tree.receivers.forEach((receiver, i) => {
          receiver.channels.forEach((id, j) => {
            if (owned.has(id)) return;
            ctx.error({
              code: 'unknown_reference',
              path: ctx.pointer(['receivers', i, 'channels', j]),
              message: `no NotificationChannel ${JSON.stringify(id)} in tenant ${tree.tenantId}`,
            });
          });
        });
      },
    }),
  ];
}

/** Options of {@link createRoutingTreeValidator}: the pipeline's, without the model and checks. */
export type RoutingTreeValidatorOptions = Omit<
  ValidatorOptions,
  'model' | 'checks' | 'checkOptions'
> & {
  readonly checkOptions?: DefaultCheckOptions;
};

/**
 * A validation pipeline for routing trees: the five levels with the default
 * checks and {@link routingTreeChecks}.
 *
 * @example
 * ```ts
 * const result = await createRoutingTreeValidator().validate(body, { tenant, lookup });
 * ```
 */
export function createRoutingTreeValidator(options: RoutingTreeValidatorOptions = {}): Validator {
  const { checkOptions = {}, ...rest } = options;
  // A tree as deep as the model allows is nested 2 * maxRouteDepth + 1
  // levels: the document depth check allows that much unless told otherwise.
  const performance = {
    ...checkOptions.performance,
    limits: { maxDepth: ROUTE_DOCUMENT_DEPTH, ...checkOptions.performance?.limits },
  };
  return createValidator({
    ...rest,
    model: RoutingTree,
    checks: defaultChecks({ ...checkOptions, performance }).add(...routingTreeChecks()),
  });
}

/** How deep a routing tree document of `LIMITS.maxRouteDepth` routes is nested (with matchers). */
const ROUTE_DOCUMENT_DEPTH = 2 * LIMITS.maxRouteDepth + 2;
