import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentJson } from './alert-ingest-items.js';

/** Values a validated alert's fields hold: text, numbers, flags, null, dates, label maps, lists. */
const value = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  // A validated alert never holds an invalid Date (the model refuses one); fast-check
  // makes `new Date(NaN)` unless told not to.
  fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2200-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
  fc.dictionary(fc.string(), fc.string()),
  fc.array(fc.string(), { maxLength: 3 }),
);

describe('documentJson', () => {
  it('writes what JSON.stringify writes, dates included', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((key) => key !== '__proto__'),
          value,
        ),
        (data) => {
          expect(documentJson(data)).toBe(JSON.stringify(data));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves out what JSON.stringify leaves out, and writes an empty object', () => {
    const data = { a: 1, gone: undefined, fn: () => 1, s: Symbol('x'), b: 'two' };
    expect(documentJson(data)).toBe('{"a":1,"b":"two"}');
    expect(documentJson({ only: undefined })).toBe('{}');
    expect(documentJson({})).toBe('{}');
    expect(documentJson({ 'a"b': new Date('2026-12-06T08:00:00.123Z') })).toBe(
      '{"a\\"b":"2026-12-06T08:00:00.123Z"}',
    );
  });
});
