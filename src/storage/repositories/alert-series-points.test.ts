import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeartbeatCounter, type ResendTags } from './alert-series-points.js';

describe('HeartbeatCounter', () => {
  it('sums resends per tenant, minute, rule, alertname and level, whatever their order', () => {
    const tags = fc.record({
      ruleId: fc.constantFrom(null, 'r1', 'r2'),
      labels: fc.constantFrom<Record<string, string>>(
        { alertname: 'A' },
        { alertname: 'B', x: '1' },
        { alertname: 'B', x: '2' },
        {},
      ),
      level: fc.constantFrom('high', 'low'),
    });
    const call = fc.record({
      tenantId: fc.constantFrom('acme', 'globex'),
      at: fc.integer({ min: 0, max: 3 * 60_000 }),
      // Shared objects too: a batch's items built from one memo entry share their tags.
      tags: fc.oneof(
        tags,
        fc.constant({ ruleId: null, labels: { alertname: 'A' }, level: 'high' }),
      ),
      count: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
        const counter = new HeartbeatCounter();
        const expected = new Map<string, number>();
        for (const c of calls) {
          counter.add(c.tenantId, c.tags as ResendTags, c.at, c.count);
          if (c.count <= 0) continue;
          const minute = Math.floor(c.at / 60_000) * 60_000;
          const alertname = Object.hasOwn(c.tags.labels, 'alertname')
            ? (c.tags.labels.alertname ?? null)
            : null;
          const key = JSON.stringify([c.tenantId, minute, c.tags.ruleId, alertname, c.tags.level]);
          expected.set(key, (expected.get(key) ?? 0) + c.count);
        }
        const points: Parameters<HeartbeatCounter['drainInto']>[0] = [];
        counter.drainInto(points);
        const got = new Map(
          points.map((p) => [
            JSON.stringify([p.tenantId, p.time, p.rule, p.alertname, p.severity]),
            p.count,
          ]),
        );
        expect(got).toEqual(expected);
        expect(points.every((p) => p.kind === 'heartbeat' && p.status === 'firing')).toBe(true);
        // Drained: a second drain gives nothing, and counting starts over.
        const again: typeof points = [];
        counter.drainInto(again);
        expect(again).toEqual([]);
      }),
      { numRuns: 1_000 },
    );
  });
});
