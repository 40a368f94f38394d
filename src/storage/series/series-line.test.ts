import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLine } from './line-protocol.js';
import { createSeriesLineFormatter, seriesLinePoint } from './series-line.js';
import { SERIES_KINDS, type SeriesPoint } from './types.js';

/** What `f` answers: its text, or the code and message it throws. */
function outcome(f: () => string): { line: string } | { code: unknown; message: string } {
  try {
    return { line: f() };
  } catch (err) {
    return { code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
}

const hostile = fc.string({
  unit: fc.constantFrom('a', 'Z', ',', ' ', '=', '\\', '"', '\n', '\r', 'é', '🚨', '\t', '#'),
  maxLength: 8,
});
/** Few distinct values, so the cache is hit, and emptied (size 3) as it fills. */
const label = fc.oneof(fc.constantFrom('a', 'b c', 'x=y,z', ''), hostile);
const arbPoint: fc.Arbitrary<SeriesPoint> = fc.record({
  kind: fc.constantFrom(...SERIES_KINDS),
  tenantId: label,
  time: fc.integer({ min: 0, max: 2_000_000_000_000 }),
  rule: fc.option(label),
  alertname: fc.option(label),
  severity: fc.option(label),
  status: label,
  count: fc.oneof(fc.integer(), fc.constantFrom(1.5, Number.NaN, 2 ** 60)),
  durationMs: fc.option(
    fc.oneof(fc.integer({ min: 0 }), fc.double({ noNaN: false }), fc.constant(2 ** 60)),
  ),
});
const arbNs = fc.oneof(
  fc.bigInt({ min: 0n, max: 9_223_372_036_854_775_807n }).map(String),
  fc.constantFrom('', '-1', '01', '1.5', '12345678901234567890'),
);

describe('series line', () => {
  it('writes the line formatLine writes for the same point', () => {
    const format = createSeriesLineFormatter();
    expect(
      format(
        {
          kind: 'acknowledged',
          tenantId: 'acme',
          time: 0,
          rule: 'r 1',
          alertname: 'High CPU, p=99 🚨',
          severity: null,
          status: 'acknowledged',
          count: 1,
          durationMs: 1_500.4,
        },
        '1700000000000000001',
      ),
    ).toBe(
      'alert_acknowledged,alertname=High\\ CPU\\,\\ p\\=99\\ 🚨,rule=r\\ 1,status=acknowledged,tenant=acme count=1i,duration_ms=1500i 1700000000000000001',
    );
  });

  it('property: the same text as formatLine(seriesLinePoint(...)), or the same refusal', () => {
    const format = createSeriesLineFormatter(3);
    fc.assert(
      fc.property(arbPoint, arbNs, (p, ns) => {
        const fast = outcome(() => format(p, ns));
        expect(fast).toEqual(outcome(() => formatLine(seriesLinePoint(p, ns))));
        if ('code' in fast) expect(fast.code).toBe('ALERTBASE_STORAGE_POINT_INVALID');
      }),
      { numRuns: 5_000 },
    );
  });
});
