import fc from 'fast-check';
import type { z } from 'zod';
import { FORBIDDEN_KEYS } from '../../src/base/constants.js';
import {
  modelWireType,
  type ObjectWire,
  unwrapWire,
  type WireType,
} from '../../src/base/serializers/index.js';
import type { AnyModel } from '../../src/base/types/model.js';
import { isSecret } from '../../src/base/types/secret.js';

/** Runs per property: more in CI. */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? (process.env.CI === 'true' ? 200 : 100));

/** Strings that formats tend to get wrong. */
const TRICKY = [
  '',
  ' ',
  '  padded  ',
  '0000553f9ff83584',
  '123',
  '-0',
  '1e3',
  'null',
  'true',
  '~',
  'yes',
  '<tag>&amp;</tag>',
  'a\nb\r\nc\td',
  '"quoted" \'single\'',
  '- item',
  'key: value',
  '#comment',
  'emoji 🚨 and ünïcödé',
  '\u0001control\u001f',
  ']]>',
];

const stringArb = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ maxLength: 12 }),
);

const labelNameArb = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,10}$/)
  .filter((s) => !s.startsWith('__'));

const numberArb = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((n) => (Object.is(n, -0) ? 0 : n));

const dateArb = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59Z'),
  noInvalidDate: true,
});

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def as unknown as Def;
    if (def.shape !== undefined) return def.shape;
    const next = def.innerType ?? def.out;
    if (next === undefined) return {};
    s = next;
  }
  return {};
}

/** A candidate value for `type`, kept only when `schema` accepts it, else `fallback`. */
function valueArb(
  type: WireType,
  schema: z.ZodType,
  fallback: unknown,
  depth: number,
): fc.Arbitrary<unknown> {
  const { inner, nullable, optional } = unwrapWire(type);
  let base: fc.Arbitrary<unknown>;
  switch (inner.kind) {
    case 'string':
    case 'secret':
      base = stringArb;
      break;
    case 'number':
      base = inner.int ? fc.integer({ min: 0, max: 2 ** 40 }) : numberArb;
      break;
    case 'boolean':
      base = fc.boolean();
      break;
    case 'date':
      base = dateArb;
      break;
    case 'enum':
      base = fc.constantFrom(...inner.values);
      break;
    case 'literal':
      base = fc.constant(inner.value);
      break;
    case 'array':
    case 'set':
      base = fc.array(
        valueArb(inner.element, elementSchema(schema), firstOf(fallback), depth + 1),
        { maxLength: 3 },
      );
      break;
    case 'record':
    case 'map':
      base = fc.dictionary(
        labelNameArb,
        valueArb(inner.value, elementSchema(schema), firstValue(fallback), depth + 1),
        { maxKeys: 4 },
      );
      break;
    case 'object':
      base = objectArb(
        inner,
        shapeOf(schema),
        (fallback ?? {}) as Record<string, unknown>,
        depth + 1,
      );
      break;
    case 'variant':
      base = fc.constant(fallback);
      break;
    default:
      base = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), stringArb);
  }
  let arb = base;
  if (nullable) arb = fc.option(arb, { nil: null, freq: 3 });
  if (optional) arb = fc.option(arb, { nil: undefined, freq: 4 });
  // Keep what the field's own schema accepts; otherwise the example's value.
  return arb.map((v) => (schema.safeParse(v).success ? v : fallback));
}

function elementSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def as unknown as Def;
    if (def.element !== undefined) return def.element;
    if (def.valueType !== undefined) return def.valueType;
    const next = def.innerType ?? def.out ?? def.in;
    if (next === undefined) return s;
    s = next;
  }
  return s;
}

const firstOf = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);
const firstValue = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? Object.values(v)[0] : undefined;

function objectArb(
  type: ObjectWire,
  shape: Record<string, z.ZodType>,
  example: Record<string, unknown>,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of type.fields) {
    const schema = shape[f.name];
    if (schema === undefined) continue;
    parts[f.name] =
      depth > 4 ? fc.constant(example[f.name]) : valueArb(f.type, schema, example[f.name], depth);
  }
  return fc
    .record(parts)
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

/**
 * Random valid instances of a model: each field varied from the model's
 * first example (kept where the field's schema refuses the candidate), the
 * whole validated by the model (the example itself where a cross-field rule
 * refuses the combination).
 */
export function instanceArb(model: AnyModel): fc.Arbitrary<object> {
  const example = model.parse(model.examples[0]) as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const f of model.fields) raw[f] = example[f];
  return objectArb(modelWireType(model), shapeOf(model.schema), raw, 0).map((candidate) => {
    const result = model.safeParse(candidate);
    return result.success ? result.data : model.parse(raw);
  });
}

/** An instance as plain comparable data: secrets revealed, computed fields left out. */
export function comparable(model: AnyModel, instance: object): unknown {
  const computed = new Set(model.computedFields);
  const norm = (v: unknown): unknown => {
    if (isSecret(v)) return { secret: norm(v.reveal()) };
    if (Array.isArray(v)) return v.map(norm);
    if (v instanceof Date || v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(instance)) if (!computed.has(k)) out[k] = norm(v);
  return out;
}

/** JSON-compatible data without `-0` (which JSON itself writes as `0`). */
export const jsonValueArb: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 }).map(function strip(
  v: unknown,
): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(strip);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !FORBIDDEN_KEYS.has(k))
        .map(([k, x]) => [k, strip(x)]),
    );
  }
  return v;
});
