import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isStorableText,
  mayBeUnstorable,
  mayHoldUnstorableEscape,
  toStorableText,
} from './pg-text.js';

describe('text PostgreSQL cannot store', () => {
  it('finds NUL and lone halves of surrogate pairs; a pair is text', () => {
    expect(['ok', 'é😀', ''].map(isStorableText)).toEqual([true, true, true]);
    expect(['a\u0000', '\ud800', 'x\udc00y', '\ud83d'].map(isStorableText)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(['ok', '😀', '\u0000'].map(mayBeUnstorable)).toEqual([false, true, true]);
  });

  it('replaces them with U+FFFD and keeps the rest', () => {
    expect(toStorableText('a\u0000b\ud800c😀\udc00')).toBe('a\uFFFDb\uFFFDc😀\uFFFD');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const clean = toStorableText(s);
        expect(isStorableText(clean)).toBe(true);
        expect(clean.length).toBe(s.length);
        if (isStorableText(s)) expect(clean).toBe(s);
      }),
      { numRuns: 2_000 },
    );
  });

  it('tells JSON text that may decode to such text from JSON text that cannot', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        // JSON.stringify escapes NUL and lone surrogates: the escape is what is seen.
        if (!isStorableText(s)) expect(mayHoldUnstorableEscape(JSON.stringify(s))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    expect(mayHoldUnstorableEscape('{"url":"a\\u0026b","e":"é"}')).toBe(false);
    expect(mayHoldUnstorableEscape('{"a":"\\uD83D\\uDE00"}')).toBe(true);
  });
});
