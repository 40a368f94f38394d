import { describe, expect, it } from 'vitest';
import { archivable, MAX_ARCHIVE_DEPTH } from './archivable.js';

describe('archivable', () => {
  it('keeps JSON data as it is', () => {
    const data = { a: [1, 'two', true, null, { b: -0.5 }], 'c.d': { $e: 'f' } };
    expect(archivable(data)).toEqual(data);
  });

  it('turns what JSON cannot carry into text', () => {
    const when = new Date('2026-12-03T10:00:00.000Z');
    expect(
      archivable({
        big: 12345678901234567890n,
        bytes: new Uint8Array([0, 255]),
        when,
        never: new Date(Number.NaN),
        inf: Number.POSITIVE_INFINITY,
        gone: undefined,
        fn: () => 1,
      }),
    ).toEqual({
      big: '12345678901234567890',
      bytes: 'AP8=',
      when: '2026-12-03T10:00:00.000Z',
      never: null,
      inf: null,
      fn: null,
    });
  });

  it('replaces what jsonb refuses (NUL, lone surrogates) and keeps the rest of the text', () => {
    expect(archivable({ 'k\u0000': 'a\u0000b', s: '\ud800x\udc00', ok: 'é😀' })).toEqual({
      'k\uFFFD': 'a\uFFFDb',
      s: '\uFFFDx\uFFFD',
      ok: 'é😀',
    });
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const out = archivable(JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('stops at its depth budget', () => {
    let deep: unknown = 'bottom';
    for (let k = 0; k < MAX_ARCHIVE_DEPTH + 5; k++) deep = [deep];
    let out = archivable(deep);
    let depth = 0;
    while (Array.isArray(out)) {
      out = out[0];
      depth++;
    }
    expect([depth, out]).toEqual([MAX_ARCHIVE_DEPTH, '[too deep]']);
  });
});
