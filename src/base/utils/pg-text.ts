/**
 * Text PostgreSQL cannot store: `text` and `jsonb` refuse U+0000 (NUL), and
 * `jsonb` refuses half of a surrogate pair without its other half. One place
 * for the checks that the service's decoding (refusal) and the payload
 * archive (replacement) both make.
 */

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/** An escape of NUL or of half of a surrogate pair, in JSON text. */
const NUL_OR_SURROGATE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** Whether `s` holds NUL or a surrogate (perhaps paired): a cheap test before the exact one. */
export function mayBeUnstorable(s: string): boolean {
  return s.includes('\u0000') || SURROGATE.test(s);
}

/** Whether PostgreSQL can store `s`: no NUL, no half of a surrogate pair alone. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !(SURROGATE.test(s) && LONE_SURROGATE.test(s));
}

/** `s` with each NUL and each lone half of a surrogate pair replaced by U+FFFD. */
export function toStorableText(s: string): string {
  const clean = s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
  return SURROGATE.test(clean) ? clean.replace(LONE_SURROGATES, '\uFFFD') : clean;
}

/**
 * Whether JSON text may decode to text PostgreSQL cannot store: valid JSON
 * can carry NUL and surrogates only as `\u` escapes (a raw control character
 * is invalid, and UTF-8 has no surrogates). A surrogate pair written as two
 * escapes, or an escaped backslash before `u0000`, also answer `true`.
 *
 * @example
 * ```ts
 * mayHoldUnstorableEscape('{"a":"x\\u0000"}'); // true
 * mayHoldUnstorableEscape('{"url":"a\\u0026b"}'); // false
 * ```
 */
export function mayHoldUnstorableEscape(json: string): boolean {
  return json.includes('\\u') && NUL_OR_SURROGATE_ESCAPE.test(json);
}
