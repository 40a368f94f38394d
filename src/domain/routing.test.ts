import { describe, expect, it } from 'vitest';
import { ValidationError } from '../base/exceptions/index.js';
import { FORMATS, UniversalSerializer } from '../base/serializers/index.js';
import {
  escalationStep,
  goQuote,
  groupKey,
  listRoutes,
  type MatchedRoute,
  matchRoutes,
  routeTimeState,
} from './routing.js';
import { measureRouteTree, type RouteInput, RoutingTree, walkRoutes } from './routing-tree.js';

const CH = ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10', '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d11'];

const receivers = (...names: string[]) =>
  names.map((name) => ({ name, channels: [CH[0] as string] }));

function tree(route: RouteInput, extra: Record<string, unknown> = {}) {
  const names = new Set<string>();
  walkInput(route, (r) => {
    if (r.receiver !== undefined && r.receiver !== '') names.add(r.receiver);
  });
  return RoutingTree.parse({ tenantId: 'acme', route, receivers: receivers(...names), ...extra });
}

function walkInput(route: RouteInput, visit: (r: RouteInput) => void): void {
  visit(route);
  for (const child of route.routes ?? []) walkInput(child, visit);
}

/** `pointer code` of each issue of a refused tree. */
function issuesOf(input: Record<string, unknown>): string[] {
  const parsed = RoutingTree.safeParse({ tenantId: 'acme', ...input });
  if (parsed.success) return [];
  expect(parsed.error).toBeInstanceOf(ValidationError);
  return parsed.error.issues.map((i) => `${i.pointer} ${i.code}`);
}

describe('RoutingTree validation', () => {
  it('every example validates and fills the root defaults', () => {
    for (const example of RoutingTree.examples) {
      const t = RoutingTree.parse(example);
      expect(t.route.group_interval).toBe(300_000);
      expect(t.route.repeat_interval).toBe(14_400_000);
    }
    const t = RoutingTree.parse({
      tenantId: 'acme',
      route: { receiver: 'a' },
      receivers: receivers('a'),
    });
    expect(t.route).toEqual({
      receiver: 'a',
      matchers: [],
      group_by: [],
      group_wait: 30_000,
      group_interval: 300_000,
      repeat_interval: 14_400_000,
      continue: false,
      routes: [],
      mute_time_intervals: [],
      active_time_intervals: [],
    });
    expect(t.escalation).toEqual([]);
    expect(t.timeIntervals).toEqual([]);
  });

  it('an empty receiver on a child means the parent’s, as in Alertmanager', () => {
    const t = tree({ receiver: 'a', routes: [{ receiver: '', matchers: ['x="1"'] }] });
    expect(t.route.routes[0]).not.toHaveProperty('receiver');
    expect(matchRoutes(t, { x: '1' }).map((r) => r.receiver)).toEqual(['a']);
  });

  it('converts legacy match and match_re to matchers; splits comma-separated matchers', () => {
    const t = tree({
      receiver: 'a',
      routes: [
        { match: { team: 'db' }, match_re: { env: 'prod|stag.*' }, matchers: ['a="1",b!~"x|y"'] },
      ],
    });
    expect(t.route.routes[0]?.matchers).toEqual([
      'team="db"',
      'env=~"prod|stag.*"',
      'a="1"',
      'b!~"x|y"',
    ]);
  });

  it('a dump parses back to the same tree (storage round trip)', () => {
    const t = RoutingTree.parse(RoutingTree.examples[0]);
    const again = RoutingTree.parse(RoutingTree.dump(t, { byAlias: true, mode: 'json' }));
    expect(again.route).toEqual(t.route);
    expect(again.timeIntervals).toEqual(t.timeIntervals);
    expect(RoutingTree.dump(t, { byAlias: true, mode: 'json' })).toHaveProperty('time_intervals');
  });

  it('round-trips exactly through every serialization format', () => {
    const t = RoutingTree.parse(RoutingTree.examples[0]);
    for (const format of FORMATS) {
      const bytes = UniversalSerializer.encode(t, format, { model: RoutingTree });
      const back = UniversalSerializer.decode(bytes, format, RoutingTree);
      expect([format, RoutingTree.dump(back)]).toEqual([format, RoutingTree.dump(t)]);
    }
  });

  it('refuses field errors with paths and codes', () => {
    expect(
      issuesOf({
        route: {
          receiver: 'a',
          routes: [
            { matchers: ['a=~"("'] },
            { match_re: { b: '(' }, match: { 'bad-name': 'x' } },
            { group_by: ['...', 'a'], group_interval: '0', repeat_interval: 0 },
            { group_by: ['a', 'a', 'not-a-label'] },
            { group_wait: '5 minutes' },
            { unknown: true },
          ],
        },
        receivers: receivers('a'),
      }),
    ).toEqual([
      '/route/routes/0/matchers/0 invalid_matcher',
      '/route/routes/1/match/bad-name invalid_matcher',
      '/route/routes/1/match_re/b invalid_matcher',
      '/route/routes/2/group_by/0 invalid_group_by',
      '/route/routes/2/group_interval interval_not_positive',
      '/route/routes/2/repeat_interval interval_not_positive',
      '/route/routes/3/group_by/1 duplicate_group_by',
      '/route/routes/3/group_by/2 invalid_group_by',
      '/route/routes/4/group_wait invalid_union',
      '/route/routes/5/unknown unrecognized_key',
    ]);
  });

  it('refuses what the tree as a whole gets wrong', () => {
    expect(
      issuesOf({
        route: {
          matchers: ['a="b"'],
          continue: true,
          mute_time_intervals: ['night'],
          active_time_intervals: ['day'],
          routes: [{ receiver: 'nobody', routes: [{ active_time_intervals: ['day', 'never'] }] }],
        },
        receivers: [...receivers('a', 'b'), { name: 'a' }],
        timeIntervals: [{ name: 'day' }, { name: 'day' }],
        escalation: ['a', 'ghost'],
      }),
    ).toEqual([
      '/receivers/2/name duplicate_receiver',
      '/timeIntervals/1/name duplicate_time_interval',
      '/route/receiver root_receiver_required',
      '/route/matchers root_matchers',
      '/route/continue root_continue',
      '/route/mute_time_intervals root_time_intervals',
      '/route/active_time_intervals root_time_intervals',
      '/route/mute_time_intervals/0 unknown_time_interval',
      '/route/routes/0/receiver unknown_receiver',
      '/route/routes/0/routes/0/active_time_intervals/1 unknown_time_interval',
      '/escalation/1 unknown_receiver',
    ]);
    expect(issuesOf({ route: { receiver: 'a' }, receivers: [] })).toEqual(['/receivers too_small']);
    expect(
      issuesOf({ route: { receiver: 'a' }, receivers: [{ name: 'a', channels: [CH[0], CH[0]] }] }),
    ).toEqual(['/receivers/0/channels duplicate_channel']);
  });

  it('refuses a hostile tree by its size before parsing it (no recursion, no stack overflow)', () => {
    let deep: Record<string, unknown> = { receiver: 'a' };
    const root = deep;
    for (let i = 0; i < 10_000; i++) {
      const child = {};
      deep.routes = [child];
      deep = child;
    }
    expect(issuesOf({ route: root, receivers: receivers('a') })).toEqual([
      '/route route_tree_too_deep',
    ]);
    const wide = { receiver: 'a', routes: Array.from({ length: 100_000 }, () => ({})) };
    expect(issuesOf({ route: wide, receivers: receivers('a') })).toEqual([
      '/route route_tree_too_large',
    ]);
    expect(measureRouteTree(wide)).toEqual({ nodes: 10_001, depth: 2 });
    expect(measureRouteTree(root).depth).toBe(31);
    // At the budget: accepted.
    let edge: Record<string, unknown> = { receiver: 'a' };
    const edgeRoot = edge;
    for (let i = 1; i < 30; i++) {
      const child = {};
      edge.routes = [child];
      edge = child;
    }
    expect(issuesOf({ route: edgeRoot, receivers: receivers('a') })).toEqual([]);
    expect(measureRouteTree('not a route')).toEqual({ nodes: 1, depth: 1 });
  });

  it('walkRoutes visits depth-first with document paths', () => {
    const t = tree({ receiver: 'a', routes: [{ routes: [{}] }, {}] });
    const seen: string[] = [];
    walkRoutes(t.route, (_r, path, depth) => seen.push(`${path.join('/')}@${depth}`));
    expect(seen).toEqual([
      'route@1',
      'route/routes/0@2',
      'route/routes/0/routes/0@3',
      'route/routes/1@2',
    ]);
  });
});

describe('matchRoutes (Alertmanager 0.25 dispatch/route.go)', () => {
  const t = tree(
    {
      receiver: 'default',
      group_by: ['alertname'],
      group_wait: '45s',
      routes: [
        { matchers: ['severity="critical"'], receiver: 'pager', continue: true, group_wait: '10s' },
        {
          matchers: ['service=~"mysql|postgres"'],
          receiver: 'db',
          group_by: ['...'],
          repeat_interval: '1h',
          mute_time_intervals: ['weekends'],
          routes: [
            { matchers: ['env="prod"'], group_by: ['cluster'], receiver: 'db-prod' },
            { matchers: ['env="dev"'] },
          ],
        },
        { matchers: ['team="web"'], receiver: 'web' },
        { matchers: ['team="web"'], receiver: 'web-shadowed' },
      ],
    },
    {
      timeIntervals: [{ name: 'weekends', time_intervals: [{ weekdays: ['saturday', 'sunday'] }] }],
    },
  );
  const receiversOf = (labels: Record<string, string>) =>
    matchRoutes(t, labels).map((r) => r.receiver);

  it('the root is the default route when no child matches', () => {
    const [only] = matchRoutes(t, { alertname: 'X' });
    expect(only).toMatchObject({
      receiver: 'default',
      routeKey: '{}',
      routeId: '{}',
      path: [],
      pointer: '/route',
      groupBy: ['alertname'],
      groupByAll: false,
      groupWaitMs: 45_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
  });

  it('continue goes on to the next sibling; the first match without it stops', () => {
    expect(receiversOf({ severity: 'critical' })).toEqual(['pager']);
    expect(receiversOf({ severity: 'critical', team: 'web' })).toEqual(['pager', 'web']);
    expect(receiversOf({ team: 'web' })).toEqual(['web']);
  });

  it('a matching route whose children do not match is itself the match', () => {
    expect(receiversOf({ service: 'mysql' })).toEqual(['db']);
    expect(receiversOf({ service: 'mysql', env: 'prod' })).toEqual(['db-prod']);
    expect(receiversOf({ service: 'postgresql' })).toEqual(['default']); // regex is anchored
  });

  it('children inherit receiver, group_by and timers, but not time intervals', () => {
    const [dev] = matchRoutes(t, { service: 'mysql', env: 'dev' });
    expect(dev).toMatchObject({
      receiver: 'db',
      groupByAll: true,
      groupBy: [],
      groupWaitMs: 45_000,
      repeatIntervalMs: 3_600_000,
      muteTimeIntervals: [],
      path: [1, 1],
      pointer: '/route/routes/1/routes/1',
    });
    const [prod] = matchRoutes(t, { service: 'mysql', env: 'prod' });
    expect(prod).toMatchObject({
      groupByAll: false,
      groupBy: ['cluster'],
      repeatIntervalMs: 3_600_000,
    });
    const [db] = matchRoutes(t, { service: 'mysql' });
    expect(db?.muteTimeIntervals).toEqual(['weekends']);
  });

  it("route keys are Alertmanager's; ids add the sibling index", () => {
    const [prod] = matchRoutes(t, { service: 'mysql', env: 'prod' });
    expect(prod?.routeKey).toBe('{}/{service=~"mysql|postgres"}/{env="prod"}');
    expect(prod?.routeId).toBe('{}/{service=~"mysql|postgres"}/{env="prod"}/0');
    const keys = listRoutes(t).map((r) => r.routeId);
    expect(new Set(keys).size).toBe(keys.length);
    expect(listRoutes(t).map((r) => r.routeKey)).toContain('{}/{team="web"}');
  });

  it('sorts a route’s matchers by name, value, then operator in its key', () => {
    const s = tree({
      receiver: 'a',
      routes: [{ matchers: ['b!="1"', 'a=~"z"', 'b="1"', 'a="z"', 'b=~"0"'] }],
    });
    expect(listRoutes(s)[1]?.routeKey).toBe('{}/{a="z",a=~"z",b=~"0",b="1",b!="1"}');
    // Go compares bytes: U+10000 (a surrogate pair in UTF-16) sorts after U+FFFD.
    const astral = tree({
      receiver: 'a',
      routes: [{ matchers: ['x="\u{10000}"', 'x="\uFFFD"', 'x="ab"', 'x="a"'] }],
    });
    expect(listRoutes(astral)[1]?.routeKey).toBe('{}/{x="a",x="ab",x="\uFFFD",x="\u{10000}"}');
  });

  it('matches the same compiled tree again (cached per validated tree)', () => {
    expect(receiversOf({ severity: 'critical' })).toEqual(receiversOf({ severity: 'critical' }));
  });
});

describe('groupKey (Alertmanager 0.25 dispatch.go)', () => {
  const t = tree({
    receiver: 'a',
    group_by: ['cluster', 'alertname'],
    routes: [{ matchers: ['severity="critical"'], group_by: ['...'] }],
  });

  it('route key, then the grouping labels the alert has, sorted, quoted as Go %q', () => {
    const [root] = matchRoutes(t, { alertname: 'Disk', instance: 'x' });
    expect(groupKey(root as MatchedRoute, { alertname: 'Disk', instance: 'x' })).toEqual({
      key: '{}:{alertname="Disk"}',
      groupLabels: { alertname: 'Disk' },
    });
    const labels = { severity: 'critical', alertname: 'Disk "full"', instance: 'a\nb' };
    const [all] = matchRoutes(t, labels);
    expect(groupKey(all as MatchedRoute, labels).key).toBe(
      '{}/{severity="critical"}:{alertname="Disk \\"full\\"", instance="a\\nb", severity="critical"}',
    );
  });

  it('goQuote escapes as strconv.Quote', () => {
    expect(goQuote('plain ünïcode ✓')).toBe('"plain ünïcode ✓"');
    expect(goQuote('\t\r\u0007\b\f\v\\')).toBe('"\\t\\r\\a\\b\\f\\v\\\\"');
    expect(goQuote('\u0000\u007f')).toBe('"\\x00\\x7f"');
    expect(goQuote('\u200b\u{e0001}')).toBe('"\\u200b\\U000e0001"');
  });
});

describe('routeTimeState', () => {
  const t = tree(
    {
      receiver: 'a',
      routes: [
        { matchers: ['x="mute"'], mute_time_intervals: ['weekends'] },
        { matchers: ['x="active"'], active_time_intervals: ['office'] },
      ],
    },
    {
      timeIntervals: [
        { name: 'weekends', time_intervals: [{ weekdays: ['saturday', 'sunday'] }] },
        { name: 'office', time_intervals: [{ times: ['09:00-17:00'], location: 'Europe/Berlin' }] },
      ],
    },
  );
  const saturdayNoon = new Date('2026-12-05T11:00:00Z');
  const mondayNight = new Date('2026-12-07T22:00:00Z');

  it('mute intervals silence a route while active; active intervals silence it outside them', () => {
    const [muted] = matchRoutes(t, { x: 'mute' });
    const [active] = matchRoutes(t, { x: 'active' });
    const [root] = matchRoutes(t, {});
    expect(routeTimeState(t, muted as MatchedRoute, saturdayNoon)).toEqual({
      notify: false,
      reason: 'muted',
      interval: 'weekends',
    });
    expect(routeTimeState(t, muted as MatchedRoute, mondayNight)).toEqual({ notify: true });
    expect(routeTimeState(t, active as MatchedRoute, saturdayNoon)).toEqual({ notify: true });
    expect(routeTimeState(t, active as MatchedRoute, mondayNight)).toEqual({
      notify: false,
      reason: 'inactive',
    });
    expect(routeTimeState(t, root as MatchedRoute, saturdayNoon)).toEqual({ notify: true });
  });
});

describe('escalationStep', () => {
  const t = tree(
    { receiver: 'ops' },
    { receivers: receivers('ops', 'lead', 'cto'), escalation: ['ops', 'lead', 'cto'] },
  );
  const fired = new Date('2026-12-03T00:00:00Z');
  const later = (ms: number) => new Date(fired.getTime() + ms);
  const MIN = 60_000;

  it("steps once per the priority's escalationMs and stays at the last receiver", () => {
    expect(escalationStep(t, 'P1', fired, later(14 * MIN))).toBeUndefined();
    expect(escalationStep(t, 'P1', fired, later(15 * MIN))).toEqual({
      step: 1,
      receiver: 'ops',
      since: later(15 * MIN),
      nextAt: later(30 * MIN),
    });
    expect(escalationStep(t, 'P1', fired, later(31 * MIN))?.receiver).toBe('lead');
    expect(escalationStep(t, 'P1', fired, later(600 * MIN))).toEqual({
      step: 3,
      receiver: 'cto',
      since: later(45 * MIN),
      nextAt: undefined,
    });
    // P3 escalates every 4 hours; lowercase priorities are accepted as Priority.sla accepts them.
    expect(escalationStep(t, 'P3', fired, later(239 * MIN))).toBeUndefined();
    expect(escalationStep(t, 'p3' as 'P3', fired, later(240 * MIN))?.receiver).toBe('ops');
  });

  it('a tree without a policy never escalates', () => {
    const plain = tree({ receiver: 'ops' });
    expect(escalationStep(plain, 'P1', fired, later(1_000 * MIN))).toBeUndefined();
  });
});
