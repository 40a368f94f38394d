import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAlertbaseError, UnknownValueError } from '../exceptions/index.js';
import { defineEnum, defineOrderedEnum } from './define-enum.js';

const Color = defineEnum('Color', ['red', 'green', 'blue']);
const Code = defineEnum('Code', ['A1', 'B2'], { acceptLowercase: true, description: 'codes' });
const Size = defineOrderedEnum('Size', ['s', 'm', 'l'], { order: 'ascending' });
const Rank = defineOrderedEnum('Rank', ['gold', 'silver', 'bronze'], { order: 'descending' });

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('defineEnum', () => {
  it('keeps the values, in order, frozen', () => {
    expect(Color.name).toBe('Color');
    expect(Color.values).toEqual(['red', 'green', 'blue']);
    expect(Object.isFrozen(Color.values)).toBe(true);
    expect(Object.isFrozen(Color)).toBe(true);
    expect(Color.enum).toEqual({ red: 'red', green: 'green', blue: 'blue' });
  });

  it.each(['red', 'green', 'blue'])('parses %s', (v) => {
    expect(Color.parse(v)).toBe(v);
    expect(Color.tryParse(v)).toBe(v);
    expect(Color.is(v)).toBe(true);
    expect(Color.schema.parse(v)).toBe(v);
  });

  it.each(['RED', 'Red', ' red', '', 'purple', 1, null, undefined, {}, ['red']])(
    'rejects %j with the allowed values',
    (v) => {
      const err = catchError(() => Color.parse(v));
      expect(err).toBeInstanceOf(UnknownValueError);
      expect(isAlertbaseError(err, 'ALERTBASE_VALIDATION_UNKNOWN_VALUE')).toBe(true);
      expect((err as UnknownValueError).context.enum).toBe('Color');
      expect((err as UnknownValueError).context.allowed).toEqual(['red', 'green', 'blue']);
      expect((err as UnknownValueError).status).toBe(422);
      expect(Color.tryParse(v)).toBeUndefined();
      expect(Color.is(v)).toBe(false);
      expect(Color.schema.safeParse(v).success).toBe(false);
    },
  );

  it('lists the allowed values in the Zod error message', () => {
    for (const input of ['purple', 42]) {
      const result = Color.schema.safeParse(input);
      expect(result.success).toBe(false);
      const issue = result.error?.issues[0];
      expect(issue?.code).toBe('invalid_value');
      for (const v of Color.values) expect(issue?.message).toContain(v);
    }
  });

  it('reports a missing value as missing, still naming the allowed values', () => {
    const Model = z.object({ color: Color.schema, code: Code.schema });
    const issues = Model.safeParse({}).error?.issues.map((i) => [i.path, i.message]);
    expect(issues).toEqual([
      [['color'], 'Color is missing: give one of red, green, blue'],
      [['code'], 'Code is missing: give one of A1, B2'],
    ]);
    expect(Color.schema.safeParse('purple').error?.issues[0]?.message).toBe(
      'Color must be one of: red, green, blue',
    );
  });

  it('works as a field of a Zod object, with the path of the bad field', () => {
    const Model = z.object({ color: Color.schema });
    expect(Model.parse({ color: 'green' })).toEqual({ color: 'green' });
    const result = Model.safeParse({ color: 'pink' });
    expect(result.error?.issues[0]?.path).toEqual(['color']);
  });

  it('exports JSON Schema with a title', () => {
    expect(z.toJSONSchema(Color.schema)).toMatchObject({
      type: 'string',
      enum: ['red', 'green', 'blue'],
      title: 'Color',
    });
  });

  it('refuses duplicate values', () => {
    expect(() => defineEnum('Dup', ['a', 'a'])).toThrow(TypeError);
  });
});

describe('defineEnum with acceptLowercase', () => {
  it.each([
    ['A1', 'A1'],
    ['a1', 'A1'],
    ['B2', 'B2'],
    ['b2', 'B2'],
  ])('parses %s as %s', (input, out) => {
    expect(Code.parse(input)).toBe(out);
    expect(Code.schema.parse(input)).toBe(out);
  });

  it('is() accepts only canonical values', () => {
    expect(Code.is('A1')).toBe(true);
    expect(Code.is('a1')).toBe(false);
  });

  it('rejects other spellings, listing canonical values only', () => {
    const err = catchError(() => Code.parse('c3')) as UnknownValueError;
    expect(err.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(err.context.allowed).toEqual(['A1', 'B2']);
    const issue = Code.schema.safeParse('c3').error?.issues[0];
    expect(issue?.message).toContain('A1');
    expect(issue?.message).toContain('B2');
  });

  it('encodes back to the canonical value', () => {
    expect(z.encode(Code.schema, 'A1')).toBe('A1');
  });

  it('exports JSON Schema: input both cases, output canonical', () => {
    expect(z.toJSONSchema(Code.schema)).toMatchObject({
      enum: ['A1', 'B2'],
      title: 'Code',
      description: 'codes',
    });
    expect(z.toJSONSchema(Code.schema, { io: 'input' })).toMatchObject({
      enum: ['A1', 'B2', 'a1', 'b2'],
    });
  });
});

describe('defineOrderedEnum', () => {
  it('ranks ascending lists from 1', () => {
    expect(Size.values.map((v) => Size.rank(v))).toEqual([1, 2, 3]);
  });

  it('ranks descending lists from the top', () => {
    expect(Rank.values.map((v) => Rank.rank(v))).toEqual([3, 2, 1]);
  });

  it('compares, sorts and bounds', () => {
    expect(Size.compare('s', 'l')).toBeLessThan(0);
    expect(Size.compare('l', 's')).toBeGreaterThan(0);
    expect(Size.compare('m', 'm')).toBe(0);
    expect(['l', 's', 'm'].sort((a, b) => Size.compare(a as 's', b as 's'))).toEqual([
      's',
      'm',
      'l',
    ]);
    expect(Size.atLeast('m', 's')).toBe(true);
    expect(Size.atLeast('m', 'm')).toBe(true);
    expect(Size.atLeast('m', 'l')).toBe(false);
    expect(Size.max('s', 'l', 'm')).toBe('l');
    expect(Size.min('m', 'l', 's')).toBe('s');
    expect(Size.max('m')).toBe('m');
    expect(Size.min('m')).toBe('m');
    expect(Rank.max('bronze', 'gold')).toBe('gold');
    expect(Rank.min('silver', 'bronze', 'gold')).toBe('bronze');
  });

  it('throws UnknownValueError for a value that is not a member', () => {
    const bad = 'xl' as 's';
    for (const fn of [
      () => Size.rank(bad),
      () => Size.compare('s', bad),
      () => Size.atLeast(bad, 's'),
      () => Size.max(bad),
      () => Size.min(bad),
      () => Size.max('s', bad),
    ]) {
      const err = catchError(fn) as UnknownValueError;
      expect(err.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
      expect(err.context.allowed).toEqual(['s', 'm', 'l']);
    }
  });

  it('keeps the smart enum features', () => {
    expect(Size.parse('m')).toBe('m');
    expect(Size.is('xl')).toBe(false);
  });
});
