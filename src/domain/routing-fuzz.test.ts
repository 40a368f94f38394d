/**
 * Hostile input is normal input: whatever JSON a request carries as a
 * routing tree, validation answers with issues and never throws; whatever
 * text is given as an Alertmanager configuration, the import answers with
 * issues (see config-import.test.ts). Valid random trees match without error and every match is a route
 * of the tree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../base/exceptions/index.js';
import { listRoutes, matchRoutes } from './routing.js';
import { type RouteInput, RoutingTree } from './routing-tree.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

const label = fc.constantFrom('team', 'severity', 'env', '__proto__', 'constructor');
const value = fc.constantFrom('a', 'b', '', 'prod', 'x|y', '.*', '(');
const matcher = fc
  .tuple(label, fc.constantFrom('=', '!=', '=~', '!~'), value)
  .map(([n, op, v]) => `${n}${op}"${v}"`);

const route: fc.Arbitrary<RouteInput> = fc.letrec<{ route: RouteInput }>((tie) => ({
  route: fc.record(
    {
      receiver: fc.constantFrom('a', 'b', 'c'),
      matchers: fc.array(matcher, { maxLength: 3 }),
      continue: fc.boolean(),
      group_by: fc.constantFrom(['...'], ['team'], ['team', 'env']),
      routes: fc.array(tie('route'), { maxLength: 3, depthIdentifier: 'route' }),
    },
    { requiredKeys: [] },
  ),
})).route;

describe('routing trees under random input', () => {
  it('validation of arbitrary JSON never throws, and refusals are ValidationErrors with pointers', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 3 }), (r, receivers) => {
        const parsed = RoutingTree.safeParse({ tenantId: 'acme', route: r, receivers });
        if (!parsed.success) {
          expect(parsed.error).toBeInstanceOf(ValidationError);
          for (const issue of parsed.error.issues) expect(issue.pointer).toMatch(/^(\/|$)/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('random valid trees match any labels, always to routes of the tree', () => {
    fc.assert(
      fc.property(route, fc.dictionary(label, value, { maxKeys: 4 }), (r, labels) => {
        const parsed = RoutingTree.safeParse({
          tenantId: 'acme',
          route: { ...r, receiver: 'a', matchers: [], continue: false },
          receivers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        });
        if (!parsed.success) {
          // Only the regular expression "(" makes a random tree invalid.
          expect(parsed.error.issues.map((i) => i.code)).toContain('invalid_matcher');
          return;
        }
        const ids = new Set(listRoutes(parsed.data).map((m) => m.routeId));
        const matched = matchRoutes(parsed.data, labels);
        expect(matched.length).toBeGreaterThan(0);
        for (const m of matched) expect(ids.has(m.routeId)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
