/**
 * The compiled parser of every shipped model against its regular parser
 * (Zod's), on generated inputs: valid ones (the model's examples, with fields
 * dropped, renamed to wire names, swapped between examples), near-valid and
 * mutated ones (a field's valid value changed a little: one bound, pattern,
 * enum, item or entry off; a field set to a value of another type or shape;
 * unknown keys; a field given twice by name and alias), and hostile ones (deep,
 * wide, oversized, prototype keys, null-prototype objects, class instances).
 *
 * Both must agree on the verdict, on every issue (code, path, pointer,
 * message, branch, line, column, in order) and on the instance (every field,
 * computed field, prototype, frozenness). Runs per model:
 * `ALERTBASE_PARITY_RUNS` (default 1,500; docs/validation.md gives the
 * larger runs), `ALERTBASE_PARITY_SEED` (default 20).
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  getModelCompilation,
  setModelCompilation,
} from '../../src/base/types/compiler/settings.js';
import { type AnyModel, listModels } from '../../src/base/types/model.js';
import { Secret } from '../../src/base/types/secret.js';
import '../../src/domain/index.js';
import { PostableAlert, WebhookAlert, WebhookPayload } from '../../src/interop/index.js';

const RUNS = Number(process.env.ALERTBASE_PARITY_RUNS ?? 1_500);

const models: AnyModel[] = [...listModels(), PostableAlert, WebhookAlert, WebhookPayload];

const UUID = '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10';

/** Values that sit on the edges of the shipped field types. */
const EDGE_STRINGS = [
  '',
  ' ',
  'a',
  'acme',
  'acme-prod',
  'Acme Corp',
  '-acme',
  'x'.repeat(64),
  'x'.repeat(300),
  '__name__',
  '__x',
  'alertname',
  'bad-label',
  '1bad',
  'high',
  'HIGH',
  'critical',
  'severe',
  'P1',
  'P2',
  'p2',
  'P7',
  'firing',
  'resolved',
  'acknowledged',
  'suppressed',
  '5m',
  '1h30m',
  '30m1h',
  '0',
  '-1s',
  '99999999999y',
  '250ms',
  '5 minutes',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00.123456789Z',
  '2026-01-01T02:00:00.5+02:00',
  '2026-02-30T00:00:00Z',
  '2026-01-01T00:00:00',
  '2026-01-01 00:00:00',
  'http://prometheus.example.com/graph?g0.expr=up',
  'https://hooks.example.com/x',
  'javascript:alert(1)',
  'prometheus.example.com/graph',
  // URLs the compiled check passes as they are, and ones Zod trims, rewrites or refuses.
  'HTTPS://hooks.example.com/x',
  ' https://hooks.example.com/x',
  'https://hooks.example.com/x\u0001',
  'https://hooks.exa\tmple.com/x',
  'http:hooks.example.com',
  'ftp://hooks.example.com/x',
  'ftp://x.example.com',
  UUID,
  '01950B2E-7A3C-7C4E-9D1F-3B8E2A6C4D10',
  'not-a-uuid',
  'cpu_usage > 80',
  'rate(http_requests_total[5m]) > 0.1',
  'rate(up) > 1',
  'cpu_usage >',
  'sum by (job) (rate(x{a=~"5.."}[5m]))',
  '{{ $value }}',
  '{{ bad',
  '{{ end }}',
  'oncall@example.com',
  'not an email',
  'cbf29ce484222325',
  '\u{1F600}\u{1F600}',
  '\uD800',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

const KEYS = [
  'alertname',
  'severity',
  'team',
  'instance',
  'summary',
  'runbook_url',
  'bad-label',
  '1bad',
  '__name__',
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'x'.repeat(200),
  '',
  '0',
  '12',
];

class Opaque {
  readonly kind = 'opaque';
}

const scalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: -3, max: 10_000_000 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0,
      -0,
      1,
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      9_223_372_036_854,
      9_223_372_036_855,
      true,
      false,
      null,
      undefined,
      10n,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new Date('2026-01-01T00:00:00Z'),
      new Date(Number.NaN),
      new Secret('s3cret-value-1234567890'),
      new Opaque(),
      new Map([['a', 'b']]),
    ),
  },
);

const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...KEYS, ...EDGE_STRINGS.slice(0, 12)), tie('value')), {
          maxLength: 4,
        })
        .map(Object.fromEntries),
    },
  ),
})).value;

/** A string-to-string map: label sets and annotations, valid or nearly. */
const stringMap = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...KEYS), fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/)),
      fc.oneof(
        fc.constantFrom('critical', '{{ $value }}', '{{ bad', 'x'.repeat(1100)),
        fc.string({ maxLength: 8 }),
      ),
    ),
    { maxLength: 5 },
  )
  .map(Object.fromEntries);

/** Hostile shapes: deep, wide, long. */
const hostile = fc.constantFrom<unknown>(
  Array.from({ length: 5_000 }, () => UUID),
  Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'])),
  JSON.parse('{"__proto__": {"polluted": true}, "a": "b"}'),
  Object.create(null),
  Object.assign(Object.create(null), { alertname: 'x' }),
  [[[[[[[[[[[['deep']]]]]]]]]]]],
  // biome-ignore lint/suspicious/noSparseArray: a sparse array is the point
  [, UUID],
  'x'.repeat(20_000),
);

/** How a near-valid value is made from a valid one: which change, and an edge string and key to use. */
type Mutation = readonly [number, string, string];
const mutation: fc.Arbitrary<Mutation> = fc.tuple(
  fc.nat(7),
  fc.constantFrom(...EDGE_STRINGS),
  fc.constantFrom(...KEYS),
);

/**
 * A near-valid value: a valid one changed a little, so that each field's own
 * checks fail one at a time (a bound, a pattern, an enum, an item of an
 * array, an entry of a map, a nested field) rather than its type alone.
 */
function mutate(v: unknown, [n, s, k]: Mutation): unknown {
  if (typeof v === 'string') {
    return [`${v}x`, v.slice(1), v.toUpperCase(), `${v} `, v.repeat(40), '', s, `_${v}`][n];
  }
  if (typeof v === 'number')
    return [v - 1, -v - 1, v + 0.5, v * 1e9, Number.NaN, String(v), s, 0][n];
  if (Array.isArray(v)) {
    const inner: Mutation = [(n + 3) % 8, s, k];
    return [
      [...v, s],
      [...v, v[0]],
      [],
      [s],
      v.map((x) => mutate(x, inner)),
      [...v, 5],
      [v],
      v.slice(1),
    ][n];
  }
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
    const entries = Object.entries(v);
    const first = entries[0];
    const nested =
      first === undefined
        ? { [k]: s }
        : { ...v, [first[0]]: mutate(first[1], [(n + 1) % 8, s, k]) };
    return [
      { ...v, [k]: s },
      { ...v, [k]: 1 },
      Object.fromEntries(entries.slice(1)),
      nested,
      {},
      { ...v, [s]: s },
      [v],
      { ...v, [k]: {} },
    ][n];
  }
  return [s, 0, [], {}, 'true', null, undefined, 1][n];
}

type Op =
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'mutate'; readonly key: string; readonly how: Mutation }
  | { readonly kind: 'delete'; readonly key: string };

/** Valid inputs of the models that declare no examples. */
const FIXTURES: Readonly<Record<string, readonly unknown[]>> = {
  Notification: [
    {
      tenantId: 'acme',
      id: UUID,
      channelId: '01950b2e-7a3d-7f00-8a1b-0c2d3e4f5a6b',
      groupId: 'g1',
      receiver: 'ops',
      action: 'notify',
      state: 'pending',
      alertIds: [UUID],
      attempts: 0,
      attemptLog: [
        {
          at: '2026-01-01T00:00:00Z',
          outcome: 'retry',
          status: 503,
          error: 'busy',
          durationMs: 12.5,
        },
      ],
      lastError: null,
      nextAttemptAt: '2026-01-01T00:00:00Z',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      deliveredAt: null,
      message: { status: 'firing', alerts: [] },
    },
  ],
};

function inputs(model: AnyModel): fc.Arbitrary<unknown> {
  const declared = [...model.examples, ...(FIXTURES[model.name] ?? [])];
  const examples = declared.length > 0 ? declared : [{}];
  const names = [...model.fields, ...Object.values(model.aliases), ...model.computedFields];
  const keys = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('colour', 'severity', '__proto__', 'constructor', 'toString'),
    },
  );
  const fieldValue = fc.oneof(
    { weight: 3, arbitrary: value },
    { weight: 2, arbitrary: stringMap },
    { weight: 1, arbitrary: hostile },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...examples), fc.constantFrom(...names))
        .map(([e, k]) => (e as Record<string, unknown>)[k]),
    },
  );
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('set' as const), key: keys, value: fieldValue }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('mutate' as const), key: keys, how: mutation }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keys }) },
  );
  const rename = fc.boolean();
  const built = fc
    .tuple(fc.constantFrom(...examples), fc.array(op, { maxLength: 4 }), rename, fc.boolean())
    .map(([example, ops, byAlias, nullProto]) => {
      const base: Record<string, unknown> = nullProto ? Object.create(null) : {};
      for (const [k, v] of Object.entries(example as Record<string, unknown>)) {
        base[byAlias ? (model.aliases[k] ?? k) : k] = v;
      }
      for (const o of ops) {
        if (o.kind === 'set') base[o.key] = o.value;
        else if (o.kind === 'mutate') base[o.key] = mutate(base[o.key], o.how);
        else delete base[o.key];
      }
      return base;
    });
  return fc.oneof(
    { weight: 12, arbitrary: built },
    { weight: 1, arbitrary: value },
    { weight: 1, arbitrary: hostile },
  );
}

/** What is compared: an instance's fields and computed fields, secrets and dates by value. */
function comparable(
  model: AnyModel,
  result: ReturnType<AnyModel['safeParse']>,
  input: unknown,
): unknown {
  if (!result.success) {
    // The message is rendered from the issues: it must agree too.
    const { issues, name, message } = result.error;
    return { issues, name, message };
  }
  const instance = result.data as Record<string, unknown>;
  const given = (key: string): boolean => {
    if (typeof input !== 'object' || input === null) return false;
    const record = input as Record<string, unknown>;
    const alias = model.aliases[key];
    return record[key] !== undefined || (alias !== undefined && record[alias] !== undefined);
  };
  const out: Record<string, unknown> = {
    proto: Object.getPrototypeOf(instance),
    frozen: Object.isFrozen(instance),
    keys: Object.keys(instance),
  };
  for (const key of [...Object.keys(instance), ...model.computedFields]) {
    const v = instance[key];
    // Made at parse time (a new id, now): equal in kind, not in value.
    if (
      !given(key) &&
      (v instanceof Date || (typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v)))
    ) {
      out[key] = v instanceof Date ? 'a date' : 'an id';
    } else if (key === 'durationMs') {
      out[key] = typeof v;
    } else {
      out[key] = plain(v);
    }
  }
  return out;
}

function plain(v: unknown): unknown {
  if (v instanceof Secret) return { secret: plain(v.reveal()) };
  if (v instanceof Date) return { date: v.getTime() };
  if (Array.isArray(v)) return { frozen: Object.isFrozen(v), items: v.map(plain) };
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {
      frozen: Object.isFrozen(v),
      proto: Object.getPrototypeOf(v),
    };
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

const initial = getModelCompilation();
afterAll(() => setModelCompilation(initial));

describe('compiled model parsers agree with the regular parser', () => {
  it('compiles every shipped model', () => {
    setModelCompilation('lazy');
    const refused = models.filter((m) => m.compiledSource() === undefined).map((m) => m.name);
    expect(refused).toEqual([]);
  });

  for (const model of models) {
    it(
      `${model.name}: same verdict, issues and instance on ${RUNS} generated inputs`,
      () => {
        let valid = 0;
        fc.assert(
          fc.property(inputs(model), (input) => {
            setModelCompilation('off');
            const regular = model.safeParse(input);
            setModelCompilation('lazy');
            const compiled = model.safeParse(input);
            if (regular.success) valid += 1;
            const a = comparable(model, regular, input);
            const b = comparable(model, compiled, input);
            if (!isDeepStrictEqual(a, b)) {
              expect(b).toEqual(a);
              return false;
            }
            return true;
          }),
          { numRuns: RUNS, seed: Number(process.env.ALERTBASE_PARITY_SEED ?? 20) },
        );
        // The generator must reach both paths.
        expect(valid).toBeGreaterThan(0);
        expect(valid).toBeLessThan(RUNS);
      },
      // About 3 ms an input on the shared two-core machine under load (10 ms at worst).
      Math.max(30_000, RUNS * 20),
    );
  }

  it('the examples of every model parse alike, compiled or not', () => {
    for (const model of models) {
      for (const example of model.examples) {
        setModelCompilation('off');
        const regular = model.safeParse(example);
        setModelCompilation('lazy');
        const compiled = model.safeParse(example);
        expect(compiled.success, model.name).toBe(true);
        expect(comparable(model, compiled, example)).toEqual(comparable(model, regular, example));
      }
    }
  });
});
