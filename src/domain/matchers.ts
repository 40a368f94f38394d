/**
 * Alertmanager's label matchers: `name="value"`, `name!="value"`,
 * `name=~"regex"`, `name!~"regex"`, with Alertmanager 0.25's semantics.
 *
 * - A regular expression is RE2 (Go's `regexp`), fully anchored as
 *   Alertmanager compiles it: `^(?:…)$`. It is run by `re2js`, a port of
 *   the same engine, so what matches in Alertmanager matches here, in
 *   linear time whatever the pattern.
 * - A label that is absent has the value `""` (so `severity=""` matches an
 *   alert without `severity`).
 * - The text form is parsed as Alertmanager's `labels.ParseMatchers` parses
 *   `amtool` filters and `?filter=` query parameters.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';
import { LIMITS } from '../base/constants.js';

/** A label name as Alertmanager 0.25 accepts it in a silence (`model.LabelName`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** How many matchers a filter may hold. */
const MAX_FILTER_MATCHERS = LIMITS.maxSilenceMatchers;

/** Why a regular expression does not compile, or `undefined` when it does. */
export function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(`^(?:${pattern})$`);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A matcher as Alertmanager's API carries it: `isEqual: false` negates,
 * `isRegex: true` makes `value` a regular expression.
 */
export const Matcher = z
  .strictObject({
    name: z.string().regex(LABEL_NAME, { message: 'expected a label name' }),
    value: z.string().max(LIMITS.labelValueMaxLength),
    isRegex: z.boolean(),
    isEqual: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    if (!m.isRegex) return;
    const error = regexError(m.value);
    if (error !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `invalid regular expression: ${error}`,
        params: { code: 'invalid_regex' },
      });
    }
  });

/** A validated matcher. */
export type Matcher = z.output<typeof Matcher>;

/** A compiled matcher: tells whether a label value (`""` when absent) matches. */
export interface CompiledMatcher {
  readonly name: string;
  readonly matcher: Matcher;
  matches(value: string): boolean;
}

/** Compiles a matcher; its regular expression is compiled once. */
export function compileMatcher(matcher: Matcher): CompiledMatcher {
  const { name, value, isRegex, isEqual } = matcher;
  if (!isRegex) {
    return {
      name,
      matcher,
      matches: isEqual ? (v) => v === value : (v) => v !== value,
    };
  }
  const re = RE2JS.compile(`^(?:${value})$`);
  // Label values repeat (the same alertname, job, severity on many alerts):
  // the verdicts of the last values seen are kept, so a repeated value costs
  // a map lookup instead of a run of the regular expression.
  const seen = new Map<string, boolean>();
  const test = (v: string): boolean => {
    let hit = seen.get(v);
    if (hit === undefined) {
      hit = re.matches(v);
      if (seen.size >= REGEX_MEMO_SIZE) seen.clear();
      seen.set(v, hit);
    }
    return hit;
  };
  return { name, matcher, matches: isEqual ? test : (v) => !test(v) };
}

/** Verdicts a compiled regular-expression matcher keeps (see `compileMatcher`). */
const REGEX_MEMO_SIZE = 128;

/** Labels as alertbase stores them (a null-prototype object or a plain one). */
export type Labels = Readonly<Record<string, string>>;

/** The value of a label, `""` when absent (never an inherited property). */
export function labelValue(labels: Labels, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] as string) : '';
}

/**
 * Do the labels match every matcher? (Silences and inhibition rules: an
 * absent label is `""`.)
 */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labelValue(labels, m.name))) return false;
  return true;
}

/**
 * Does a matcher count as matching the empty string, as Alertmanager
 * 0.25's silence validation counts it? Only `=` and `=~` can: a negative
 * matcher never does (even `!="x"`, which `""` satisfies). Alertmanager
 * refuses a silence whose every matcher does (it would silence nearly
 * everything).
 */
export function matchesEmpty(matcher: CompiledMatcher): boolean {
  return matcher.matcher.isEqual && matcher.matches('');
}

/**
 * Do the labels pass an API filter? Alertmanager's `GET /api/v2/alerts`
 * skips a positive matcher with an empty value when the label is absent,
 * and a negative one with an empty value when it is present.
 */
export function passesFilter(matchers: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of matchers) {
    const present = Object.hasOwn(labels, m.name);
    const negative = !m.matcher.isEqual;
    if (m.matcher.value === '' && (negative ? present : !present)) continue;
    if (!m.matches(labelValue(labels, m.name))) return false;
  }
  return true;
}

/** A matcher text that does not parse. */
export class MatcherSyntaxError extends Error {
  override readonly name = 'MatcherSyntaxError';
}

const MATCHER_TEXT = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/**
 * Parses one matcher, `name="value"` (quotes optional, OpenMetrics escapes
 * `\"`, `\n`, `\\`), as Alertmanager 0.25's `labels.ParseMatcher`.
 *
 * @throws MatcherSyntaxError with Alertmanager's wording.
 * @example
 * ```ts
 * parseMatcher('severity=~"crit.*"'); // { name: 'severity', value: 'crit.*', isRegex: true, isEqual: true }
 * ```
 */
export function parseMatcher(text: string): Matcher {
  if (text.length > LIMITS.labelValueMaxLength * 2) {
    throw new MatcherSyntaxError(`matcher too long: ${text.length} characters`);
  }
  const found = MATCHER_TEXT.exec(text);
  if (found === null) throw new MatcherSyntaxError(`bad matcher format: ${text}`);
  const [, name = '', op = '=', raw = ''] = found;
  let rest = raw;
  let expectQuote = false;
  if (rest.startsWith('"')) {
    rest = rest.slice(1);
    expectQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = [...rest];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (escaped) {
      escaped = false;
      if (c === 'n') value += '\n';
      else if (c === '"' || c === '\\') value += c;
      else value += `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectQuote || i < chars.length - 1) {
        throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${raw}`);
      }
      expectQuote = false;
    } else {
      value += c;
    }
  }
  if (expectQuote) {
    throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${raw}`);
  }
  const isRegex = op === '=~' || op === '!~';
  if (isRegex) {
    const error = regexError(value);
    if (error !== undefined) throw new MatcherSyntaxError(error);
  }
  return { name, value, isRegex, isEqual: op === '=' || op === '=~' };
}

/**
 * Parses a comma-separated list of matchers, with optional braces
 * (`{alertname="x",severity=~"crit.*"}`), as `labels.ParseMatchers`:
 * commas inside double quotes do not separate.
 *
 * @throws MatcherSyntaxError
 */
export function parseMatchers(text: string): Matcher[] {
  let s = text.startsWith('{') ? text.slice(1) : text;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let inside = false;
  let escaped = false;
  let token = '';
  for (const c of s) {
    if (c === ',' && !inside) {
      tokens.push(token);
      token = '';
      if (tokens.length > MAX_FILTER_MATCHERS) {
        throw new MatcherSyntaxError(`more than ${MAX_FILTER_MATCHERS} matchers`);
      }
      continue;
    }
    if (c === '"') {
      if (!escaped) inside = !inside;
      else escaped = false;
    } else if (c === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += c;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  return tokens.map(parseMatcher);
}

/** A matcher in Alertmanager's text form (`name=~"value"`), as amtool prints it. */
export function formatMatcher(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  const value = m.value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
  return `${m.name}${op}"${value}"`;
}
