/**
 * Matching alerts against a routing tree, with Alertmanager 0.25's semantics
 * (`dispatch/route.go`, `dispatch/dispatch.go`):
 *
 * - A route matches when its matchers all match (an absent label is `""`).
 *   Its children are tried in order, depth first; the first child that
 *   matches ends the search unless it has `continue: true`. A matching route
 *   none of whose children match is itself the result (so the root, which
 *   matches everything, is the default route).
 * - A child inherits its parent's receiver, `group_by` and timers unless it
 *   sets its own; it never inherits mute or active time intervals.
 * - A route's key is its parent's key, `/`, and its matchers sorted by name,
 *   value and operator (`{}/{severity="critical"}`); its id adds its index
 *   among its siblings. A group's key is the route's key, `:`, and the
 *   alert's grouping labels (`{}/{severity="critical"}:{alertname="Disk"}`).
 */
import { Priority } from '../base/enums/priority.js';
import {
  type CompiledMatcher,
  compileMatcher,
  formatMatcher,
  type Labels,
  labelValue,
  type Matcher,
  parseMatcher,
} from './matchers.js';
import { GROUP_BY_ALL, ROUTE_DEFAULTS, type Route, type RoutingTree } from './routing-tree.js';
import { isActive, type TimeIntervalSpec } from './time-interval.js';

/** A route an alert matched, with everything inherited resolved. */
export interface MatchedRoute {
  /** Alertmanager's route key: the matchers of every route from the root (`{}/{team="db"}`). Not unique. */
  readonly routeKey: string;
  /** Alertmanager's route id: the key and the route's index among its siblings (`{}/{team="db"}/1`). Unique. */
  readonly routeId: string;
  /** Child indexes from the root (`[]` for the root, `[1, 0]` for the first child of the second child). */
  readonly path: readonly number[];
  /** JSON pointer of the route in the tree's document (`/route/routes/1/routes/0`). */
  readonly pointer: string;
  readonly receiver: string;
  /** Label names to group by (empty with `groupByAll`). */
  readonly groupBy: readonly string[];
  /** `group_by: ['...']`: every label of the alert groups. */
  readonly groupByAll: boolean;
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly continue: boolean;
}

/** A route with its matchers compiled and its options resolved. */
interface CompiledRoute {
  readonly matchers: readonly CompiledMatcher[];
  readonly matched: MatchedRoute;
  readonly children: readonly CompiledRoute[];
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Compares strings by code point, which is the byte order of their UTF-8 (Go's string order). */
function compareCodePoints(a: string, b: string): number {
  // Without surrogates, UTF-16 order is code point order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Alertmanager's operator order: `=`, `!=`, `=~`, `!~`. */
const typeRank = (m: Matcher): number => (m.isRegex ? 2 : 0) + (m.isEqual ? 0 : 1);

/** Matchers sorted as Alertmanager's `labels.Matchers` sorts them: name, value, operator. */
function sortMatchers(matchers: Matcher[]): Matcher[] {
  return matchers.sort(
    (a, b) =>
      compareCodePoints(a.name, b.name) ||
      compareCodePoints(a.value, b.value) ||
      typeRank(a) - typeRank(b),
  );
}

const compiledTrees = new WeakMap<Route, CompiledRoute>();

function compileRoute(
  route: Route,
  parent: MatchedRoute | undefined,
  index: number,
  path: number[],
): CompiledRoute {
  const matchers = sortMatchers(route.matchers.map(parseMatcher));
  const own = `{${matchers.map(formatMatcher).join(',')}}`;
  const routeKey = parent === undefined ? own : `${parent.routeKey}/${own}`;
  const groupByAll =
    route.group_by === undefined
      ? (parent?.groupByAll ?? false)
      : route.group_by.includes(GROUP_BY_ALL);
  const matched: MatchedRoute = {
    routeKey,
    routeId: parent === undefined ? routeKey : `${routeKey}/${index}`,
    path: Object.freeze([...path]),
    pointer: `/route${path.map((i) => `/routes/${i}`).join('')}`,
    receiver: route.receiver ?? parent?.receiver ?? '',
    groupBy:
      route.group_by === undefined
        ? (parent?.groupBy ?? [])
        : route.group_by.filter((n) => n !== GROUP_BY_ALL),
    groupByAll,
    groupWaitMs: route.group_wait ?? parent?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs,
    groupIntervalMs:
      route.group_interval ?? parent?.groupIntervalMs ?? ROUTE_DEFAULTS.groupIntervalMs,
    repeatIntervalMs:
      route.repeat_interval ?? parent?.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs,
    muteTimeIntervals: route.mute_time_intervals,
    activeTimeIntervals: route.active_time_intervals,
    continue: route.continue,
  };
  return {
    matchers: matchers.map(compileMatcher),
    matched: Object.freeze(matched),
    children: route.routes.map((child, i) => compileRoute(child, matched, i, [...path, i])),
  };
}

/** The compiled form of a tree's root route (built once per validated tree). */
function compiled(tree: Pick<RoutingTree, 'route'>): CompiledRoute {
  let root = compiledTrees.get(tree.route);
  if (root === undefined) {
    root = compileRoute(tree.route, undefined, 0, []);
    compiledTrees.set(tree.route, root);
  }
  return root;
}

function matchNode(node: CompiledRoute, labels: Labels, out: MatchedRoute[]): boolean {
  for (const m of node.matchers) if (!m.matches(labelValue(labels, m.name))) return false;
  const before = out.length;
  for (const child of node.children) {
    if (matchNode(child, labels, out) && !child.matched.continue) break;
  }
  if (out.length === before) out.push(node.matched);
  return true;
}

/**
 * The routes an alert with these labels goes to, in Alertmanager's order
 * (the receivers `amtool config routes test` prints).
 *
 * @example
 * ```ts
 * matchRoutes(tree, { alertname: 'DiskFull', severity: 'critical' }).map((r) => r.receiver); // ['pager', 'team-ops']
 * ```
 */
export function matchRoutes(tree: Pick<RoutingTree, 'route'>, labels: Labels): MatchedRoute[] {
  const out: MatchedRoute[] = [];
  matchNode(compiled(tree), labels, out);
  return out;
}

/** Every route of the tree, resolved, in depth-first order (for listing and checks). */
export function listRoutes(tree: Pick<RoutingTree, 'route'>): MatchedRoute[] {
  const out: MatchedRoute[] = [];
  const stack = [compiled(tree)];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    out.push(node.matched);
    stack.push(...[...node.children].reverse());
  }
  return out;
}

/** Is a code point one Go's `strconv.IsPrint` keeps as it is? */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** A string quoted as Go's `%q` quotes it (`strconv.Quote`). */
export function goQuote(text: string): string {
  let out = '"';
  for (const c of text) {
    const cp = c.codePointAt(0) ?? 0;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c === '\u0007') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\v') out += '\\v';
    else if (PRINTABLE.test(c)) out += c;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** An alert's aggregation group on a route. */
export interface GroupKey {
  /** Alertmanager's group key: `<route key>:{name="value", ...}` (labels sorted by name). */
  readonly key: string;
  /** The alert's labels that group it: those named by `groupBy` that it has, or all with `groupByAll`. */
  readonly groupLabels: Readonly<Record<string, string>>;
}

/**
 * The group an alert with these labels joins on a matched route (or
 * anything carrying its `routeKey`, `groupBy` and `groupByAll`), and the
 * group key Alertmanager puts in its notifications (`groupKey` of webhook
 * payload version 4).
 *
 * @example
 * ```ts
 * groupKey(route, { alertname: 'DiskFull', cluster: 'eu1', instance: 'a' });
 * // { key: '{}/{severity="critical"}:{alertname="DiskFull", cluster="eu1"}', groupLabels: { alertname: 'DiskFull', cluster: 'eu1' } }
 * ```
 */
export function groupKey(
  route: Pick<MatchedRoute, 'routeKey' | 'groupBy' | 'groupByAll'>,
  labels: Labels,
): GroupKey {
  const names = Object.keys(labels)
    .filter((n) => route.groupByAll || route.groupBy.includes(n))
    .sort(compareCodePoints);
  const pairs = names.map((n) => [n, labelValue(labels, n)] as const);
  const groupLabels: Record<string, string> = Object.fromEntries(pairs);
  const text = pairs.map(([n, v]) => `${n}=${goQuote(v)}`).join(', ');
  return { key: `${route.routeKey}:{${text}}`, groupLabels };
}

/** Why a matched route does not notify at a time. */
export type RouteTimeState =
  | { readonly notify: true }
  | { readonly notify: false; readonly reason: 'muted'; readonly interval: string }
  | { readonly notify: false; readonly reason: 'inactive' };

const intervalsByName = new WeakMap<
  RoutingTree['timeIntervals'],
  ReadonlyMap<string, readonly TimeIntervalSpec[]>
>();

/**
 * Does a matched route notify at `date`? Not while one of its mute time
 * intervals is active, and, when it has active time intervals, only while
 * one of them is (Alertmanager's time mute and time active stages).
 */
export function routeTimeState(
  tree: Pick<RoutingTree, 'timeIntervals'>,
  route: Pick<MatchedRoute, 'muteTimeIntervals' | 'activeTimeIntervals'>,
  date: Date,
): RouteTimeState {
  let byName = intervalsByName.get(tree.timeIntervals);
  if (byName === undefined) {
    byName = new Map(tree.timeIntervals.map((t) => [t.name, t.time_intervals]));
    intervalsByName.set(tree.timeIntervals, byName);
  }
  for (const name of route.muteTimeIntervals) {
    if (isActive(byName.get(name) ?? [], date))
      return { notify: false, reason: 'muted', interval: name };
  }
  if (
    route.activeTimeIntervals.length > 0 &&
    !route.activeTimeIntervals.some((name) => isActive(byName.get(name) ?? [], date))
  ) {
    return { notify: false, reason: 'inactive' };
  }
  return { notify: true };
}

/** Where an unacknowledged alert stands on a tree's escalation policy. */
export interface EscalationStep {
  /** 1 for the first receiver of the policy, 2 for the second, ... */
  readonly step: number;
  readonly receiver: string;
  /** When this step was reached. */
  readonly since: Date;
  /** When the next step is due, or `undefined` at the last step. */
  readonly nextAt: Date | undefined;
}

/**
 * The escalation step of an alert of `priority` that fired at `firedAt` and
 * is still unacknowledged at `now`: one step per `Priority.sla(priority).escalationMs`
 * elapsed, staying at the last receiver of the policy. `undefined` before
 * the first step is due or when the tree has no policy.
 *
 * @example
 * ```ts
 * // escalation: ['team-ops', 'pager']; P1 escalates every 15 minutes
 * escalationStep(tree, 'P1', firedAt, new Date(firedAt.getTime() + 20 * 60_000)); // { step: 1, receiver: 'team-ops', ... }
 * ```
 */
export function escalationStep(
  tree: Pick<RoutingTree, 'escalation'>,
  priority: Priority,
  firedAt: Date,
  now: Date,
): EscalationStep | undefined {
  const every = Priority.sla(priority).escalationMs;
  const elapsed = now.getTime() - firedAt.getTime();
  const reached = Math.min(Math.floor(elapsed / every), tree.escalation.length);
  if (reached < 1) return undefined;
  const last = reached === tree.escalation.length;
  return {
    step: reached,
    receiver: tree.escalation[reached - 1] ?? '',
    since: new Date(firedAt.getTime() + reached * every),
    nextAt: last ? undefined : new Date(firedAt.getTime() + (reached + 1) * every),
  };
}
