/**
 * A tenant's routing, compiled: the routes of its rules' `channelIds`
 * (each rule a simple route, tried first, never stopping the tree) and the
 * matches of its routing tree.
 */
import type { Labels } from './matchers.js';
import {
  type RouteTarget,
  type RoutingCompiler,
  type RuleChannels,
  ruleRoute,
  type TenantRouting,
} from './notification-route.js';

/** Routes of a tenant's routing tree: its matches for labels, its intervals, its receivers. */
export interface TreeRouting {
  targets(labels: Labels): RouteTarget[];
  isMuted(target: RouteTarget, at: Date): boolean;
  readonly escalation: readonly string[];
  channelsOf(receiver: string): readonly string[];
}

/** Compiles a stored routing tree document (see {@link compileRouting}). */
export type TreeCompiler = (tree: unknown) => TreeRouting | undefined;

/**
 * The routing compiler over a tree compiler: rule routes first, then the
 * tree's. Without a tree, only rules route.
 *
 * @example
 * ```ts
 * const routing = compileRouting(compileTree)(treeDoc, rules);
 * routing.targets({ alertname: 'HighCPU' }, ruleId);
 * ```
 */
export function compileRouting(compileTree: TreeCompiler): RoutingCompiler {
  return (tree: unknown, rules: ReadonlyMap<string, RuleChannels>): TenantRouting => {
    const compiled = tree === undefined || tree === null ? undefined : compileTree(tree);
    const byRule = new Map<string, RouteTarget>();
    for (const [id, rule] of rules) byRule.set(id, ruleRoute(rule));
    return {
      targets(labels, ruleId) {
        const out: RouteTarget[] = [];
        const own = ruleId === null ? undefined : byRule.get(ruleId);
        if (own !== undefined) out.push(own);
        if (compiled !== undefined) out.push(...compiled.targets(labels));
        return out;
      },
      isMuted: (target, at) =>
        target.routeKey.startsWith('rule:') ? false : (compiled?.isMuted(target, at) ?? false),
      escalation: compiled?.escalation ?? [],
      channelsOf: (receiver) => compiled?.channelsOf(receiver) ?? [],
    };
  };
}
