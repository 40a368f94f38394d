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
import { matchRoutes, routeTimeState } from './routing.js';
import { RoutingTree } from './routing-tree.js';

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

const compiledTrees = new Map<string, TreeRouting>();
const MAX_COMPILED_TREES = 256;

/**
 * The routing of a stored routing tree document (`RoutingTree`): its route
 * matches as targets with their receivers' channels, its time intervals, its
 * escalation policy. Compiled trees are kept by content (a pass reads the
 * document again; parsing it again each time would cost more than routing).
 * A document that no longer parses routes nothing (and says so by throwing:
 * the pass fails and is retried, never silently drops notifications).
 */
export function compileTree(doc: unknown): TreeRouting {
  const text = JSON.stringify(doc);
  const known = compiledTrees.get(text);
  if (known !== undefined) return known;
  const tree = RoutingTree.parse(doc);
  const channels = new Map(tree.receivers.map((r) => [r.name, r.channels]));
  const routing: TreeRouting = {
    targets: (labels) =>
      matchRoutes(tree, labels).map((m) => ({
        routeKey: m.routeKey,
        routeId: m.routeId,
        receiver: m.receiver,
        channelIds: channels.get(m.receiver) ?? [],
        groupBy: m.groupBy,
        groupByAll: m.groupByAll,
        groupWaitMs: m.groupWaitMs,
        groupIntervalMs: m.groupIntervalMs,
        repeatIntervalMs: m.repeatIntervalMs,
        muteTimeIntervals: m.muteTimeIntervals,
        activeTimeIntervals: m.activeTimeIntervals,
      })),
    isMuted: (target, at) => !routeTimeState(tree, target, at).notify,
    escalation: tree.escalation,
    channelsOf: (receiver) => channels.get(receiver) ?? [],
  };
  if (compiledTrees.size >= MAX_COMPILED_TREES) compiledTrees.clear();
  compiledTrees.set(text, routing);
  return routing;
}
