/**
 * Prometheus's resends built from memory (`server/routes/resend-keys.ts`,
 * `storage/repositories/validation-memo.ts`), held to the path that maps
 * and validates every alert in full. Over random sequences of bodies —
 * alerts repeated with `endsAt` moved, annotations, severities, start times
 * and URLs changed, bad values, extra fields, the tenant's level →
 * priority overrides changed between bodies, "now" moving past some
 * `endsAt` — the memo path gives the same mapped alerts, the same
 * validated data, fingerprints, verdicts, issues and content keys.
 */
import fc from 'fast-check';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { DECODE_LIMITS } from '../../src/base/constants.js';
import type { LevelPriorityOverrides } from '../../src/base/enums/priority.js';
import { TenantIsolationError } from '../../src/base/exceptions/index.js';
import { UniversalSerializer } from '../../src/base/serializers/index.js';
import { GO_ZERO_TIME } from '../../src/interop/alertmanager/go-time.js';
import { postableToAlerts } from '../../src/interop/alertmanager/mapping.js';
import { bindTenant } from '../../src/server/auth.js';
import { itemTokensOf, JsonItemMemo } from '../../src/server/json-item-memo.js';
import { ingestInputOf } from '../../src/server/routes/alertmanager.js';
import {
  MappedAlertMemo,
  mapPostableBody,
  mapRememberedBody,
  postableMemoKeys,
} from '../../src/server/routes/resend-keys.js';
import {
  type IngestContext,
  keyOf,
  type ValidItem,
  validateRange,
} from '../../src/storage/repositories/alert-ingest-items.js';
import { contentKeyOf } from '../../src/storage/repositories/heartbeat-index.js';
import type { IngestItemResult } from '../../src/storage/repositories/types.js';
import {
  BoundedTenantMap,
  ValidationMemo,
} from '../../src/storage/repositories/validation-memo.js';
import { call, setup } from './helpers.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const labels = fc.record(
  {
    alertname: fc.constantFrom('NodeDown', 'HighCPU'),
    instance: fc.constantFrom('a:9100', 'b:9100'),
    severity: fc.constantFrom('critical', 'warning', 'info', 'bogus'),
    'bad-name': fc.constant('x'),
    job: fc.constantFrom('node', 7 as unknown as string),
  },
  { requiredKeys: ['alertname', 'instance'] },
);
const time = fc.oneof(
  fc.integer({ min: -5, max: 30 }).map(at),
  fc.constantFrom('', GO_ZERO_TIME, 'garbage', '2026-12-01 00:00:00', 'x'.repeat(70)),
  fc.constant(5 as unknown as string),
);
const postable = fc.record(
  {
    labels,
    annotations: fc.oneof(
      fc.constant({}),
      fc.record({ summary: fc.constantFrom('down', 'really down') }),
      fc.constant({ summary: 5 }),
    ),
    startsAt: time,
    endsAt: time,
    generatorURL: fc.constantFrom('', ' http://p:9090/graph ', 'http://p:9090/graph', 'no url'),
    tenantId: fc.constant('acme'),
    extra: fc.constant(true),
  },
  { requiredKeys: ['labels'] },
);
const overrides = fc.constantFrom<LevelPriorityOverrides | undefined>(
  undefined,
  { high: 'P1' },
  { low: 'P5', info: 'P5' },
);
/** An alert as Prometheus sends it: every field, strings only. */
const plain = fc.record({
  labels: fc.record({
    alertname: fc.constantFrom('NodeDown', 'HighCPU'),
    instance: fc.constantFrom('a:9100', 'b:9100', 'c:9100'),
    severity: fc.constantFrom('critical', 'warning', 'info', 'bogus'),
  }),
  annotations: fc.record({ summary: fc.constantFrom('down', 'really down') }),
  startsAt: fc.integer({ min: -5, max: 5 }).map(at),
  generatorURL: fc.constantFrom('http://p:9090/graph', ' http://p:9090/graph ', ''),
});
/** Mostly what Prometheus sends, sometimes an odd one. */
const pooled = fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: postable, weight: 1 });
/** A resend's `endsAt`: mostly a time, past or ahead; sometimes odd. */
const resendEnd = fc.oneof(
  { arbitrary: fc.integer({ min: -5, max: 30 }).map(at), weight: 6 },
  { arbitrary: time, weight: 1 },
);

/** What a resend may change besides `endsAt` (mostly nothing, as Prometheus sends). */
const change = fc.constantFrom(
  'none',
  'none',
  'none',
  'annotation',
  'severity',
  'url',
  'extra',
  'no-end',
  'null',
) as fc.Arbitrary<string>;

function changed(alert: Record<string, unknown>, how: string): Record<string, unknown> | null {
  const labels = alert.labels as Record<string, unknown>;
  switch (how) {
    case 'null':
      // Not an alert at all: refused with its path by both ways (a memo
      // lookup once read its endsAt and failed with 500).
      return null;
    case 'annotation':
      return { ...alert, annotations: { summary: 'changed' } };
    case 'severity':
      return { ...alert, labels: { ...labels, severity: 'critical' } };
    case 'url':
      return { ...alert, generatorURL: 'http://other:9090/graph' };
    case 'extra':
      return { ...alert, extra: 1 };
    case 'no-end': {
      const { endsAt: _end, ...rest } = alert;
      return rest;
    }
    default:
      return alert;
  }
}

/** A run: a few alerts, then bodies that resend them (a new `endsAt`, sometimes a change). */
const run = fc.record({
  pool: fc.array(pooled, { minLength: 1, maxLength: 4 }),
  steps: fc.array(
    fc.record({
      sends: fc.array(fc.record({ pick: fc.nat(), endsAt: resendEnd, how: change }), {
        minLength: 1,
        maxLength: 6,
      }),
      overrides,
      minute: fc.integer({ min: 0, max: 20 }),
      withRule: fc.boolean(),
    }),
    { minLength: 1, maxLength: 10 },
  ),
});

/** The bodies of a run. */
function bodiesOf(r: RunValue) {
  return r.steps.map((s) => ({
    ...s,
    body: s.sends.map(({ pick, endsAt, how }) =>
      changed({ ...(r.pool[pick % r.pool.length] as Record<string, unknown>), endsAt }, how),
    ),
  }));
}
type RunValue = typeof run extends fc.Arbitrary<infer V> ? V : never;

/** What a validated item is, without what only its identity in memory tells. */
function shapeOf(items: readonly ValidItem[]) {
  return items.map((item) => ({
    index: item.index,
    id: item.id,
    data: item.data,
    fingerprint: item.fingerprint,
    resolving: item.resolving,
    key: keyOf(item),
    // What a heartbeat reads instead of the data (an item built from memory
    // builds its data only when read): the same values.
    endsAt: item.endsAt,
    tags: { ruleId: item.tags.ruleId, labels: item.tags.labels, level: item.tags.level },
    matchesData:
      item.endsAt === item.data.endsAt &&
      item.tags.ruleId === item.data.ruleId &&
      item.tags.labels === item.data.labels &&
      item.tags.level === item.data.level,
  }));
}

describe('resends built from memory', () => {
  it('map as postableToAlerts maps them, over random sequences', () => {
    let remembered = 0;
    fc.assert(
      fc.property(run, (r) => {
        const memo = new MappedAlertMemo();
        for (const s of bodiesOf(r)) {
          const mapping = { now: new Date(T0 + s.minute * 60_000), levelPriorities: s.overrides };
          const keys = postableMemoKeys(s.body, s.overrides);
          remembered += keys.filter(
            (k) => k !== undefined && memo.get('acme', k) !== undefined,
          ).length;
          expect(mapPostableBody(s.body, keys, memo, 'acme', mapping)).toEqual(
            postableToAlerts(s.body, mapping),
          );
        }
      }),
      { numRuns: 500 },
    );

    expect(remembered).toBeGreaterThan(200);
  });

  it('map by item token as postableToAlerts maps them, over random sequences of JSON bodies', () => {
    let known = 0;
    fc.assert(
      fc.property(run, fc.array(fc.boolean(), { maxLength: 10 }), (r, foreign) => {
        const memo = new MappedAlertMemo();
        const items = new JsonItemMemo();
        for (const [n, s] of bodiesOf(r).entries()) {
          const mapping = { now: new Date(T0 + s.minute * 60_000), levelPriorities: s.overrides };
          // Now and then an item names another tenant: refused (403) both ways.
          const sent =
            foreign[n] === true ? [...s.body, { ...s.body[0], tenantId: 'other' }] : s.body;
          const body = items.decode(Buffer.from(JSON.stringify(sent)), 'acme', DECODE_LIMITS, (b) =>
            UniversalSerializer.decode(b, 'json'),
          ) as unknown[];
          const tokens = itemTokensOf(body) ?? [];
          known += tokens.filter((t) => t !== undefined && memo.byToken.has(t)).length;
          const bind = (raw: unknown) => {
            bindTenant(raw, 'acme');
          };
          const byToken = () => mapRememberedBody(body, tokens, memo, 'acme', mapping, bind);
          const full = () => {
            body.forEach(bind);
            return {
              items: postableToAlerts(body, mapping),
              keys: postableMemoKeys(body, s.overrides),
            };
          };
          if (foreign[n] === true) {
            expect(byToken).toThrow(TenantIsolationError);
            expect(full).toThrow(TenantIsolationError);
          } else expect(byToken()).toEqual(full());
        }
      }),
      { numRuns: 500 },
    );
    expect(known).toBeGreaterThan(200);
  });

  it('validate as the full parse validates them, over random sequences', () => {
    // An alert sent without `startsAt` starts at the time of its validation:
    // a frozen clock gives both paths the same.
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    let remembered = 0;
    fc.assert(
      fc.property(run, (r) => {
        const store = new ValidationMemo();
        for (const [n, s] of bodiesOf(r).entries()) {
          const now = new Date(T0 + s.minute * 60_000);
          const mapped = postableToAlerts(s.body, { now, levelPriorities: s.overrides });
          const keys = postableMemoKeys(s.body, s.overrides);
          const valid = mapped.flatMap((item) => (item.ok ? [item] : []));
          const inputs = valid.map((item) => ingestInputOf(item.alert, now));
          const ids = inputs.map(
            (_, i) => `0193a000-0000-7000-8000-${String(n * 10 + i).padStart(12, '0')}`,
          );
          const ruleIds = s.withRule
            ? new Map([['NodeDown', '0193a000-0000-7000-8000-999999999999']])
            : undefined;
          const base: IngestContext = { silences: undefined, ruleIds };
          const memo = { keys: valid.map((item) => keys[item.index]), store };
          const fullResults: IngestItemResult[] = [];
          const memoResults: IngestItemResult[] = [];
          const full = validateRange('acme', inputs, ids, now, fullResults, 0, inputs.length, base);
          remembered += memo.keys.filter(
            (k) => k !== undefined && store.get('acme', k) !== undefined,
          ).length;
          const fromMemo = validateRange('acme', inputs, ids, now, memoResults, 0, inputs.length, {
            ...base,
            memo,
          });
          expect(shapeOf(fromMemo)).toStrictEqual(shapeOf(full));
          // The same kind of object too (the model's data carries its computed getters).
          fromMemo.forEach((item, i) => {
            expect(Object.getPrototypeOf(item.data)).toBe(Object.getPrototypeOf(full[i]?.data));
          });
          expect(memoResults).toEqual(fullResults);
          for (const item of fromMemo) expect(keyOf(item)).toBe(contentKeyOf(item.data));
        }
      }),
      { numRuns: 500 },
    );
    // The sequences resend: many items were built from memory.

    expect(remembered).toBeGreaterThan(200);
  });

  it('remember a resend: the second sending of an alert is built from memory', () => {
    const body = [
      {
        labels: { alertname: 'NodeDown', instance: 'a:9100', severity: 'critical' },
        annotations: { summary: 'down' },
        startsAt: at(0),
        endsAt: at(4),
        generatorURL: 'http://p:9090/graph',
      },
    ];
    const store = new ValidationMemo();
    const now = new Date(T0);
    const run = (endsAt: string, id: string) => {
      const b = [{ ...body[0], endsAt }];
      const [item] = postableToAlerts(b, { now });
      if (item?.ok !== true) throw new Error('not mapped');
      const keys = postableMemoKeys(b, undefined);
      return validateRange('acme', [ingestInputOf(item.alert, now)], [id], now, [], 0, 1, {
        silences: undefined,
        ruleIds: undefined,
        memo: { keys, store },
      });
    };
    const [first] = run(at(4), '0193a000-0000-7000-8000-000000000001');
    expect(store.size('acme')).toBe(1);
    const [second] = run(at(5), '0193a000-0000-7000-8000-000000000002');
    // Built from the first item's entry: the same remembered content key, its own end.
    expect(second?.memo).toBe(first?.memo);
    expect(second?.data.endsAt).toEqual(new Date(at(5)));
    expect(second?.data.id).toBe('0193a000-0000-7000-8000-000000000002');
    expect(keyOf(second as ValidItem)).toBe(keyOf(first as ValidItem));
  });
});

describe('postableMemoKeys', () => {
  const alert = {
    labels: { alertname: 'A', severity: 'warning' },
    annotations: { summary: 's' },
    startsAt: at(0),
    endsAt: at(4),
    generatorURL: 'http://p',
  };
  it('keys equal alerts but for endsAt alike, and tells whether endsAt is set', () => {
    const [a, b, open, zero] = postableMemoKeys(
      [
        alert,
        { ...alert, endsAt: at(9) },
        { ...alert, endsAt: undefined },
        { ...alert, endsAt: GO_ZERO_TIME },
      ],
      undefined,
    );
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(open).not.toBe(a);
    expect(zero).toBe(open);
  });
  it('keys apart what the mapped input depends on: labels, annotations, start, URL, overrides', () => {
    const keys = new Set([
      ...postableMemoKeys(
        [
          alert,
          { ...alert, labels: { ...alert.labels, severity: 'critical' } },
          { ...alert, annotations: { summary: 't' } },
          { ...alert, annotations: undefined },
          { ...alert, startsAt: at(1) },
          { ...alert, generatorURL: 'http://q' },
        ],
        undefined,
      ),
      ...postableMemoKeys([alert], { medium: 'P1' }),
    ]);
    expect(keys.size).toBe(7);
  });
  it('gives no key to what is not plain JSON of a postable alert', () => {
    expect(
      postableMemoKeys(
        [
          null,
          [],
          { ...alert, tenantId: 'acme' },
          { ...alert, labels: { alertname: 1 } },
          { ...alert, annotations: new Map() },
          { ...alert, startsAt: new Date() },
          { ...alert, endsAt: 5 },
          { ...alert, generatorURL: null },
          Object.assign(Object.create({ inherited: true }), alert),
        ],
        undefined,
      ),
    ).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('resends built from memory through POST /api/v2/alerts', () => {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const alertOf = (instance: string, endsAt: string, summary = 'down') => ({
    labels: { alertname: 'NodeDown', instance, severity: 'warning' },
    annotations: { summary },
    startsAt,
    endsAt,
    generatorURL: 'http://p:9090/graph',
  });
  const ahead = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  it('a JSON resend is known by its bytes: no decoding, no key built; ingest answers from its memo', async () => {
    const t = await setup();
    onTestFinished(() => t.close());
    const gets = vi.spyOn(BoundedTenantMap.prototype, 'get');
    const decodes = vi.spyOn(JsonItemMemo.prototype, 'decode');
    onTestFinished(() => {
      gets.mockRestore();
      decodes.mockRestore();
    });
    const send = (endsAt: string, headers?: Record<string, string>) =>
      call(t.app, 'POST', '/api/v2/alerts', {
        key: t.keys.responder,
        body: [alertOf('a:9100', endsAt)],
        ...(headers === undefined ? {} : { headers }),
      });
    const first = await send(ahead(4));
    expect(first.body.counts).toMatchObject({ created: 1 });
    // The first sending: the route built its key and looked it up.
    expect(gets.mock.contexts.some((memo) => memo instanceof MappedAlertMemo)).toBe(true);
    gets.mockClear();
    const again = await send(ahead(5));
    expect(again.body.counts).toMatchObject({ created: 0, deduplicated: 1 });
    // The body was built from the item memo: its one item has a token.
    const built = decodes.mock.results.at(-1)?.value;
    expect(itemTokensOf(built)?.[0]).toBeDefined();
    // Known by the token: the route built no key and looked none up; ingest's memo answered.
    const hits = gets.mock.contexts.filter((_, i) => gets.mock.results[i]?.value !== undefined);
    expect(gets.mock.contexts.some((memo) => memo instanceof MappedAlertMemo)).toBe(false);
    expect(hits.some((memo) => memo instanceof ValidationMemo)).toBe(true);
    // Any Content-Encoding goes the full way: decoded, keyed, and the route's memo answers.
    gets.mockClear();
    const encoded = await send(ahead(6), { 'content-encoding': 'identity' });
    expect(encoded.body.counts).toMatchObject({ created: 0, deduplicated: 1 });
    const byKey = gets.mock.contexts.filter((_, i) => gets.mock.results[i]?.value !== undefined);
    expect(byKey.some((memo) => memo instanceof MappedAlertMemo)).toBe(true);
  });

  it('answers every body as the full path does: item memo against Content-Encoding identity', async () => {
    const t = await setup();
    onTestFinished(() => t.close());
    // Two tenants, one fed each way, the same sequence: resends, changes,
    // resolutions, a bad end, an odd item, a foreign tenant.
    const steps: unknown[][] = [
      [alertOf('a', ahead(4)), alertOf('b', ahead(4))],
      [alertOf('a', ahead(5)), alertOf('b', ahead(5)), alertOf('c', ahead(5))],
      [alertOf('a', ahead(6), 'changed'), alertOf('b', ahead(-1)), alertOf('c', 'garbage')],
      [alertOf('a', ahead(7), 'changed'), { ...alertOf('c', ahead(7)), extra: 1 }, null],
      [alertOf('a', ahead(8)), { ...alertOf('c', ahead(8)), tenantId: 'someone-else' }],
      [alertOf('a', ahead(9)), alertOf('b', ahead(9)), alertOf('c', ahead(9))],
    ];
    const outcomes = async (key: string, headers: Record<string, string>) => {
      const answers: unknown[] = [];
      for (const body of steps) {
        const reply = await call(t.app, 'POST', '/api/v2/alerts', { key, body, headers });
        const items = (reply.body.items as { outcome: string; status?: string }[] | undefined)?.map(
          ({ outcome, status }) => ({ outcome, status }),
        );
        answers.push({
          status: reply.status,
          counts: reply.body.counts,
          items,
          code: reply.body.code,
        });
      }
      return answers;
    };
    const memoized = await outcomes(t.keys.responder, {});
    const full = await outcomes(t.otherKey, { 'content-encoding': 'identity' });
    expect(memoized).toEqual(full);
    expect(memoized.map((a) => (a as { status: number }).status)).toEqual([
      200, 200, 200, 200, 403, 200,
    ]);
  });
});
