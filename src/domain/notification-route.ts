/**
 * Where a routed alert goes: a route's receiver, its channels and its
 * grouping and timers, resolved from the tenant's routing tree (or a rule's
 * `channelIds`). The notification scheduler keeps one group per route and
 * group key, as Alertmanager keeps its aggregation groups.
 */
import { contentHash } from '../base/utils/canonical-json.js';
import type { Labels } from './matchers.js';
import { groupKey } from './routing.js';
import { ROUTE_DEFAULTS } from './routing-tree.js';

/** One route an alert takes: JSON, stored with the group it makes. */
export interface RouteTarget {
  /** Alertmanager's route key (`{}/{team="db"}`), or `rule:<id>`: the start of the group key. */
  readonly routeKey: string;
  /** Unique id of the route node (Alertmanager's route id), or `rule:<id>`. */
  readonly routeId: string;
  readonly receiver: string;
  /** The notification channels of the receiver, by id. */
  readonly channelIds: readonly string[];
  /** Labels to group by (empty with `groupByAll`). */
  readonly groupBy: readonly string[];
  /** Alertmanager's `group_by: ['...']`: every label groups. */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  /** Names of the time intervals in which the route does not notify. */
  readonly muteTimeIntervals: readonly string[];
  /** Names of the time intervals outside which the route does not notify (none: always). */
  readonly activeTimeIntervals: readonly string[];
}

/** An alert's group on a route. */
export interface RouteGroup {
  /** Row id of the group: a digest of the route key and the group key. */
  readonly id: string;
  /** Alertmanager's group key: `<route key>:<group labels>`. */
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
}

/**
 * The group of `labels` on `target`: Alertmanager's group key and labels
 * ({@link groupKey}), and the group's row id, a digest of the route id and
 * the group key.
 *
 * @example
 * ```ts
 * groupOf(target, { alertname: 'HighCPU', instance: 'a' }).groupKey; // '{}:{alertname="HighCPU"}'
 * ```
 */
export function groupOf(target: RouteTarget, labels: Labels): RouteGroup {
  const { key, groupLabels } = groupKey(target, labels);
  return {
    id: contentHash([target.routeId, target.receiver, key]).slice(0, 32),
    groupKey: key,
    groupLabels,
  };
}

/**
 * The route of a rule's `channelIds`: every channel of the rule, grouped by
 * `alertname`, with Alertmanager's default timers.
 */
export function ruleRoute(rule: {
  readonly id: string;
  readonly name: string;
  readonly channelIds: readonly string[];
}): RouteTarget {
  return {
    routeKey: `rule:${rule.id}`,
    routeId: `rule:${rule.id}`,
    receiver: `rule:${rule.name}`,
    channelIds: [...rule.channelIds],
    groupBy: ['alertname'],
    groupByAll: false,
    ...ROUTE_DEFAULTS,
    muteTimeIntervals: [],
    activeTimeIntervals: [],
  };
}

/** A rule's channels, as routing needs them. */
export interface RuleChannels {
  readonly id: string;
  readonly name: string;
  readonly channelIds: readonly string[];
}

/** A tenant's routing, compiled from its routing tree and its rules' channels. */
export interface TenantRouting {
  /** The routes an alert takes: its rule's channels first, then the tree's matches. */
  targets(labels: Labels, ruleId: string | null): RouteTarget[];
  /** Whether a route may not notify at `at` (its mute or active time intervals). */
  isMuted(target: RouteTarget, at: Date): boolean;
  /** Receivers an unacknowledged alert escalates to, in order. */
  readonly escalation: readonly string[];
  /** The channels of a receiver of the tree. */
  channelsOf(receiver: string): readonly string[];
}

/** Builds a tenant's routing from its tree document (if any) and its rules with channels. */
export type RoutingCompiler = (
  tree: unknown,
  rules: ReadonlyMap<string, RuleChannels>,
) => TenantRouting;
