import { describe, expect, it } from 'vitest';
import { lastTextMemo } from './last-text.js';

describe('lastTextMemo', () => {
  it('calls the function again only when the text changes', () => {
    const seen: string[] = [];
    const lengthOf = lastTextMemo((text) => {
      seen.push(text);
      return text.length;
    });
    expect([
      lengthOf('ab'),
      lengthOf('ab'),
      lengthOf('abc'),
      lengthOf('ab'),
      lengthOf('ab'),
    ]).toEqual([2, 2, 3, 2, 2]);
    expect(seen).toEqual(['ab', 'abc', 'ab']);
  });

  it('keeps a result that is undefined, and tells the empty text from none', () => {
    let calls = 0;
    const none = lastTextMemo((text): string | undefined => {
      calls++;
      return text === '' ? undefined : text;
    });
    expect(none('')).toBeUndefined();
    expect(none('')).toBeUndefined();
    expect(calls).toBe(1);
    expect(none('x')).toBe('x');
    expect(calls).toBe(2);
  });
});
