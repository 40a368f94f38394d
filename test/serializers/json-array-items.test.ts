/**
 * `jsonArrayItems`: the items of a JSON array found in the bytes, held to
 * `JSON.parse` over random arrays (each item's bytes decode to the item; the
 * member's place holds exactly its string), and refusing every other shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArrayItems } from '../../src/base/serializers/json-array-items.js';

const bytesOf = (text: string) => Buffer.from(text, 'utf8');

/** Objects with an `endsAt` of any kind (or none), nested values, odd keys. */
const item = fc.record(
  {
    labels: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), {
      maxKeys: 3,
    }),
    endsAt: fc.oneof(
      fc.constantFrom('2026-12-01T00:05:00Z', '', 'a "quoted" end', 'back\\slash', 'é', '\u0001'),
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    ),
    nested: fc.jsonValue({ maxDepth: 3 }),
    'ends"At': fc.constant('x'),
  },
  { requiredKeys: [] },
);

describe('jsonArrayItems', () => {
  it('finds each item and the place of its member, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 6 }),
        fc.constantFrom(undefined, 1, '\t'),
        (array, indent) => {
          const text = JSON.stringify(array, null, indent);
          const bytes = bytesOf(text);
          const parsed = JSON.parse(text) as Record<string, unknown>[];
          const items = jsonArrayItems(bytes, 'endsAt', 100);
          expect(items).toHaveLength(array.length);
          items?.forEach((found, k) => {
            const value = parsed[k] as Record<string, unknown>;
            expect(JSON.parse(bytes.toString('utf8', found.start, found.end))).toEqual(value);
            const end = value.endsAt;
            const plain =
              typeof end === 'string' && /^[\x20-\x7e]*$/.test(end) && !/["\\]/.test(end);
            // A key written with an escape might be the member: nothing is told.
            if ('ends"At' in value) expect(found.member).toBeUndefined();
            else if (!('endsAt' in value)) expect(found.member).toBeNull();
            else if (plain) {
              expect(found.member).toBeDefined();
              const [from, to] = found.member as [number, number];
              expect(bytes.toString('latin1', from, to)).toBe(end);
            } else expect(found.member).toBeUndefined();
          });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('cannot tell the member under an escaped key, or when it comes twice', () => {
    const [escaped, twice, other, nested] =
      jsonArrayItems(
        bytesOf(
          '[{"ends\\u0041t":"x","endsAt":"y"},{"endsAt":"a","endsAt":"b"},{"endsAt":5},{"a":{"endsAt":"z"}}]',
        ),
        'endsAt',
        100,
      ) ?? [];
    expect(escaped?.member).toBeUndefined();
    expect(twice?.member).toBeUndefined();
    expect(other?.member).toBeUndefined();
    // Only the item's own member counts, not one nested deeper.
    expect(nested?.member).toBeNull();
  });

  it('refuses what is not an array of objects, or holds more than the items allowed', () => {
    for (const text of [
      '',
      '{}',
      '[1]',
      '[{}, 2]',
      '[{}',
      '[{"a":"}]',
      '[{}}',
      '[{} {}]',
      '[{},]',
      '[{}] x',
      '\ufeff[{}]',
      '[{"endsAt" 1}]',
      '[{"endsAt":"unclosed}]',
    ]) {
      expect(jsonArrayItems(bytesOf(text), 'endsAt', 100), text).toBeUndefined();
    }
    expect(jsonArrayItems(bytesOf('[{},{},{}]'), 'endsAt', 2)).toBeUndefined();
    expect(jsonArrayItems(bytesOf(' [ {} , {} ] \n'), 'endsAt', 2)).toHaveLength(2);
    expect(jsonArrayItems(bytesOf('[]'), 'endsAt', 2)).toEqual([]);
  });

  it('reads hostile bytes in one pass: 2 MB of open brackets or backslashes in milliseconds', () => {
    for (const text of [
      `[{${'['.repeat(2_000_000)}`,
      `[{"a":"${'\\'.repeat(2_000_000)}`,
      `[${'{"a":1},'.repeat(250_000)}{}]`,
    ]) {
      const started = performance.now();
      jsonArrayItems(bytesOf(text), 'endsAt', 1_000_000);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});
