/**
 * `JsonItemMemo`: JSON array bodies decoded item by item, items met before
 * built from memory. Held to the serializer's decode of the whole body over
 * random sequences of bodies (resends with `endsAt` moved, changed and new
 * items, escaped keys, the member twice or not a string, malformed items
 * and separators, nesting and strings past small limits): the same value,
 * key order included, or the same error.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DECODE_LIMITS } from '../../src/base/constants.js';
import type { DecodeLimits } from '../../src/base/serializers/limits.js';
import { createSerializer } from '../../src/base/serializers/universal-serializer.js';
import {
  FNV_OFFSET,
  fnv,
  itemEntryBytes,
  itemTokensOf,
  JsonItemMemo,
} from '../../src/server/json-item-memo.js';
import { MemoBudget } from '../../src/storage/repositories/memo-budget.js';
import { BoundedTenantMap } from '../../src/storage/repositories/validation-memo.js';

/** An item's shape: a postable alert's fields, with its end written in one of several ways. */
const shape = fc.record({
  instance: fc.constantFrom('a', 'b', 'c', 'd'),
  summary: fc.constantFrom('down', 'really down', 'é', 'x'.repeat(12)),
  deep: fc.oneof(
    { arbitrary: fc.constant(''), weight: 8 },
    {
      arbitrary: fc.constantFrom(',"x":[[[[1]]]]', ',"__proto__":{}', ',"n":-0', ',"u":"\\u0041"'),
      weight: 2,
    },
  ),
  escapedKey: fc.constantFrom('', '', '', ',"ends\\u0041t":"z"'),
  end: fc.constantFrom('none', 'plain', 'plain', 'plain', 'twice', 'number', 'escaped', 'first'),
  space: fc.constantFrom('', ' ', '\n  '),
});
type Shape = typeof shape extends fc.Arbitrary<infer V> ? V : never;

/** A resend's `endsAt` text (inside the quotes). */
const endText = fc.constantFrom(
  '2026-12-01T00:05:00Z',
  '2026-12-01T00:06:00Z',
  '2026-12-01T00:07:00Z',
  '',
  'é',
  'tab\\t',
);

/** The JSON text of an item of `shape` ending at `end`. */
function textOf(i: Shape, end: string): string {
  const member = (() => {
    switch (i.end) {
      case 'none':
        return '';
      case 'twice':
        return `,"endsAt":"${end}","endsAt":"2026-12-01T00:07:00Z"`;
      case 'number':
        return ',"endsAt":5';
      case 'escaped':
        return `,"endsAt":"\\"${end}"`;
      default:
        return `,"endsAt":${i.space}"${end}"`;
    }
  })();
  const head = `"labels":{"alertname":"NodeDown","instance":"${i.instance}"},"annotations":{"summary":"${i.summary}"}${i.deep}${i.escapedKey}`;
  return i.end === 'first' ? `{"endsAt":"${end}",${head}}` : `{${head}${member}}`;
}

/** Now and then, an item that is not one. */
const oddItem = fc.constantFrom(
  '{"a" 1}',
  '{"a":1,}',
  '{"a":tru}',
  '{"a":"\u0001"}',
  '{]',
  '{"a":1}}',
);

/** A body: items of the pool resent (a new end), now and then an odd one, odd separators or frame. */
const body = fc.record({
  sends: fc.array(
    fc.oneof(
      { arbitrary: fc.record({ pick: fc.nat(), end: endText }), weight: 40 },
      { arbitrary: oddItem, weight: 1 },
    ),
    { maxLength: 8 },
  ),
  gaps: fc.array(
    fc.oneof(
      { arbitrary: fc.constantFrom(',', ' , ', ',\n'), weight: 30 },
      { arbitrary: fc.constantFrom(',,', ' '), weight: 1 },
    ),
    { minLength: 8, maxLength: 8 },
  ),
  frame: fc.constantFrom('array', 'array', 'array', 'array', 'array', 'object', 'trailing'),
  tenant: fc.constantFrom('acme', 'acme', 'globex'),
});
type Body = typeof body extends fc.Arbitrary<infer V> ? V : never;

/** The text of a body whose items come from `pool`. */
function bodyText(pool: readonly Shape[], b: Body): string {
  const inner = b.sends
    .map((send, k) => {
      const text =
        typeof send === 'string' ? send : textOf(pool[send.pick % pool.length] as Shape, send.end);
      return k === 0 ? text : `${b.gaps[k] ?? ','}${text}`;
    })
    .join('');
  if (b.frame === 'object') return `{"alerts":[${inner}]}`;
  return b.frame === 'trailing' ? `[${inner}] x` : ` [${inner}]\n`;
}

/** Limits small enough to be reached by the items above, now and then. */
const limits = fc.oneof(
  { arbitrary: fc.constant<Partial<DecodeLimits>>({}), weight: 10 },
  {
    arbitrary: fc.constantFrom<Partial<DecodeLimits>>(
      { maxDepth: 4 },
      { maxStringLength: 10 },
      { maxKeys: 3 },
      { maxItems: 3 },
      { maxNodes: 300 },
    ),
    weight: 5,
  },
);

function outcome(run: () => unknown): unknown {
  try {
    const value = run();
    return { value, text: JSON.stringify(value) };
  } catch (err) {
    const e = err as Error & { code?: unknown; context?: unknown };
    return { error: e.constructor.name, code: e.code, message: e.message, context: e.context };
  }
}

describe('JsonItemMemo', () => {
  it('decodes as the serializer decodes the whole body, over random sequences', () => {
    let built = 0;
    fc.assert(
      fc.property(
        fc.array(shape, { minLength: 1, maxLength: 5 }),
        fc.array(body, { minLength: 1, maxLength: 8 }),
        limits,
        (pool, bodies, overrides) => {
          const serializer = createSerializer({ limits: overrides });
          const memo = new JsonItemMemo();
          const decode = (b: Buffer) => serializer.decode(b, 'json');
          const seen = new Set<object>();
          for (const b of bodies) {
            const bytes = Buffer.from(bodyText(pool, b));
            const got = outcome(() =>
              memo.decode(bytes, b.tenant, serializer.options.limits, decode),
            );
            expect(got).toEqual(outcome(() => decode(bytes)));
            const tokens = itemTokensOf((got as { value?: unknown }).value) ?? [];
            built += tokens.filter((t) => t !== undefined && seen.has(t)).length;
            for (const t of tokens) if (t !== undefined) seen.add(t);
          }
        },
      ),
      { numRuns: 1_000 },
    );
    // The sequences resend: many items were built from memory.
    expect(built).toBeGreaterThan(300);
  });

  const item = (end: string, instance = 'a') =>
    `{"labels":{"alertname":"NodeDown","instance":"${instance}"},"endsAt":"${end}"}`;
  const decode = (b: Buffer) => createSerializer().decode(b, 'json');

  it('builds an item met before from memory: one token for the same item, its own endsAt', () => {
    const memo = new JsonItemMemo();
    const spy = vi.fn(decode);
    const first = memo.decode(
      Buffer.from(`[${item('t1')},${item('t1', 'b')}]`),
      'acme',
      DECODE_LIMITS,
      spy,
    );
    const again = memo.decode(
      Buffer.from(`[${item('t2', 'b')},${item('t3')}]`),
      'acme',
      DECODE_LIMITS,
      spy,
    );
    // Decoded once, with the first body; the second was built from memory.
    expect(spy).toHaveBeenCalledTimes(1);
    expect(again).toEqual([
      { labels: { alertname: 'NodeDown', instance: 'b' }, endsAt: 't2' },
      { labels: { alertname: 'NodeDown', instance: 'a' }, endsAt: 't3' },
    ]);
    const [a, b] = itemTokensOf(first) ?? [];
    expect(itemTokensOf(again)).toEqual([b, a]);
    expect(a).not.toBe(b);
    // Each body has objects of its own at the top; what is nested is shared, and frozen.
    const [x] = first as Record<string, unknown>[];
    const [, y] = again as Record<string, unknown>[];
    expect(y).not.toBe(x);
    expect(Object.isFrozen(y)).toBe(false);
    expect(y?.labels).toBe(x?.labels);
    expect(Object.isFrozen(y?.labels)).toBe(true);
  });

  it('decodes only the items met first, and keeps tenants apart', () => {
    const memo = new JsonItemMemo();
    memo.decode(Buffer.from(`[${item('t1')}]`), 'acme', DECODE_LIMITS, decode);
    const spy = vi.fn(decode);
    memo.decode(Buffer.from(`[${item('t2')},${item('t2', 'new')}]`), 'acme', DECODE_LIMITS, spy);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0].toString()).toBe(`[${item('t2', 'new')}]`);
    // Another tenant's memory is its own.
    const other = vi.fn(decode);
    const value = memo.decode(Buffer.from(`[${item('t2')}]`), 'globex', DECODE_LIMITS, other);
    expect(other).toHaveBeenCalledTimes(1);
    expect(itemTokensOf(value)?.[0]).not.toBe(
      itemTokensOf(memo.decode(Buffer.from(`[${item('t2')}]`), 'acme', DECODE_LIMITS, decode))?.[0],
    );
  });

  it('tells colliding items apart by their bytes, and keeps at most four of one hash', () => {
    // Items of one hash (Joux's multicollisions: FNV-1a's state after a block
    // is all that the rest depends on, so each stage's colliding pair doubles
    // the set): three stages, eight distinct items, one hash.
    const prefix = '{"labels":{"instance":"';
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let states = [{ text: prefix, state: fnv(Buffer.from(prefix), 0, prefix.length, FNV_OFFSET) }];
    for (let stage = 0; stage < 3; stage++) {
      const from = states[0]?.state as number;
      const seen = new Map<number, string>();
      let pair: [string, string] | undefined;
      for (let n = 0; pair === undefined; n++) {
        let block = '';
        for (let m = n, k = 0; k < 5; k++, m = Math.floor(m / alphabet.length)) {
          block += alphabet[m % alphabet.length];
        }
        const state = fnv(Buffer.from(block), 0, block.length, from);
        const other = seen.get(state);
        if (other !== undefined) pair = [other, block];
        else seen.set(state, block);
      }
      const [a, b] = pair;
      const end = fnv(Buffer.from(a), 0, a.length, from);
      states = states.flatMap((s) => [
        { text: s.text + a, state: end },
        { text: s.text + b, state: end },
      ]);
    }
    const texts = states.map((s) => `${s.text}"}}`);
    const hashes = new Set(texts.map((t) => fnv(Buffer.from(t), 0, t.length, FNV_OFFSET)));
    expect(new Set(texts).size).toBe(8);
    expect(hashes.size).toBe(1);

    const budget = new MemoBudget();
    const memo = new JsonItemMemo(budget);
    const bytes = Buffer.from(`[${texts.join(',')}]`);
    const first = memo.decode(bytes, 'acme', DECODE_LIMITS, decode);
    // Each of the four kept is charged, the three kept beside the first too.
    const charges = texts.map((t) => itemEntryBytes(t.length));
    expect(budget.used).toBe(charges.slice(0, 4).reduce((a, b) => a + b, 0));
    // Four are kept: the next body decodes the other four, and builds each right.
    const spy = vi.fn(decode);
    const again = memo.decode(bytes, 'acme', DECODE_LIMITS, spy);
    expect(again).toEqual(first);
    expect(again).toEqual(texts.map((t) => JSON.parse(t)));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0].toString()).toBe(`[${texts.slice(4).join(',')}]`);
    expect(itemTokensOf(again)?.filter((t) => t !== undefined)).toHaveLength(4);

    // A budget for one of them, its interval past: the second, kept beside the
    // first, starts the memo over, and is then the one kept.
    const one = new JsonItemMemo(
      new MemoBudget(Math.max(...charges.slice(0, 2)), { startOverIntervalMs: 0 }),
    );
    one.decode(Buffer.from(`[${texts[0]},${texts[1]}]`), 'acme', DECODE_LIMITS, decode);
    const seen = vi.fn(decode);
    const tokens = itemTokensOf(
      one.decode(Buffer.from(`[${texts[0]},${texts[1]}]`), 'acme', DECODE_LIMITS, seen),
    );
    expect(seen.mock.calls[0]?.[0].toString()).toBe(`[${texts[0]}]`);
    expect(tokens?.map((t) => t !== undefined)).toEqual([true, true]);
  });

  it('keeps no item larger than 16 KiB, and starts over past its byte budget', () => {
    const big = (end: string) =>
      `{"labels":{"alertname":"Big"},"x":"${'y'.repeat(17_000)}","endsAt":"${end}"}`;
    const memo = new JsonItemMemo();
    memo.decode(Buffer.from(`[${big('t1')}]`), 'acme', DECODE_LIMITS, decode);
    const spy = vi.fn(decode);
    const again = memo.decode(Buffer.from(`[${big('t2')}]`), 'acme', DECODE_LIMITS, spy);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(itemTokensOf(again)).toEqual([undefined]);
    expect(again).toEqual([JSON.parse(big('t2'))]);

    // A budget of two items (each charged for its bytes without its end), its
    // interval past: the third starts all over, the other memos of the budget with it.
    const charge = itemEntryBytes(item('', 'a').length);
    const budget = new MemoBudget(2 * charge, { startOverIntervalMs: 0 });
    const other = new BoundedTenantMap<string>(budget);
    other.set('acme', 'k', 'v');
    const small = new JsonItemMemo(budget);
    for (const name of ['a', 'b']) {
      small.decode(Buffer.from(`[${item('t1', name)}]`), 'acme', DECODE_LIMITS, decode);
    }
    expect([budget.used, budget.startOvers, other.get('acme', 'k')]).toEqual([2 * charge, 0, 'v']);
    small.decode(Buffer.from(`[${item('t1', 'c')}]`), 'acme', DECODE_LIMITS, decode);
    expect([budget.used, budget.startOvers, other.get('acme', 'k')]).toEqual([
      charge,
      1,
      undefined,
    ]);
    const after = vi.fn(decode);
    small.decode(Buffer.from(`[${item('t2', 'c')}]`), 'acme', DECODE_LIMITS, after);
    expect(after).not.toHaveBeenCalled();
    small.decode(Buffer.from(`[${item('t2', 'a')}]`), 'acme', DECODE_LIMITS, after);
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('keeps no item that does not fit before the interval since the last start-over', () => {
    const charge = itemEntryBytes(item('', 'a').length);
    const full = new JsonItemMemo(new MemoBudget(charge));
    full.decode(
      Buffer.from(`[${item('t1', 'a')},${item('t1', 'b')}]`),
      'acme',
      DECODE_LIMITS,
      decode,
    );
    const seen = vi.fn(decode);
    const tokens = itemTokensOf(
      full.decode(
        Buffer.from(`[${item('t2', 'a')},${item('t2', 'b')}]`),
        'acme',
        DECODE_LIMITS,
        seen,
      ),
    );
    // The first is still known; the second was not kept.
    expect(seen.mock.calls[0]?.[0].toString()).toBe(`[${item('t2', 'b')}]`);
    expect(tokens?.map((t) => t !== undefined)).toEqual([true, false]);
  });

  it('keeps no item its budget cannot hold', () => {
    const charge = itemEntryBytes(item('', 'a').length);
    const none = new JsonItemMemo(new MemoBudget(charge - 1));
    none.decode(Buffer.from(`[${item('t1')}]`), 'acme', DECODE_LIMITS, decode);
    const spy = vi.fn(decode);
    const again = none.decode(Buffer.from(`[${item('t2')}]`), 'acme', DECODE_LIMITS, spy);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(itemTokensOf(again)).toEqual([undefined]);
  });

  it('decodes whole a body that could reach the count limits', () => {
    const memo = new JsonItemMemo();
    const body = Buffer.from(`[${item('t1')},${item('t1', 'b')}]`);
    memo.decode(body, 'acme', DECODE_LIMITS, decode);
    const whole = vi.fn(decode);
    const small = { ...DECODE_LIMITS, maxNodes: body.byteLength };
    expect(memo.decode(body, 'acme', small, whole)).toHaveLength(2);
    expect(whole).toHaveBeenCalledWith(body);
    expect(itemTokensOf(whole.mock.results[0]?.value)).toBeUndefined();
  });
});
