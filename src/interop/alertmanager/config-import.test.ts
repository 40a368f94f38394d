import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InhibitRule } from '../../domain/inhibit-rule.js';
import { matchRoutes } from '../../domain/routing.js';
import { RoutingTree } from '../../domain/routing-tree.js';
import { parseAlertmanagerConfig } from './config-import.js';

const EXAMPLE = readFileSync(
  new URL('../../../examples/alertmanager.yml', import.meta.url),
  'utf8',
);

const issuesOf = (text: string) =>
  parseAlertmanagerConfig(text).issues.map((i) => `${i.severity} ${i.pointer} ${i.code}`);

describe('parseAlertmanagerConfig on a realistic configuration (examples/alertmanager.yml)', () => {
  const found = parseAlertmanagerConfig(EXAMPLE);

  it('imports it without issues', () => {
    expect(found.issues).toEqual([]);
    expect(found.global).toEqual({
      resolve_timeout: '5m',
      slack_api_url: 'https://hooks.slack.example.com/services/T000/B000/XXXX',
    });
  });

  it('hands each receiver on whole, by name, in order', () => {
    expect(found.receivers.map((r) => r.name)).toEqual([
      'team-ops',
      'pager',
      'team-db',
      'team-frontend',
      'blackhole',
    ]);
    expect(found.receivers[0]?.raw).toEqual({
      name: 'team-ops',
      slack_configs: [{ channel: '#ops', send_resolved: true }],
      webhook_configs: [{ url: 'https://hooks.example.com/alertmanager' }],
    });
  });

  it('maps the route: legacy matchers converted, durations in ms, root defaults', () => {
    const route = found.route;
    expect(route?.receiver).toBe('team-ops');
    expect(route?.group_wait).toBe(30_000);
    expect(route?.routes.map((r) => r.matchers)).toEqual([
      ['severity="critical"'],
      ['service=~"^(mysql|postgres)$"'],
      ['team="frontend"'],
      ['alertname="Watchdog"'],
    ]);
    expect(route?.routes[3]?.repeat_interval).toBe(60_000);
  });

  it('maps inhibit_rules to InhibitRule inputs the model accepts', () => {
    expect(found.inhibitRules).toEqual([
      {
        name: 'inhibit-rule-1',
        sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }],
        targetMatchers: [{ name: 'severity', value: 'warning', isRegex: false, isEqual: true }],
        equal: ['alertname', 'cluster'],
      },
      {
        name: 'inhibit-rule-2',
        sourceMatchers: [
          { name: 'alertname', value: 'ClusterDown', isRegex: false, isEqual: true },
        ],
        targetMatchers: [{ name: 'alertname', value: 'Node.*', isRegex: true, isEqual: true }],
        equal: ['cluster'],
      },
    ]);
    for (const rule of found.inhibitRules)
      expect(InhibitRule.parse({ tenantId: 'acme', ...rule }).name).toBe(rule.name);
  });

  it('joins time_intervals and mute_time_intervals', () => {
    expect(found.timeIntervals.map((t) => t.name)).toEqual(['business-hours', 'weekends']);
    expect(found.timeIntervals[1]?.time_intervals).toEqual([{ weekdays: ['saturday', 'sunday'] }]);
  });

  it('gives a tree that routes as the configuration says', () => {
    const tree = RoutingTree.parse({
      tenantId: 'acme',
      route: found.route,
      receivers: found.receivers.map((r) => ({ name: r.name })),
      timeIntervals: found.timeIntervals,
    });
    const to = (labels: Record<string, string>) => matchRoutes(tree, labels).map((r) => r.receiver);
    expect(to({ severity: 'critical', team: 'frontend' })).toEqual(['pager', 'team-frontend']);
    expect(to({ service: 'mysql', env: 'dev' })).toEqual(['blackhole']);
    expect(to({ service: 'mysql', env: 'prod' })).toEqual(['team-db']);
    expect(to({ alertname: 'Other' })).toEqual(['team-ops']);
  });
});

describe('parseAlertmanagerConfig refuses and flags with paths', () => {
  it('YAML that does not parse, is not a map, or aliases too much (an alias cycle included)', () => {
    const bad = parseAlertmanagerConfig('route: [\n');
    expect(bad.issues[0]).toMatchObject({
      severity: 'error',
      code: 'yaml_syntax',
      pointer: '',
      line: 2,
    });
    expect(bad.route).toBeUndefined();
    expect(issuesOf('- a\n- b\n')).toEqual(['error  invalid_type']);
    // A route that contains itself through an alias: JSON cannot express it,
    // YAML can; the alias budget counts a cycle as over any limit.
    expect(issuesOf('route: &r\n  receiver: x\n  routes: [*r]\nreceivers: [{name: x}]\n')).toEqual([
      'error  excessive_aliasing',
    ]);
    const lines = ['a: &a [{receiver: x}, {receiver: x}, {receiver: x}, {receiver: x}]'];
    for (let i = 0; i < 8; i++) {
      const [prev, name] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
      lines.push(`${name}: &${name} [${Array(6).fill(`*${prev}`).join(', ')}]`);
    }
    expect(
      issuesOf(`${lines.join('\n')}\nroute: {receiver: x, routes: *i}\nreceivers: [{name: x}]\n`),
    ).toEqual(['error  excessive_aliasing']);
  });

  it('a resolve_timeout other than 5m is a warning', () => {
    const base = 'route: {receiver: x}\nreceivers: [{name: x}]\n';
    expect(issuesOf(`${base}global: {resolve_timeout: 10m}\n`)).toEqual([
      'warning /global/resolve_timeout unsupported_setting',
    ]);
    expect(issuesOf(`${base}global: {resolve_timeout: 7}\n`)).toEqual([
      'warning /global/resolve_timeout unsupported_setting',
    ]);
    expect(issuesOf(`${base}global: {resolve_timeout: 300s}\n`)).toEqual([]);
    expect(issuesOf(`${base}global: {smtp_smarthost: 'a:25'}\n`)).toEqual([]);
  });

  it('a tree as deep as the budget reads through the YAML decoder; one level more is refused', () => {
    const nested = (depth: number): string => {
      const root: Record<string, unknown> = { receiver: 'x' };
      let node = root;
      for (let i = 1; i < depth; i++) {
        const child: Record<string, unknown> = { matchers: [`l${i}="v"`] };
        node.routes = [child];
        node = child;
      }
      return stringify({ route: root, receivers: [{ name: 'x' }] });
    };
    expect(issuesOf(nested(30))).toEqual([]);
    expect(issuesOf(nested(31))).toEqual(['error /route route_tree_too_deep']);
  });

  it('unknown fields are errors; templates are a warning', () => {
    expect(
      issuesOf(
        'route: {receiver: x}\nreceivers: [{name: x}]\ntemplates: [/etc/am/*.tmpl]\nsilences: []\n',
      ),
    ).toEqual(['error /silences unknown_field', 'warning /templates unsupported_setting']);
  });

  it('route errors at their paths in the file, with the route left out', () => {
    const found = parseAlertmanagerConfig(
      [
        'route:',
        '  receiver: x',
        '  routes:',
        '    - receiver: nobody',
        '      matchers: [\'a=~"("\']',
        '    - receiver: nobody',
        '      mute_time_intervals: [never]',
        'receivers: [{name: x}, {name: x}, {slack_configs: []}]',
        'mute_time_intervals:',
        '  - name: bad',
        '    time_intervals: [{weekdays: [funday]}]',
      ].join('\n'),
    );
    expect(found.route).toBeUndefined();
    expect(found.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/receivers/2/name missing_receiver_name',
      '/route/routes/0/matchers/0 invalid_matcher',
      '/mute_time_intervals/0/time_intervals/0/weekdays/0 invalid_time_interval',
    ]);
    const second = parseAlertmanagerConfig(
      [
        'route: {receiver: x, routes: [{receiver: nobody, mute_time_intervals: [never]}]}',
        'receivers: [{name: x}, {name: x}]',
        'time_intervals: [{name: t}]',
        'mute_time_intervals: [{name: t}]',
      ].join('\n'),
    );
    expect(second.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/receivers/1/name duplicate_receiver',
      '/mute_time_intervals/0/name duplicate_time_interval',
      '/route/routes/0/receiver unknown_receiver',
      '/route/routes/0/mute_time_intervals/0 unknown_time_interval',
    ]);
  });

  it('missing route or receivers, wrong types of the lists', () => {
    expect(issuesOf('global: {}\n')).toEqual([
      'error /receivers missing_receivers',
      'error /route missing_route',
    ]);
    expect(
      issuesOf('route: {receiver: x}\nreceivers: {x: 1}\ninhibit_rules: {}\ntime_intervals: 3\n'),
    ).toEqual([
      'error /receivers invalid_type',
      'error /inhibit_rules invalid_type',
      'error /time_intervals invalid_type',
    ]);
  });

  it('bad inhibition rules are left out, each problem at its path', () => {
    const found = parseAlertmanagerConfig(
      [
        'route: {receiver: x}',
        'receivers: [{name: x}]',
        'inhibit_rules:',
        '  - source_match_re: {a: "("}',
        '    target_matchers: [\'b=~"("\', 7]',
        '    source_match: {c: 1}',
        '  - target_match: [1]',
        '    source_matchers: x',
        '    equal: x',
        '    sources: []',
        '  - equal: ["not-a-label"]',
        '  - 5',
        '  - target_match: {b: y}',
      ].join('\n'),
    );
    expect(found.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/inhibit_rules/0/source_match/c invalid_matcher',
      '/inhibit_rules/0/source_match_re/a invalid_matcher',
      '/inhibit_rules/0/target_matchers/0 invalid_matcher',
      '/inhibit_rules/0/target_matchers/1 invalid_matcher',
      '/inhibit_rules/1/sources unknown_field',
      '/inhibit_rules/1/source_matchers invalid_type',
      '/inhibit_rules/1/target_match invalid_type',
      '/inhibit_rules/1/equal invalid_type',
      '/inhibit_rules/2/equal/0 invalid_format',
      '/inhibit_rules/3 invalid_type',
    ]);
    expect(found.inhibitRules).toEqual([
      {
        name: 'inhibit-rule-5',
        sourceMatchers: [],
        targetMatchers: [{ name: 'b', value: 'y', isRegex: false, isEqual: true }],
        equal: [],
      },
    ]);
    expect(found.route?.receiver).toBe('x');
  });
});

describe('parseAlertmanagerConfig on arbitrary text', () => {
  it('never throws: every problem is an issue', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const found = parseAlertmanagerConfig(text);
        expect(Array.isArray(found.issues)).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });
});
