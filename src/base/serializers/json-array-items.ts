/**
 * The items of a JSON array body, found in one linear pass over its UTF-8
 * bytes without decoding them: where each item starts and ends, and, for an
 * object item, where the value of one named top-level member lies (the
 * `endsAt` that a resend moves). What the memo of decoded items
 * (`server/json-item-memo.ts`) keys on.
 *
 * The pass checks only what lies between the items (`[`, commas, JSON
 * whitespace, `]` and nothing after it); an item's own syntax is left to the
 * decoder. Any other shape — not an array, an item that is not an object,
 * an unclosed item — gives `undefined`, and the body is decoded whole.
 */

import { endOfString } from './scan-json.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number | undefined): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** One object item of the array. */
export interface JsonArrayItem {
  /** Its first byte (`{`). */
  readonly start: number;
  /** The byte after its last (`}`). */
  readonly end: number;
  /**
   * The bytes between the quotes of the member's string value, when the item
   * has that member exactly once, under a key written without escapes, and
   * its value is a string of printable ASCII without escapes; `null` when the
   * item has no such member; `undefined` when it cannot be told from the
   * bytes alone (an escaped top-level key, the member twice, another value).
   */
  readonly member: readonly [number, number] | null | undefined;
}

/** The index after the JSON whitespace from `i`. */
function skipSpace(bytes: Uint8Array, i: number): number {
  while (isSpace(bytes[i])) i++;
  return i;
}

/** The index of the quote that closes the string opened at `start`, or -1. */
function closeOf(bytes: Uint8Array, start: number): number {
  const close = endOfString(bytes, start);
  return close < bytes.length ? close : -1;
}

/** Whether `bytes[start, end)` holds only printable ASCII other than `"` and `\`. */
function isPlainText(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return false;
  }
  return true;
}

/** Whether `bytes[start, end)` holds a backslash. */
function hasBackslash(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === BACKSLASH) return true;
  return false;
}

/** Whether `bytes[start, end)` is the ASCII text `name`. */
function isName(bytes: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * The object item that starts at `start` (a `{`): its end and its member,
 * or `undefined` when it does not close.
 */
function scanItem(
  bytes: Uint8Array,
  start: number,
  name: string,
): { end: number; member: JsonArrayItem['member'] } | undefined {
  let depth = 0;
  let member: JsonArrayItem['member'] = null;
  // At depth 1, the next string is a member's key.
  let expectKey = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const close = closeOf(bytes, i);
      if (close === -1) return undefined;
      if (expectKey && depth === 1) {
        expectKey = false;
        if (hasBackslash(bytes, i + 1, close)) {
          member = undefined;
        } else if (isName(bytes, i + 1, close, name) && member !== undefined) {
          let v = skipSpace(bytes, close + 1);
          if (bytes[v] !== COLON) return undefined;
          v = skipSpace(bytes, v + 1);
          const valueEnd = bytes[v] === QUOTE ? closeOf(bytes, v) : -1;
          member =
            member === null && valueEnd !== -1 && isPlainText(bytes, v + 1, valueEnd)
              ? [v + 1, valueEnd]
              : undefined;
          if (valueEnd !== -1) {
            i = valueEnd;
            continue;
          }
        }
      }
      i = close;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      expectKey = depth === 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return { end: i + 1, member };
    } else if (c === COMMA && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/**
 * The items of `bytes`, a JSON array of objects, with the place of each
 * one's top-level member `name` (see {@link JsonArrayItem}); `undefined` for
 * any other shape, or more than `maxItems` items.
 */
export function jsonArrayItems(
  bytes: Uint8Array,
  name: string,
  maxItems: number,
): JsonArrayItem[] | undefined {
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_BRACKET) return undefined;
  i = skipSpace(bytes, i + 1);
  const items: JsonArrayItem[] = [];
  if (bytes[i] !== CLOSE_BRACKET) {
    for (;;) {
      if (bytes[i] !== OPEN_BRACE || items.length >= maxItems) return undefined;
      const item = scanItem(bytes, i, name);
      if (item === undefined) return undefined;
      items.push({ start: i, end: item.end, member: item.member });
      i = skipSpace(bytes, item.end);
      if (bytes[i] === CLOSE_BRACKET) break;
      if (bytes[i] !== COMMA) return undefined;
      i = skipSpace(bytes, i + 1);
    }
  }
  return skipSpace(bytes, i + 1) === bytes.length ? items : undefined;
}
