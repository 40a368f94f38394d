import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRe2 } from './re2.js';

describe('checkRe2', () => {
  it.each([
    ['abc', false],
    ['(?i)api|web', false],
    ['\\pL+', false],
    ['\\PL', false],
    ['\\p{Greek}', false],
    ['\\p{^Greek}', false],
    ['\\pN*', true],
    ['(?P<port>\\d+)', false],
    ['(?i-s:x)', false],
    ['(?U)a+', false],
    ['(?:a|)', true],
    ['a*?', true],
    ['a{2,5}', false],
    ['a{0,5}', true],
    ['a{,5}', false],
    ['a{', false],
    ['a{1', false],
    ['a{1,x}', false],
    ['^*', true],
    ['[[:alpha:]][[:^digit:]]', false],
    ['[]a]', false],
    ['[^a-z]', false],
    ['[\\d-z]', false],
    ['[\\x41-\\x{5A}\\n-\\r\\101-\\102]', false],
    ['\\Qa.b\\E', false],
    ['\\Q\\E', true],
    ['\\Qunterminated', false],
    ['\\A\\z\\B', true],
    ['\\b', false],
    ['\\12', false],
    ['\\0', false],
    ['\\.\\*\\a\\f\\t\\v', false],
    ['.*', true],
    ['', true],
    ['a|b*', true],
    ['x(a*)(b?)', false],
  ])('accepts %j (matches empty: %s)', (pattern, empty) => {
    expect(checkRe2(pattern)).toEqual({ ok: true, matchesEmpty: empty });
  });

  it.each([
    ['(?=x)', 0],
    ['(?!x)', 0],
    ['(?<=x)', 0],
    ['(?<n>x)', 0],
    ['(?#c)', 0],
    ['(?-)x', 0],
    ['(?i-)x', 0],
    ['(?P=n)', 0],
    ['(?P<>x)', 0],
    ['(?P<n', 0],
    ['(?i', 0],
    ['(a)\\1', 3],
    ['\\8', 0],
    ['a++', 1],
    ['a**', 1],
    ['a*??', 1],
    ['a{2}*', 1],
    ['a{1001}', 1],
    ['a{2,1}', 1],
    ['*a', 0],
    ['x|*', 2],
    ['(?i)*', 4],
    ['(', 0],
    ['x)', 1],
    ['[a', 0],
    ['[z-a]', 1],
    ['[[:foo:]]', 1],
    ['\\p{Foo}', 0],
    ['\\pX', 0],
    ['\\p{Greek', 0],
    ['\\p', 0],
    ['\\e', 0],
    ['\\C', 0],
    ['\\x{110000}', 0],
    ['\\x{}', 0],
    ['\\xZ1', 0],
    ['\\é', 0],
    ['[\\b]', 1],
    ['[\\z]', 1],
    ['[\\Q]', 1],
    ['a\\', 1],
  ])('refuses %j at offset %i', (pattern, offset) => {
    expect(checkRe2(pattern)).toMatchObject({ ok: false, offset });
  });

  it('checks a matcher as Prometheus anchors it', () => {
    expect(checkRe2('x)', { anchored: true })).toMatchObject({ ok: false });
    // The trailing backslash escapes the wrapper's `)`.
    expect(checkRe2('\\', { anchored: true })).toMatchObject({ ok: false });
    expect(checkRe2('a|', { anchored: true })).toEqual({ ok: true, matchesEmpty: true });
  });

  it('refuses nested counted repetitions past 1000 copies, as Go does', () => {
    for (const ok of [
      '(a{10}){100}',
      '(a{2,}){500}',
      '((a{2}){0}){1000}',
      '(a{1000}|b{1000}){1}',
    ]) {
      expect(checkRe2(ok)).toMatchObject({ ok: true });
    }
    expect(checkRe2('((a{100}){100}){100}')).toEqual({
      ok: false,
      message: 'invalid repeat count: `{100}`',
      offset: 9,
    });
    expect(checkRe2('(a{0,2}){501}')).toMatchObject({ ok: false, offset: 8 });
    expect(checkRe2('(a{1000}|b{2}){2}')).toMatchObject({ ok: false, offset: 14 });
  });

  it('refuses patterns nesting deeper than Go allows, without a stack overflow', () => {
    const nest = (n: number, open = '(') => `${open.repeat(n)}a${')'.repeat(n)}`;
    expect(checkRe2(nest(998), { anchored: true })).toMatchObject({ ok: true });
    const deep = checkRe2(nest(999), { anchored: true });
    expect(deep).toMatchObject({ ok: false, offset: 0 });
    if (!deep.ok) {
      expect(deep.message).toMatch(/^expression nests too deeply: `\^\(\?:\(+…`$/);
    }
    expect(checkRe2(nest(5_000))).toMatchObject({ ok: false, offset: 0 });
    expect(checkRe2(nest(50_000, '(?:'))).toMatchObject({ ok: false, offset: 0 });
    expect(checkRe2('(a(b)|(c(d)))*e')).toMatchObject({ ok: true });
  });

  it('accepts every plain word and its alternations (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1 }), (words) => {
        expect(checkRe2(words.join('|'))).toEqual({ ok: true, matchesEmpty: false });
      }),
    );
  });
});
