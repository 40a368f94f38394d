import { cannotExceedCounts, ElementCounter } from './element-counter.js';
import type { DecodeLimits } from './limits.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * @internal Counts the values of a JSON body in one linear pass over its
 * UTF-8 bytes (structural characters are ASCII; bytes of multi-byte
 * characters are all ≥ 0x80), before the text is decoded and `JSON.parse`
 * builds them, and throws `ALERTBASE_SERIALIZATION_TOO_LARGE` at the first
 * count limit reached. Malformed JSON is left to `JSON.parse` to report.
 */
export function scanJson(text: Uint8Array, limits: DecodeLimits): void {
  if (cannotExceedCounts(text.length, limits)) return;
  const counter = new ElementCounter('json', limits);
  // A value starts at the next non-space character after `[`, `{`, `,` or the start.
  let fresh = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? 0;
    if (isSpace(c)) continue;
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      counter.close();
      fresh = false;
      continue;
    }
    if (c === COMMA) {
      fresh = true;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      counter.open(c === OPEN_BRACE ? 'object' : 'array', i, fresh);
      fresh = true;
      continue;
    }
    if (fresh) counter.value(i);
    fresh = false;
    if (c === QUOTE) i = endOfString(text, i);
  }
}

/** @internal The index of the quote that closes the string opened at `start` (the length when none does). */
export function endOfString(text: Uint8Array, start: number): number {
  let j = text.indexOf(QUOTE, start + 1);
  while (j !== -1) {
    let slashes = 0;
    for (let k = j - 1; text[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return j;
    j = text.indexOf(QUOTE, j + 1);
  }
  return text.length;
}
