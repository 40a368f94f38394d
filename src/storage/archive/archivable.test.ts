import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHoldUnstorableEscape } from '../../base/utils/pg-text.js';
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

describe('archivable without copying', () => {
  it('returns plain JSON data itself, and copies what it must change', () => {
    const plain = JSON.parse(
      '[{"labels":{"a":"b"},"n":1.5,"x":null,"t":true,"__proto__":{"k":"v"}}]',
    );
    expect(archivable(plain)).toBe(plain);
    const unplain: unknown[] = [
      [{ a: 'x\u0000' }],
      [{ 'k\ud800': 1 }],
      [{ a: undefined }],
      new Array<number>(2),
      [Number.NaN],
      [new Date(0)],
      [Object.create(null)],
      [Object.assign(Object.create({ inherited: 1 }), { own: 1 })],
    ];
    for (const value of unplain) {
      const out = archivable(value);
      expect(out).not.toBe(value);
      expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud800/);
    }
    // As stored: JSON text.
    expect(unplain.map((value) => JSON.stringify(archivable(value)))).toEqual([
      '[{"a":"x\uFFFD"}]',
      '[{"k\uFFFD":1}]',
      '[{}]',
      '[null,null]',
      '[null]',
      '["1970-01-01T00:00:00.000Z"]',
      '[{}]',
      '[{"own":1}]',
    ]);
  });
});

describe('JSON text stored as it is', () => {
  // The service keeps a JSON body's text for the archive when the text
  // escapes no NUL and no surrogate (server/wire.ts): that text must decode
  // to what archivable() would store unchanged.
  it('is, once parsed, JSON data that archivable leaves unchanged, whatever its numbers', () => {
    for (const text of [
      '[{"labels":{"alertname":"Up","pod":"web-7e9f8d6c5b"}},1.5e10,-0,"\u00e9"]',
      '{"url":"http://p/graph?a=1\\u0026b=2","n":1e400}',
      `{"n":${'9'.repeat(320)}}`,
    ]) {
      expect(mayHoldUnstorableEscape(text), text).toBe(false);
    }
    for (const text of ['{"a":"x\\u0000"}', '{"a":"\\ud83d\\ude00"}', '{"a":"\\uDC00"}']) {
      expect(mayHoldUnstorableEscape(text), text).toBe(true);
    }
    // Strings of any UTF-16 code units (NUL, lone surrogates): JSON.stringify
    // escapes what it must, and the check must see it.
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'binary' }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(true, false, null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    let taken = 0;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        if (mayHoldUnstorableEscape(text)) return;
        taken++;
        const parsed: unknown = JSON.parse(text);
        expect(archivable(parsed)).toStrictEqual(parsed);
      }),
      { numRuns: 2_000 },
    );
    expect(taken).toBeGreaterThan(200);
  });
});
