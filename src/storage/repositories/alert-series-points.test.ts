import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../series/types.js';
import { HeartbeatCounter, ingestPoints, type ResendTags } from './alert-series-points.js';

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

describe('ingestPoints: created alerts', () => {
  it('counts alerts created with the same time and tags into one point, the per-tag sums unchanged', () => {
    const created = fc.record({
      startsAt: fc.constantFrom(0, 1_000, 60_000),
      ruleId: fc.constantFrom(null, 'r1'),
      alertname: fc.constantFrom('A', 'B'),
      level: fc.constantFrom('high', 'low'),
      status: fc.constantFrom('firing', 'suppressed'),
      resolving: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(created, { maxLength: 60 }), (alerts) => {
        const out: SeriesPoint[] = [];
        const heartbeats = new HeartbeatCounter();
        const expected = new Map<string, number>();
        for (const a of alerts) {
          const item = {
            data: {
              startsAt: new Date(a.startsAt),
              endsAt: a.resolving ? new Date(a.startsAt + 5_000) : null,
              level: a.level,
              status: a.status,
              ruleId: a.ruleId,
              labels: { alertname: a.alertname },
            },
            resolving: a.resolving,
          };
          ingestPoints('acme', [item], 'inserted', 90_000, out, heartbeats);
          const key = [a.startsAt, a.ruleId, a.alertname, a.level, a.status].join('|');
          expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        const sums = new Map<string, number>();
        let previous: SeriesPoint | undefined;
        for (const p of out) {
          if (p.kind !== 'created') {
            expect(p).toMatchObject({ kind: 'resolved', count: 1 });
            previous = p;
            continue;
          }
          expect(p.durationMs).toBeNull();
          const key = [p.time, p.rule, p.alertname, p.severity, p.status].join('|');
          sums.set(key, (sums.get(key) ?? 0) + p.count);
          // Merged only into the point right before: two created points in a row differ.
          if (previous?.kind === 'created') {
            const before = [previous.time, previous.rule, previous.alertname, previous.severity];
            expect([...before, previous.status].join('|')).not.toBe(key);
          }
          previous = p;
        }
        expect(sums).toEqual(expected);
        expect(out.filter((p) => p.kind === 'resolved')).toHaveLength(
          alerts.filter((a) => a.resolving).length,
        );
      }),
    );
  });

  it('makes one point of a batch of alerts that start firing together', () => {
    const out: SeriesPoint[] = [];
    const heartbeats = new HeartbeatCounter();
    for (let k = 0; k < 64; k++) {
      const item = {
        data: {
          startsAt: new Date(1_000),
          endsAt: null,
          level: 'high',
          status: 'firing',
          ruleId: null,
          labels: { alertname: 'NodeDown', instance: `node-${k}` },
        },
        resolving: false,
      };
      ingestPoints('acme', [item], 'inserted', 2_000, out, heartbeats);
    }
    expect(out).toEqual([
      {
        tenantId: 'acme',
        kind: 'created',
        time: 1_000,
        rule: null,
        alertname: 'NodeDown',
        severity: 'high',
        status: 'firing',
        count: 64,
        durationMs: null,
      },
    ]);
  });
});
