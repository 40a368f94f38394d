import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelDefinitionError, ValidationError } from '../exceptions/index.js';
import {
  AuditMixin,
  defineMixin,
  isDeleted,
  MetadataMixin,
  restore,
  SoftDeleteMixin,
  softDelete,
  TenantMixin,
  TimestampMixin,
  VersionedMixin,
} from '../mixins/index.js';
import { defineModel, findModel, listModels } from './model.js';
import { Secret, secret } from './secret.js';

function issuesOf(fn: () => unknown): ValidationError['issues'] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

let counter = 0;
const uniqueName = (base: string) => `${base}${++counter}`;

const Rule = defineModel('TestRule', {
  mixins: [TimestampMixin, TenantMixin, VersionedMixin],
  fields: {
    name: z.string().min(1).max(255),
    level: z.enum(['critical', 'high', 'low']),
    generatorURL: z.string().optional(),
  },
  computed: {
    isCritical: (d) => d.level === 'critical',
  },
  examples: [{ tenantId: 'acme', name: 'High CPU Usage', level: 'high' }],
  register: false,
});

describe('defineModel: parse', () => {
  it('returns a frozen instance with defaults from the mixins and computed fields', () => {
    const before = Date.now();
    const rule = Rule.parse({ tenantId: 'acme', name: 'cpu', level: 'critical' });
    expect(rule.name).toBe('cpu');
    expect(rule.version).toBe(1);
    expect(rule.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(rule.isCritical).toBe(true);
    expect(Object.isFrozen(rule)).toBe(true);
    expect(() => {
      (rule as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(Rule.is(rule)).toBe(true);
    expect(Rule.is({ ...rule })).toBe(false);
  });

  it('reports every issue with its path and code', () => {
    const issues = issuesOf(() =>
      Rule.parse({ tenantId: 'Not A Slug', name: '', level: 'urgent', version: 0 }),
    );
    const byPointer = Object.fromEntries(issues.map((i) => [i.pointer, i.code]));
    expect(byPointer).toEqual({
      '/tenantId': 'invalid_format',
      '/name': 'too_small',
      '/level': 'invalid_value',
      '/version': 'too_small',
    });
  });

  it('names unknown keys (extra forbidden by default)', () => {
    const issues = issuesOf(() =>
      Rule.parse({ tenantId: 'a', name: 'n', level: 'low', colour: 'red', size: 1 }),
    );
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([
      ['/colour', 'unrecognized_key'],
      ['/size', 'unrecognized_key'],
    ]);
  });

  it('ignores or keeps unknown keys when the model says so', () => {
    const shape = { name: z.string() };
    const Ignore = defineModel(uniqueName('Ignore'), { fields: shape, extra: 'ignore' });
    const Allow = defineModel(uniqueName('Allow'), { fields: shape, extra: 'allow' });
    expect(Ignore.parse({ name: 'a', other: 1 })).toEqual({ name: 'a' });
    expect(Allow.parse({ name: 'a', other: 1 })).toEqual({ name: 'a', other: 1 });
  });

  it('refuses non-objects with a root issue', () => {
    for (const input of [null, 3, 'x', [1], new Date()]) {
      const issues = issuesOf(() => Rule.parse(input));
      expect(issues).toHaveLength(1);
      expect(issues[0]?.pointer).toBe('');
      expect(issues[0]?.code).toBe('invalid_type');
    }
  });

  it('safeParse returns the error instead of throwing', () => {
    const bad = Rule.safeParse({ name: 'x' });
    expect(bad.success).toBe(false);
    if (!bad.success) {
      expect(bad.error.code).toBe('ALERTBASE_VALIDATION_FAILED');
      expect(bad.error.issues.map((i) => i.pointer).sort()).toEqual(['/level', '/tenantId']);
    }
    const good = Rule.safeParse({ tenantId: 'a', name: 'x', level: 'low' });
    expect(good.success && good.data.name).toBe('x');
  });

  it('accepts snake_case wire names, reports issues under the name used', () => {
    const rule = Rule.parse({
      tenant_id: 'acme',
      name: 'n',
      level: 'low',
      generator_url: 'http://x',
    });
    expect(rule.tenantId).toBe('acme');
    expect(rule.generatorURL).toBe('http://x');
    const issues = issuesOf(() => Rule.parse({ tenant_id: 'BAD', name: 'n', level: 'low' }));
    expect(issues.map((i) => i.pointer)).toEqual(['/tenant_id']);
  });

  it('refuses a field given under both names', () => {
    const issues = issuesOf(() =>
      Rule.parse({ tenant_id: 'a', tenantId: 'a', name: 'n', level: 'low' }),
    );
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([['/tenant_id', 'duplicate_key']]);
  });

  it('drops computed fields given as input, so a dump parses again', () => {
    const rule = Rule.parse({ tenantId: 'a', name: 'n', level: 'critical' });
    const again = Rule.parse(Rule.dump(rule, { byAlias: true }));
    expect(Rule.dump(again)).toEqual(Rule.dump(rule));
  });

  it('implements Standard Schema', async () => {
    const std = Rule['~standard'];
    expect(std.vendor).toBe('alertbase');
    const ok = await std.validate({ tenantId: 'a', name: 'n', level: 'low' });
    expect('value' in ok && ok.value?.name).toBe('n');
    const bad = await std.validate({ tenantId: 'a', level: 'low' });
    expect('issues' in bad && bad.issues?.map((i) => i.path)).toEqual([['name']]);
  });
});

describe('defineModel: refine and discriminated unions', () => {
  const Channel = defineModel(uniqueName('Channel'), {
    fields: {
      name: z.string(),
      config: z.discriminatedUnion('type', [
        z.object({ type: z.literal('email'), to: z.email() }),
        z.object({ type: z.literal('slack'), channel: z.string().startsWith('#') }),
      ]),
    },
  });

  it('reports the branch that was tried', () => {
    const issues = issuesOf(() =>
      Channel.parse({ name: 'c', config: { type: 'slack', channel: 'general' } }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        pointer: '/config/channel',
        code: 'invalid_format',
        branch: 'type=slack',
      }),
    ]);
  });

  it('lists the allowed discriminator values', () => {
    const issues = issuesOf(() => Channel.parse({ name: 'c', config: { type: 'fax' } }));
    expect(issues).toEqual([
      expect.objectContaining({
        pointer: '/config/type',
        code: 'invalid_discriminator',
        message: '"type" must be one of: email, slack',
      }),
    ]);
  });

  it('runs cross-field checks with their own codes', () => {
    const Window = defineModel(uniqueName('Window'), {
      fields: { startsAt: z.number(), endsAt: z.number() },
      refine: (d, ctx) => {
        if (d.endsAt <= d.startsAt)
          ctx.addIssue({
            path: ['endsAt'],
            code: 'ends_before_start',
            message: 'endsAt must be after startsAt',
          });
      },
    });
    expect(Window.parse({ startsAt: 1, endsAt: 2 }).endsAt).toBe(2);
    const issues = issuesOf(() => Window.parse({ startsAt: 2, endsAt: 1 }));
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([['/endsAt', 'ends_before_start']]);
  });
});

describe('defineModel: mixins', () => {
  it('composes mixins in any order to the same model', () => {
    const a = defineModel(uniqueName('A'), {
      fields: { n: z.string() },
      mixins: [TenantMixin, TimestampMixin, AuditMixin],
    });
    const b = defineModel(uniqueName('B'), {
      fields: { n: z.string() },
      mixins: [AuditMixin, TimestampMixin, TenantMixin],
    });
    expect(a.fields).toEqual(b.fields);
    expect(a.mixins).toEqual(['AuditMixin', 'TenantMixin', 'TimestampMixin']);
    expect(a.hasMixin('TenantMixin')).toBe(true);
    expect(a.hasMixin('VersionedMixin')).toBe(false);
  });

  it('refuses two mixins that declare one field with different types, whatever the order', () => {
    const Left = defineMixin('LeftMixin', { owner: z.string() });
    const Right = defineMixin('RightMixin', { owner: z.number() });
    for (const mixins of [
      [Left, Right],
      [Right, Left],
    ]) {
      let caught: unknown;
      try {
        defineModel(uniqueName('Clash'), { fields: {}, mixins });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ModelDefinitionError);
      expect((caught as ModelDefinitionError).code).toBe('ALERTBASE_MODEL_DEFINITION_INVALID');
      expect((caught as ModelDefinitionError).context.declaredBy).toEqual([
        'LeftMixin',
        'RightMixin',
      ]);
      expect((caught as ModelDefinitionError).context.field).toBe('owner');
    }
  });

  it('refuses a model field that redeclares a mixin field with another type', () => {
    expect(() =>
      defineModel(uniqueName('Redeclare'), {
        fields: { tenantId: z.number() },
        mixins: [TenantMixin],
      }),
    ).toThrow(ModelDefinitionError);
  });

  it('accepts the same field with the same type from two places', () => {
    const Again = defineMixin('AgainMixin', { tenantId: TenantMixin.shape.tenantId });
    const m = defineModel(uniqueName('Same'), { fields: {}, mixins: [TenantMixin, Again] });
    expect(m.fields).toEqual(['tenantId']);
  });

  it('refuses a duplicate registration, computed/field name clashes and alias clashes', () => {
    const name = uniqueName('Dup');
    defineModel(name, { fields: { a: z.string() } });
    expect(findModel(name)?.name).toBe(name);
    expect(listModels().some((m) => m.name === name)).toBe(true);
    expect(() => defineModel(name, { fields: { a: z.string() } })).toThrow(ModelDefinitionError);
    expect(() =>
      defineModel(uniqueName('C'), { fields: { a: z.string() }, computed: { a: () => 1 } }),
    ).toThrow(ModelDefinitionError);
    expect(() =>
      defineModel(uniqueName('Al'), { fields: { fooBar: z.string(), foo_bar: z.string() } }),
    ).toThrow(ModelDefinitionError);
    expect(() =>
      defineModel(uniqueName('Al'), {
        fields: { a: z.string() },
        aliases: { b: 'x' } as Record<string, string>,
      }),
    ).toThrow(ModelDefinitionError);
  });

  it('metadata mixin gives empty defaults and validates labels', () => {
    const M = defineModel(uniqueName('Meta'), { fields: {}, mixins: [MetadataMixin] });
    expect(M.parse({})).toEqual({ labels: {}, annotations: {}, tags: [] });
    const issues = issuesOf(() =>
      M.parse({ labels: { '0bad': 'x' }, tags: Array.from({ length: 21 }, () => 't') }),
    );
    expect(issues.map((i) => i.pointer).sort()).toEqual(['/labels/0bad', '/tags']);
  });
});

describe('defineModel: validated updates', () => {
  const base = () =>
    Rule.parse({
      tenantId: 'acme',
      name: 'cpu',
      level: 'high',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });

  it('returns a new valid instance and bumps updatedAt', () => {
    const rule = base();
    const next = Rule.update(rule, { level: 'critical' });
    expect(next).not.toBe(rule);
    expect(rule.level).toBe('high');
    expect(next.level).toBe('critical');
    expect(next.isCritical).toBe(true);
    expect(next.updatedAt.getTime()).toBeGreaterThan(rule.updatedAt.getTime());
    expect(next.createdAt).toEqual(rule.createdAt);
  });

  it('bumps updatedAt even twice in the same millisecond', () => {
    const one = Rule.update(base(), { name: 'a' });
    const two = Rule.update(one, { name: 'b' });
    expect(two.updatedAt.getTime()).toBeGreaterThan(one.updatedAt.getTime());
  });

  it('throws on an invalid patch and leaves the instance as it was', () => {
    const rule = base();
    const issues = issuesOf(() => Rule.update(rule, { name: '' }));
    expect(issues.map((i) => [i.pointer, i.code])).toEqual([['/name', 'too_small']]);
    expect(rule.name).toBe('cpu');
  });

  it('refuses unknown keys and changes to immutable fields', () => {
    const rule = base();
    expect(
      issuesOf(() => Rule.update(rule, { colour: 'red' } as never)).map((i) => i.code),
    ).toEqual(['unrecognized_key']);
    expect(
      issuesOf(() => Rule.update(rule, { tenantId: 'other' })).map((i) => [i.pointer, i.code]),
    ).toEqual([['/tenantId', 'immutable_field']]);
    expect(
      issuesOf(() => Rule.update(rule, { createdAt: new Date(0) })).map((i) => i.code),
    ).toEqual(['immutable_field']);
    // Naming an immutable field with its current value is not a change.
    expect(
      Rule.update(rule, { tenantId: 'acme', createdAt: '2026-01-01T00:00:00.000Z' }).tenantId,
    ).toBe('acme');
    expect(issuesOf(() => Rule.update(rule, null as never)).map((i) => i.code)).toEqual([
      'invalid_type',
    ]);
  });

  it('accepts wire names in a patch', () => {
    expect(Rule.update(base(), { generator_url: 'http://g' } as never).generatorURL).toBe(
      'http://g',
    );
  });

  it('soft delete and restore', () => {
    const Doc = defineModel(uniqueName('Doc'), {
      fields: { n: z.string() },
      mixins: [SoftDeleteMixin, TimestampMixin],
    });
    const doc = Doc.parse({ n: 'a' });
    expect(isDeleted(doc)).toBe(false);
    const at = new Date('2026-02-02T00:00:00Z');
    const gone = softDelete(Doc, doc, 'user:1', at);
    expect(isDeleted(gone)).toBe(true);
    expect(gone.deletedAt).toEqual(at);
    expect(gone.deletedBy).toBe('user:1');
    expect(softDelete(Doc, gone, 'user:2')).toBe(gone);
    const back = restore(Doc, gone);
    expect(back.deletedAt).toBeNull();
    expect(back.deletedBy).toBeNull();
    expect(restore(Doc, back)).toBe(back);
  });
});

describe('defineModel: dumps', () => {
  const rule = Rule.parse({
    tenantId: 'acme',
    name: 'cpu',
    level: 'high',
    createdAt: '2026-01-01T00:00:00Z',
  });

  it('include, exclude, byAlias, excludeNone, computed', () => {
    expect(Rule.dump(rule, { include: ['name', 'tenant_id'] })).toEqual({
      tenantId: 'acme',
      name: 'cpu',
    });
    expect(
      Object.keys(Rule.dump(rule, { exclude: ['createdAt', 'updated_at', 'isCritical'] })).sort(),
    ).toEqual(['level', 'name', 'tenantId', 'version']);
    expect(Rule.dump(rule, { byAlias: true, include: ['tenantId', 'isCritical'] })).toEqual({
      tenant_id: 'acme',
      is_critical: false,
    });
    expect(Rule.dump(rule, { computed: false })).not.toHaveProperty('isCritical');
    const Opt = defineModel(uniqueName('Opt'), {
      fields: { a: z.string().nullable(), b: z.string().optional() },
    });
    expect(Opt.dump(Opt.parse({ a: null }), { excludeNone: true })).toEqual({});
    expect(Opt.dump(Opt.parse({ a: null }))).toEqual({ a: null });
  });

  it('json mode writes ISO dates', () => {
    expect(Rule.dump(rule, { mode: 'json' }).createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(Rule.dump(rule).createdAt).toBeInstanceOf(Date);
  });
});

describe('secret fields', () => {
  const Hook = defineModel(uniqueName('Hook'), {
    fields: {
      name: z.string(),
      token: secret(z.string().min(8)),
      nested: z.object({ key: secret(z.string()) }).optional(),
    },
  });
  const value = 'xoxb-super-secret-token';
  const hook = Hook.parse({ name: 'h', token: value, nested: { key: 'nested-secret-value' } });

  it('never appear in printed forms', () => {
    const printed = [
      JSON.stringify(hook),
      inspect(hook, { depth: 10 }),
      String(hook.token),
      `${hook.token}`,
      JSON.stringify(Hook.dump(hook)),
      JSON.stringify(Hook.dump(hook, { mode: 'json' })),
      inspect(Hook.dump(hook), { depth: 10 }),
    ];
    for (const text of printed) {
      expect(text).not.toContain(value);
      expect(text).not.toContain('nested-secret-value');
      expect(text).toContain('**********');
    }
  });

  it('never appear in error messages', () => {
    const result = Hook.safeParse({ name: 1, token: 'short' });
    expect(result.success).toBe(false);
    if (!result.success) {
      const all = [
        result.error.message,
        JSON.stringify(result.error),
        JSON.stringify(result.error.toProblemDetails()),
        inspect(result.error),
      ];
      for (const text of all) expect(text).not.toContain('short');
      expect(result.error.issues.map((i) => i.pointer).sort()).toEqual(['/name', '/token']);
    }
  });

  it('are available to code that asks', () => {
    expect(hook.token).toBeInstanceOf(Secret);
    expect(hook.token.reveal()).toBe(value);
    expect(hook.nested?.key.reveal()).toBe('nested-secret-value');
    expect(Hook.dump(hook, { mode: 'json', revealSecrets: true })).toEqual({
      name: 'h',
      token: value,
      nested: { key: 'nested-secret-value' },
    });
  });

  it('survive a validated update and are re-validated', () => {
    const next = Hook.update(hook, { name: 'renamed' });
    expect(next.token.reveal()).toBe(value);
    expect(next.token.equals(hook.token)).toBe(true);
    expect(issuesOf(() => Hook.update(hook, { token: 'short' })).map((i) => i.pointer)).toEqual([
      '/token',
    ]);
  });

  it('are writeOnly in JSON Schema', () => {
    const schema = Hook.toJSONSchema();
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.token).toMatchObject({ type: 'string', minLength: 8, writeOnly: true });
    expect(props.token).not.toHaveProperty('alertbaseSecret');
  });
});

describe('JSON Schema', () => {
  it('has the title, the examples and, by alias, wire names', () => {
    const schema = Rule.toJSONSchema();
    expect(schema.title).toBe('TestRule');
    expect(schema.examples).toEqual([{ tenantId: 'acme', name: 'High CPU Usage', level: 'high' }]);
    expect(schema.additionalProperties).toBe(false);
    const wire = Rule.toJSONSchema({ byAlias: true });
    expect(Object.keys(wire.properties as object)).toContain('tenant_id');
    expect(wire.required).toEqual(expect.arrayContaining(['tenant_id', 'name', 'level']));
    expect(wire.examples).toEqual([{ tenant_id: 'acme', name: 'High CPU Usage', level: 'high' }]);
    const out = Rule.toJSONSchema({ io: 'output' });
    expect((out.properties as Record<string, unknown>).isCritical).toEqual({ readOnly: true });
  });

  it('every example validates', () => {
    for (const example of Rule.examples) expect(Rule.safeParse(example).success).toBe(true);
  });
});

describe('compiled fast path', () => {
  it('gives the same verdict and issue paths as the plain Zod schema on random input', () => {
    const shape = {
      name: z.string().min(1).max(20),
      level: z.enum(['critical', 'high', 'low']),
      count: z.int().min(0),
      labels: z.record(z.string().regex(/^[a-z_]+$/), z.string()),
    };
    const Plain = z.strictObject(shape);
    const M = defineModel(uniqueName('Diff'), { fields: shape });
    const value = fc.oneof(
      fc.string({ maxLength: 25 }),
      fc.integer(),
      fc.constant(null),
      fc.constantFrom('critical', 'high', 'low', 'x'),
    );
    const input = fc.record(
      {
        name: value,
        level: value,
        count: fc.oneof(fc.integer({ min: -5, max: 5 }), value),
        labels: fc.oneof(
          fc.dictionary(
            fc.stringMatching(/^[a-z_0-9]{1,4}$/),
            fc.oneof(fc.string({ maxLength: 3 }), fc.integer()),
          ),
          value,
        ),
        extra: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (doc) => {
        const ours = M.safeParse(doc);
        const theirs = Plain.safeParse(doc);
        expect(ours.success).toBe(theirs.success);
        if (!ours.success && !theirs.success) {
          const theirPaths = theirs.error.issues.flatMap((i) =>
            i.code === 'unrecognized_keys'
              ? i.keys.map((k) => [...i.path, k].join('/'))
              : [i.path.join('/')],
          );
          expect(ours.error.issues.map((i) => i.path.join('/')).sort()).toEqual(theirPaths.sort());
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
