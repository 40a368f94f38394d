import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineModel, type SafeParseResult } from '../model.js';
import { compileModel } from './compile-model.js';
import { getModelCompilation, setModelCompilation } from './settings.js';

const initial = getModelCompilation();
afterEach(() => {
  setModelCompilation(initial);
  vi.unstubAllGlobals();
  z.config({ jitless: false });
});

interface Node {
  readonly name: string;
  readonly children?: readonly Node[] | undefined;
}
const NodeSchema: z.ZodType<Node> = z.lazy(() =>
  z.strictObject({ name: z.string().min(1), children: z.array(NodeSchema).optional() }),
);

const shape = {
  name: z.string().trim().min(2).max(10),
  count: z.int().min(0).max(100).optional(),
  ratio: z.number().gt(0).lt(1).nullable().default(null),
  kind: z.enum(['a', 'b']).default('a'),
  flag: z.literal(true).optional(),
  tags: z.array(z.string().max(3)).max(3).default([]),
  meta: z.record(z.string().regex(/^[a-z]+$/), z.union([z.string(), z.number()])).optional(),
  inner: z.strictObject({ x: z.boolean(), y: z.null().optional() }).optional(),
  loose: z.looseObject({ x: z.boolean() }).optional(),
  when: z.string().transform((s, ctx) => {
    if (s === 'never') ctx.addIssue({ code: 'custom', message: 'not never' });
    return s.length;
  }),
  even: z
    .number()
    .refine((n) => n % 2 === 0, 'expected an even number')
    .optional(),
  tree: NodeSchema.optional(),
  any: z.unknown(),
};

function models(extra: 'forbid' | 'ignore' | 'allow') {
  return defineModel(`CompilerToy_${extra}`, {
    register: false,
    extra,
    fields: shape,
    aliases: { when: 'at' },
    computed: { double: (d) => (d.count ?? 0) * 2 },
    refine: (data, ctx) => {
      if (data.name === 'bad') ctx.addIssue({ path: ['name'], code: 'bad_name', message: 'no' });
    },
  });
}

const VALID = {
  name: ' ok ',
  when: 'now',
  any: 1,
  meta: { a: 'x', b: 2 },
  tree: { name: 'r', children: [{ name: 'c' }] },
};

const INPUTS: unknown[] = [
  VALID,
  {
    ...VALID,
    count: 5,
    ratio: 0.5,
    kind: 'b',
    flag: true,
    tags: ['a'],
    inner: { x: true, y: null },
  },
  { ...VALID, at: 'later' },
  { ...VALID, when: undefined, at: 'x' },
  { ...VALID, name: 'bad' },
  { ...VALID, name: 'x' },
  { ...VALID, count: -1, ratio: 2, kind: 'c', flag: false, tags: ['abcd', 5] },
  { ...VALID, tags: ['a', 'b', 'c', 'd'] },
  { ...VALID, meta: { A: 'x', b: true } },
  { ...VALID, meta: [] },
  { ...VALID, inner: { x: 1, z: 2 } },
  { ...VALID, inner: { x: true, y: 0 } },
  { ...VALID, inner: 'x', loose: [] },
  { ...VALID, name: 5, count: 1.5, ratio: Number.NaN, tags: 'abc', meta: { a: null } },
  { ...VALID, name: '\u{1F600}', count: 101, ratio: 0, tags: ['abc', 'de'], kind: undefined },
  { ...VALID, tree: { name: 'r', children: 'x' }, even: '2', at: 5 },
  { ...VALID, tags: Array.from({ length: 5 }, () => 5) },
  { ...VALID, loose: { x: true, more: 1 } },
  { ...VALID, when: 'never' },
  { ...VALID, even: 3 },
  { ...VALID, even: 4 },
  { ...VALID, tree: { name: '', children: [{ name: 5 }] } },
  { ...VALID, unknownKey: 1, other: 2 },
  { name: 'ok' },
  {},
  { ...VALID, any: undefined },
  { ...VALID, double: 4 },
];

function outcome(result: SafeParseResult<object>): unknown {
  if (!result.success) return result.error.issues;
  const data = result.data as unknown as Record<string, unknown>;
  return {
    keys: Object.keys(data),
    data: { ...data },
    double: data.double,
    frozen: Object.isFrozen(data),
  };
}

describe('compileModel', () => {
  for (const extra of ['forbid', 'ignore', 'allow'] as const) {
    it(`a model with every kind of field (extra: ${extra}) parses alike compiled and not`, () => {
      const model = models(extra);
      for (const input of INPUTS) {
        setModelCompilation('off');
        const regular = outcome(model.safeParse(input));
        setModelCompilation('lazy');
        const compiled = outcome(model.safeParse(input));
        expect(isDeepStrictEqual(compiled, regular), JSON.stringify(input)).toBe(true);
      }
      expect(model.compiledSource()).toContain('function compiledParse');
    });
  }

  it('builds a valid instance with the prototype of its computed fields, loose keys aside', () => {
    const strict = models('forbid');
    expect(strict.compiledSource()).toContain('Output.prototype = ');
    const parsed = strict.parse(VALID) as unknown as Record<string, unknown>;
    expect(parsed.double).toBe(0);
    expect(JSON.parse(JSON.stringify(parsed)).double).toBe(0);
    // A loose model keeps undeclared keys, one of them maybe named like a
    // member of the prototype (toJSON): its output is built as a literal.
    const loose = models('allow');
    expect(loose.compiledSource()).not.toContain('Output.prototype = ');
    const input = { ...VALID, toJSON: 'kept' };
    setModelCompilation('off');
    const regular = outcome(loose.safeParse(input));
    setModelCompilation('lazy');
    expect(outcome(loose.safeParse(input))).toEqual(regular);
    expect((loose.parse(input) as unknown as Record<string, unknown>).toJSON).toBe('kept');
  });

  it('leaves what it does not know to Zod: the recursive field is run by Zod', () => {
    const source = models('forbid').compiledSource() ?? '';
    expect(source).toContain('H.runNode(');
    expect(source).toContain('H.check(');
    expect(source).toContain('H.transform(');
  });

  it('files the issues of the nodes it knows itself, and runs only the others by Zod', () => {
    const source = models('forbid').compiledSource() ?? '';
    const invalidPath = source.slice(
      source.indexOf('function fieldByField'),
      source.indexOf('function compiledParse'),
    );
    for (const code of [
      'invalid_type',
      'too_big',
      'too_small',
      'invalid_value',
      'invalid_format',
    ]) {
      expect(invalidPath).toContain(`code: '${code}'`);
    }
    expect(invalidPath).toContain("expected: 'nonoptional'");
    expect(invalidPath).toContain('H.unrecognizedKeys(');
    expect(invalidPath).not.toContain('H.runProperty(');
    // Zod runs, node by node: an oversized `tags`, a record with symbol keys,
    // the union, the loose object, the transform and the lazy tree.
    expect(invalidPath.match(/H\.run\(/g)?.length).toBe(6);
  });

  it('keeps custom messages: of a schema, of a check, a function of the issue, the global map', () => {
    const model = defineModel('CompilerToyMessages', {
      register: false,
      fields: {
        code: z
          .string({ error: 'code must be text' })
          .max(3, 'at most 3')
          .regex(/^[a-z]+$/, { error: (issue) => `bad code ${String(issue.input)}` }),
        size: z.number().int().min(1, { error: 'one or more' }).optional(),
        kind: z.enum(['a', 'b'], { error: (issue) => `kind: not ${String(issue.input)}` }),
        list: z.array(z.string().min(2)).max(2, 'two at most').default([]),
        // The schema's message serves its checks too.
        note: z.string({ error: 'note: text of 2 to 4' }).min(2).max(4).optional(),
        // A map that answers with an object for one code and passes the rest on.
        grade: z
          .number({
            error: (issue) =>
              issue.code === 'invalid_type' ? { message: 'grade: a number' } : undefined,
          })
          .max(5)
          .optional(),
      },
    });
    const inputs = [
      { code: 5, size: 0, kind: 'c', list: ['x', 'yy', 'zzz'] },
      { code: 'ABCD', size: 1.5, kind: 1, list: 'x' },
      { code: 'ab', kind: 'a', list: [1], note: 'x' },
      { code: 'ab', kind: 'a', grade: 'x' },
      { code: 'ab', kind: 'a', grade: 9 },
      {},
    ];
    const both = () =>
      inputs.map((input) => {
        setModelCompilation('off');
        const regular = outcome(model.safeParse(input));
        setModelCompilation('lazy');
        return { regular, compiled: outcome(model.safeParse(input)) };
      });
    for (const { regular, compiled } of both()) expect(compiled).toEqual(regular);
    expect(JSON.stringify(both()[1]?.compiled)).toContain('bad code ABCD');
    expect(JSON.stringify(both()[2]?.compiled)).toContain('note: text of 2 to 4');
    expect(JSON.stringify(both()[3]?.compiled)).toContain('grade: a number');
    expect(JSON.stringify(both()[4]?.compiled)).toContain('Too big: expected number to be <=5');
    z.config({ customError: (issue) => `global: ${issue.code}` });
    try {
      for (const { regular, compiled } of both()) expect(compiled).toEqual(regular);
      expect(JSON.stringify(both()[1]?.compiled)).toContain('global: ');
      expect(JSON.stringify(both()[4]?.compiled)).toContain('global: too_big');
    } finally {
      z.config({ customError: undefined });
    }
  });

  it('an async check fails alike compiled and not', () => {
    const model = defineModel('CompilerToyAsync', {
      register: false,
      fields: { name: z.string().refine(async () => true) },
    });
    setModelCompilation('off');
    expect(() => model.safeParse({ name: 'x' })).toThrow(z.core.$ZodAsyncError);
    setModelCompilation('lazy');
    expect(() => model.safeParse({ name: 'x' })).toThrow(z.core.$ZodAsyncError);
  });

  it('falls back to the regular parser when code generation is refused', () => {
    vi.stubGlobal(
      'Function',
      class {
        constructor() {
          throw new EvalError('Code generation from strings disallowed for this context');
        }
      },
    );
    const model = models('forbid');
    expect(model.compiledSource()).toBeUndefined();
    // (Zod itself generates code too: it is given its Function back to parse.)
    vi.unstubAllGlobals();
    expect(model.safeParse(VALID).success).toBe(true);
    expect(model.compiledSource()).toBeUndefined();
  });

  it('a generator defect is not hidden as a refusal', () => {
    vi.stubGlobal(
      'Function',
      class {
        constructor() {
          throw new SyntaxError('Unexpected token');
        }
      },
    );
    expect(() => compileModel(z.strictObject({ a: z.string() }))).toThrow(SyntaxError);
  });

  it('makes the defaults of absent fields only for a value that is kept or checked', () => {
    let made = 0;
    const fields = {
      id: z.string().default(() => `id-${++made}`),
      size: z.number().min(5),
    };
    // A model's refine reads only a valid value: a failed parse makes no default.
    const model = defineModel('CompilerToyDefaults', { register: false, fields, refine: () => {} });
    setModelCompilation('lazy');
    expect(model.compiledSource()).toContain('if (P.issues.length === 0) {');
    expect(model.safeParse({ size: 1 }).success).toBe(false);
    expect(made).toBe(0);
    expect(model.safeParse({ size: 6 })).toMatchObject({ success: true, data: { id: 'id-1' } });
    expect(made).toBe(1);
    // A check of Zod's own runs after an issue that lets parsing go on (`min`)
    // and reads the default: made, and seen as Zod's parse sees it.
    const seen: unknown[] = [];
    const root = z.strictObject(fields).refine((v) => seen.push(v.id) > 0);
    const compiled = compileModel(root);
    expect(compiled?.source).not.toContain('P.value["id"] = undefined;');
    const viaZod = root.safeParse({ size: 1 });
    const viaCompiled = compiled?.parse({ size: 1 }, { async: false });
    expect(viaZod.success).toBe(false);
    expect(viaCompiled?.issues.map((i) => i.code)).toEqual(['too_small']);
    expect(seen).toEqual(['id-2', 'id-3']);
  });

  it("does not compile under Zod's jitless setting, nor in off mode", () => {
    z.config({ jitless: true });
    expect(compileModel(z.strictObject({ a: z.string() }))).toBeUndefined();
    z.config({ jitless: false });
    setModelCompilation('off');
    expect(models('forbid').compiledSource()).toBeUndefined();
  });

  it('compiles at definition in eager mode', () => {
    setModelCompilation('eager');
    const model = models('ignore');
    setModelCompilation('off');
    expect(model.compiledSource()).toBeUndefined();
    setModelCompilation('lazy');
    expect(model.compiledSource()).toContain('compiledParse');
  });

  it('refuses a model that contains itself, and what is not an object', () => {
    const Self: z.ZodType = z.lazy(() => Root);
    const Root = z.strictObject({ self: Self.optional() });
    expect(compileModel(Root)).toBeUndefined();
    expect(compileModel(z.string())).toBeUndefined();
  });
});
