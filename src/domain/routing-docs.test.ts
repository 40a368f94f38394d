/** The examples of docs/routing.md, checked against the code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../base/utils/duration.js';
import { parseMatchers } from './matchers.js';
import { escalationStep, groupKey, matchRoutes } from './routing.js';
import { type RouteInput, RoutingTree } from './routing-tree.js';
import { isActive, TimeIntervalSpec } from './time-interval.js';

const DOC = readFileSync(new URL('../../docs/routing.md', import.meta.url), 'utf8');

/** The text between `<!-- routing-example:name -->` and the next `<!-- routing-example:end -->` (or code fence end). */
function section(name: string): string {
  const start = DOC.indexOf(`<!-- routing-example:${name} -->`);
  expect(start, `docs/routing.md has no example ${name}`).toBeGreaterThan(-1);
  const end = DOC.indexOf('<!-- routing-example:', start + 10);
  return DOC.slice(start, end);
}

/** The body rows of the Markdown table in a section, cells trimmed (`\|` is a `|`). */
function rows(name: string): string[][] {
  const table = section(name)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .replaceAll('\\|', '\u0000')
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('\u0000', '|')),
    );
  expect(table.length).toBeGreaterThan(2);
  return table.slice(2);
}

const code = (cell: string): string => cell.replace(/^`|`$/g, '');
const labelsOf = (cell: string): Record<string, string> =>
  Object.fromEntries(parseMatchers(code(cell)).map((m) => [m.name, m.value]));
const names = (cell: string): string[] => cell.split(',').map((n) => code(n.trim()));

const treeYaml = section('tree').split('```yaml\n')[1]?.split('```')[0] ?? '';
const doc = parse(treeYaml) as { route: RouteInput; receivers: { name: string }[] };
const tree = RoutingTree.parse({ tenantId: 'acme', route: doc.route, receivers: doc.receivers });

describe('docs/routing.md', () => {
  it('the example tree routes as its table says', () => {
    const table = rows('matches');
    expect(table.length).toBeGreaterThanOrEqual(5);
    for (const [labels = '', receivers = ''] of table) {
      expect([labels, matchRoutes(tree, labelsOf(labels)).map((r) => r.receiver)]).toEqual([
        labels,
        names(receivers),
      ]);
    }
  });

  it('the route keys and group keys are as shown', () => {
    for (const [labels = '', routeKey = '', key = ''] of rows('group-keys')) {
      const alert = labelsOf(labels);
      const [route] = matchRoutes(tree, alert);
      expect(route?.routeKey).toBe(code(routeKey));
      expect(route === undefined ? undefined : groupKey(route, alert).key).toBe(code(key));
    }
  });

  it('the time intervals are active when the table says', () => {
    for (const [interval = '', instant = '', active = ''] of rows('intervals')) {
      const spec = TimeIntervalSpec.parse(parse(code(interval)));
      expect([interval, instant, isActive([spec], new Date(code(instant)))]).toEqual([
        interval,
        instant,
        active === 'yes',
      ]);
    }
  });

  it('escalation reaches the receivers shown', () => {
    const fired = new Date('2026-12-03T00:00:00Z');
    for (const [policy = '', priority = '', after = '', receiver = ''] of rows('escalation')) {
      const escalation = (parse(code(policy)) as string[]).map(String);
      const t = RoutingTree.parse({
        tenantId: 'acme',
        route: { receiver: escalation[0] },
        receivers: escalation.map((name) => ({ name })),
        escalation,
      });
      const now = new Date(fired.getTime() + parseDuration(after));
      const step = escalationStep(t, priority as 'P1', fired, now);
      expect([policy, priority, after, step?.receiver ?? 'none']).toEqual([
        policy,
        priority,
        after,
        code(receiver),
      ]);
    }
  });
});
