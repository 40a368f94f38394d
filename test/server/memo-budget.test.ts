/**
 * The estimates ingest's memos of resends are charged (`memo-budget.ts`)
 * held to the memory they really take. The route's whole chain of memos —
 * the wire's decoded items, the route's mapped alerts, ingest's validated
 * alerts — remembers a few thousand distinct alerts, small and large; then
 * the budget starts them over, and the memory that frees (heap and the
 * items' copies, measured after a full collection) must be no more than
 * what was charged, and not far below it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DECODE_LIMITS } from '../../src/base/constants.js';
import { UniversalSerializer } from '../../src/base/serializers/index.js';
import { bindTenant } from '../../src/server/auth.js';
import { itemTokensOf, JsonItemMemo } from '../../src/server/json-item-memo.js';
import { ingestInputOf } from '../../src/server/routes/alertmanager.js';
import { MappedAlertMemo, mapRememberedBody } from '../../src/server/routes/resend-keys.js';
import { validateRange } from '../../src/storage/repositories/alert-ingest-items.js';
import { MemoBudget } from '../../src/storage/repositories/memo-budget.js';
import type { IngestItemResult } from '../../src/storage/repositories/types.js';
import { ValidationMemo } from '../../src/storage/repositories/validation-memo.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and ArrayBuffers (the items' copies) after full collections. */
function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const now = new Date();
const startsAt = new Date(now.getTime() - 60_000).toISOString();
const endsAt = new Date(now.getTime() + 3_600_000).toISOString();

/** JSON bodies of 64 distinct alerts each, as Prometheus sends them. */
function bodies(count: number, description: string, run: string): Buffer[] {
  const out: Buffer[] = [];
  for (let b = 0; b < count; b += 64) {
    const alerts = [];
    for (let i = b; i < Math.min(count, b + 64); i++) {
      alerts.push({
        labels: { alertname: 'NodeDown', instance: `node-${i}:9100`, job: 'node', run },
        annotations: { summary: `node-${i} down`, description },
        startsAt,
        endsAt,
        generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0',
      });
    }
    out.push(Buffer.from(JSON.stringify(alerts)));
  }
  return out;
}

/** Runs `sent` through the route's chain of memos, each kept within `budget`. */
function remember(budget: MemoBudget, sent: Buffer[]): { held: number; charged: number } {
  const items = new JsonItemMemo(budget);
  const mapped = new MappedAlertMemo(budget);
  const validated = new ValidationMemo(budget);
  let n = 0;
  const before = memory();
  for (const bytes of sent) {
    const body = items.decode(bytes, 'acme', DECODE_LIMITS, (b) =>
      UniversalSerializer.decode(b, 'json'),
    ) as unknown[];
    const tokens = itemTokensOf(body) ?? [];
    const route = mapRememberedBody(body, tokens, mapped, 'acme', { now }, (raw) => {
      bindTenant(raw, 'acme');
    });
    const valid = route.items.flatMap((item) => (item.ok ? [item] : []));
    const inputs = valid.map((item) => ingestInputOf(item.alert, now));
    const ids = inputs.map(() => `0193a000-0000-7000-8000-${String(n++).padStart(12, '0')}`);
    const results: IngestItemResult[] = [];
    const memo = { keys: valid.map((item) => route.keys[item.index]), store: validated };
    const kept = validateRange('acme', inputs, ids, now, results, 0, inputs.length, {
      silences: undefined,
      ruleIds: undefined,
      memo,
    });
    expect(kept).toHaveLength(64);
  }
  const charged = budget.used;
  const full = memory() - before;
  // An entry as large as the budget starts every memo over (the interval is 0).
  budget.charge(budget.maxBytes);
  const held = full - (memory() - before);
  return { held, charged };
}

describe('the memos of resends, charged against their budget', () => {
  it.each([
    ['small alerts (about 330 bytes of JSON)', ''],
    ['large alerts (a 1,500-character description)', 'x'.repeat(1_500)],
  ])('charge no less than the memory they hold, and not far more: %s', (_, description) => {
    const budget = new MemoBudget(1 << 30, { startOverIntervalMs: 0 });
    const { held, charged } = remember(budget, bodies(3_008, description, _));
    expect(budget.startOvers).toBe(1);
    // Charged: about 3 KB an alert for small ones, 7.5 KB for large ones.
    expect(charged / 3_008).toBeGreaterThan(2_500);
    expect(held).toBeLessThanOrEqual(charged);
    expect(held).toBeGreaterThan(0.6 * charged);
  });
});
