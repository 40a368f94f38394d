/**
 * RE2 syntax checking, as Go's `regexp/syntax` parses with Perl flags (what
 * Prometheus uses for label matchers `=~` / `!~` and template functions).
 *
 * JavaScript's `RegExp` is the wrong judge: it accepts lookarounds,
 * backreferences and (with `u`) refuses RE2 syntax such as `(?i)`, `(?P<n>...)`
 * and `\pL`. This checker refuses what RE2 refuses (lookarounds, backreferences,
 * possessive and stacked quantifiers, unbalanced parentheses, repeat counts
 * above 1000, unknown escapes and classes) with Go's error text, and accepts
 * RE2-only syntax. It also tells whether the pattern can match the empty
 * string, which Prometheus needs to refuse selectors that match everything.
 */

/** The outcome of `checkRe2`. */
export type Re2CheckResult =
  | {
      readonly ok: true;
      /** Does the pattern match the empty string (the whole of it, anchored)? */
      readonly matchesEmpty: boolean;
    }
  | {
      readonly ok: false;
      /** Go's wording: `invalid nested repetition operator: \`++\``. */
      readonly message: string;
      /** 0-based offset of the offending fragment in the pattern. */
      readonly offset: number;
    };

/** Options of `checkRe2`. */
export interface Re2CheckOptions {
  /**
   * Check the pattern as Prometheus compiles a label matcher: wrapped in
   * `^(?:` … `)$` (so `x)` is "unexpected )" and a trailing `\` escapes the
   * wrapper's `)`). Default `false`: the pattern alone.
   */
  readonly anchored?: boolean;
}

/** Unicode general categories Go knows (`unicode.Categories`), plus `Any`. */
const CATEGORIES: ReadonlySet<string> = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs Any'.split(
    ' ',
  ),
);

const POSIX_CLASSES: ReadonlySet<string> = new Set(
  'alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit'.split(' '),
);

/** Is `name` a Unicode class Go's `\p{...}` accepts (a category or a script)? */
function isUnicodeClass(name: string): boolean {
  if (CATEGORIES.has(name)) return true;
  if (!/^[A-Z][A-Za-z_]*$/.test(name)) return false;
  try {
    // JavaScript knows the same Unicode script names as Go's unicode.Scripts.
    new RegExp(`\\p{Script=${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

class Re2Error extends Error {
  constructor(
    readonly code: string,
    readonly fragment: string,
    readonly offset: number,
  ) {
    super(`${code}: \`${fragment}\``);
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

/** A counted repetition (`x{n,m}`) and the counted repetitions inside it. */
interface Repeat {
  readonly min: number;
  /** -1: no upper bound. */
  readonly max: number;
  readonly inner: readonly Repeat[];
}

/** One parsed item of a concatenation, as far as emptiness and repetition go. */
interface Item {
  /** Can it match the empty string? */
  nullable: boolean;
  /** The outermost counted repetitions in it. */
  repeats: readonly Repeat[];
  /** Height of its parse tree, as Go counts it (to refuse what nests too deeply). */
  height: number;
}

/** What an alternation or concatenation gives. */
interface Parsed {
  readonly nullable: boolean;
  readonly repeats: readonly Repeat[];
  readonly height: number;
}

/** Go's limits (`regexp/syntax`): copies of one thing under counted repetitions, tree height. */
const MAX_REPEAT = 1000;
const MAX_HEIGHT = 1000;

/**
 * Go's `repeatIsValid`: nested counted repetitions may not make more than
 * `n` copies of the innermost thing.
 */
function repeatIsValid(re: Repeat, n: number): boolean {
  let budget = n;
  let m = re.max;
  if (m === 0) return true;
  if (m < 0) m = re.min;
  if (m > budget) return false;
  if (m > 0) budget = Math.floor(budget / m);
  return re.inner.every((inner) => repeatIsValid(inner, budget));
}

/** @internal a recursive-descent checker over the pattern's code points. */
class Re2Parser {
  private i = 0;
  private readonly chars: readonly string[];
  /** Offsets (in UTF-16 units) of each code point, for error positions. */
  private readonly offsets: readonly number[];

  constructor(private readonly src: string) {
    this.chars = Array.from(src);
    const offsets: number[] = [];
    let off = 0;
    for (const c of this.chars) {
      offsets.push(off);
      off += c.length;
    }
    offsets.push(off);
    this.offsets = offsets;
  }

  private peek(k = 0): string | undefined {
    return this.chars[this.i + k];
  }

  private off(index = this.i): number {
    return this.offsets[index] ?? this.src.length;
  }

  private fail(code: string, from: number, to: number): never {
    throw new Re2Error(code, this.src.slice(this.off(from), this.off(to)), this.off(from));
  }

  /** Parses the whole pattern; returns whether it matches the empty string. */
  parse(): boolean {
    const parsed = this.alternation(0);
    if (this.i < this.chars.length) {
      // Only a stray `)` stops an alternation at top level.
      throw new Re2Error('unexpected )', this.src, this.off());
    }
    if (parsed.height > MAX_HEIGHT) {
      throw new Re2Error('expression nests too deeply', this.src, 0);
    }
    return parsed.nullable;
  }

  private alternation(depth: number): Parsed {
    const first = this.concatenation(depth);
    let { nullable, height } = first;
    const repeats = [...first.repeats];
    let branches = 1;
    while (this.peek() === '|') {
      this.i++;
      const next = this.concatenation(depth);
      nullable = next.nullable || nullable;
      height = Math.max(height, next.height);
      repeats.push(...next.repeats);
      branches++;
    }
    return { nullable, repeats, height: branches > 1 ? height + 1 : height };
  }

  private concatenation(depth: number): Parsed {
    const items: Item[] = [];
    /** The item a repetition operator would apply to; undefined after `(?i)` or at the start. */
    let last: Item | undefined;
    /** Start of the previous repetition operator, to refuse stacked ones. */
    let lastRepeatStart = -1;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|') break;
      if (c === ')') {
        if (depth === 0) throw new Re2Error('unexpected )', this.src, this.off());
        break;
      }
      const start = this.i;
      const count = c === '{' ? this.repeatCount() : undefined;
      if (c === '*' || c === '+' || c === '?' || count !== undefined) {
        let min = c === '+' ? 1 : 0;
        let countEnd = this.i;
        if (count !== undefined) {
          const { from, to, end } = count;
          if (from > MAX_REPEAT || to > MAX_REPEAT || (to >= 0 && from > to)) {
            this.fail('invalid repeat count', start, end);
          }
          min = from;
          this.i = end;
          countEnd = end;
        } else {
          this.i++;
        }
        if (this.peek() === '?') this.i++;
        if (lastRepeatStart >= 0) {
          this.fail('invalid nested repetition operator', lastRepeatStart, this.i);
        }
        if (last === undefined) this.fail('missing argument to repetition operator', start, this.i);
        if (min === 0) last.nullable = true;
        last.height++;
        if (count !== undefined) {
          const repeat: Repeat = { min: count.from, max: count.to, inner: last.repeats };
          if ((count.from >= 2 || count.to >= 2) && !repeatIsValid(repeat, MAX_REPEAT)) {
            this.fail('invalid repeat count', start, countEnd);
          }
          last.repeats = [repeat];
        }
        lastRepeatStart = start;
        continue;
      }
      lastRepeatStart = -1;
      last = this.atom(depth);
      if (last !== undefined) items.push(last);
    }
    // Go merges adjacent literal characters into one node: count runs of height-1 items once.
    let nodes = 0;
    let height = 0;
    let previousFlat = false;
    for (const item of items) {
      const flat = item.height === 1 && item.repeats.length === 0;
      if (!(flat && previousFlat)) nodes++;
      previousFlat = flat;
      height = Math.max(height, item.height);
    }
    return {
      nullable: items.every((item) => item.nullable),
      repeats: items.flatMap((item) => item.repeats),
      height: nodes > 1 ? height + 1 : height,
    };
  }

  /** Parses `{n}`, `{n,}` or `{n,m}` at the cursor without moving; undefined if it is a literal `{`. */
  private repeatCount(): { from: number; to: number; end: number } | undefined {
    let j = this.i + 1;
    const num = (): number | undefined => {
      const s = j;
      while (isDigit(this.chars[j])) j++;
      if (j === s) return undefined;
      const text = this.chars.slice(s, j).join('');
      return text.length > 8 ? 1_000_000 : Number(text);
    };
    const from = num();
    if (from === undefined) return undefined;
    let to = from;
    if (this.chars[j] === ',') {
      j++;
      if (this.chars[j] === '}') to = -1;
      else {
        const m = num();
        if (m === undefined) return undefined;
        to = m;
      }
    }
    if (this.chars[j] !== '}') return undefined;
    return { from, to, end: j + 1 };
  }

  /** Parses one atom; undefined for a flag group. */
  private atom(depth: number): Item | undefined {
    switch (this.peek()) {
      case '(':
        return this.group(depth);
      case '[':
        this.charClass();
        return { nullable: false, repeats: [], height: 1 };
      case '\\':
        return this.escape(false);
      case '^':
      case '$':
        this.i++;
        return { nullable: true, repeats: [], height: 1 };
      default:
        this.i++;
        return { nullable: false, repeats: [], height: 1 };
    }
  }

  private group(depth: number): Item | undefined {
    const start = this.i;
    this.i++;
    if (this.peek() === '?') {
      const next = this.peek(1);
      if (next === 'P') {
        if (this.peek(2) !== '<')
          this.fail('invalid or unsupported Perl syntax', start, this.i + 3);
        let j = this.i + 3;
        while (this.chars[j] !== undefined && this.chars[j] !== '>') j++;
        const name = this.chars.slice(this.i + 3, j).join('');
        if (this.chars[j] === undefined) this.fail('invalid named capture', start, j);
        if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail('invalid named capture', start, j + 1);
        this.i = j + 1;
      } else {
        // Flags: (?flags) or (?flags:re), flags from imsU, at most one '-'.
        let j = this.i + 1;
        let sawMinus = false;
        let flagAfterMinus = false;
        for (;;) {
          const f = this.chars[j];
          if (f === undefined) this.fail('missing closing )', start, j);
          if (f === 'i' || f === 'm' || f === 's' || f === 'U') {
            if (sawMinus) flagAfterMinus = true;
            j++;
            continue;
          }
          if (f === '-' && !sawMinus) {
            sawMinus = true;
            j++;
            continue;
          }
          // Go: `(?)` and `(?:` need no flag; after a `-` one is needed (`(?i-)` is refused).
          if ((f === ':' || f === ')') && (!sawMinus || flagAfterMinus)) break;
          this.fail('invalid or unsupported Perl syntax', start, j + 1);
        }
        if (this.chars[j] === ')') {
          this.i = j + 1;
          return undefined;
        }
        this.i = j + 1;
      }
    }
    // Deeper than Go's height limit either way; refused before the recursion grows.
    if (depth >= MAX_HEIGHT) throw new Re2Error('expression nests too deeply', this.src, 0);
    const capture = this.chars[start + 1] !== '?' || this.chars[start + 2] === 'P';
    const inner = this.alternation(depth + 1);
    if (this.peek() !== ')') throw new Re2Error('missing closing )', this.src, this.off(start));
    this.i++;
    return {
      nullable: inner.nullable,
      repeats: inner.repeats,
      height: capture ? inner.height + 1 : Math.max(inner.height, 1),
    };
  }

  private charClass(): void {
    const start = this.i;
    this.i++;
    if (this.peek() === '^') this.i++;
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        throw new Re2Error('missing closing ]', this.src.slice(this.off(start)), this.off(start));
      }
      if (c === ']' && !first) {
        this.i++;
        return;
      }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const rest = this.chars.slice(this.i).join('');
        const m = /^\[:(\^?)([a-z]*):\]/.exec(rest);
        if (m !== null) {
          if (!POSIX_CLASSES.has(m[2] ?? ''))
            this.fail('invalid character class range', this.i, this.i + Array.from(m[0]).length);
          this.i += Array.from(m[0]).length;
          continue;
        }
      }
      const loStart = this.i;
      const lo = this.classChar();
      if (
        this.peek() === '-' &&
        this.peek(1) !== ']' &&
        this.peek(1) !== undefined &&
        lo !== undefined
      ) {
        this.i++;
        const hi = this.classChar();
        if (hi === undefined || (hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0)) {
          this.fail('invalid character class range', loStart, this.i);
        }
      }
    }
  }

  /** One class member; returns its character, or undefined for a class escape (`\d`, `\pL`). */
  private classChar(): string | undefined {
    const c = this.peek();
    if (c === '\\') {
      const before = this.i;
      this.escape(true);
      const text = this.chars.slice(before, this.i).join('');
      if (/^\\[dDsSwWpP]/.test(text)) return undefined;
      return decodeEscape(text);
    }
    this.i++;
    return c;
  }

  /** Parses an escape at the cursor (`\`). */
  private escape(inClass: boolean): Item {
    const start = this.i;
    this.i++;
    const c = this.peek();
    if (c === undefined) this.fail('trailing backslash at end of expression', start, this.i);
    this.i++;
    switch (c) {
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return { nullable: false, repeats: [], height: 1 };
      case 'a':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        return { nullable: false, repeats: [], height: 1 };
      case 'A':
      case 'z':
      case 'B':
        if (inClass) this.fail('invalid escape sequence', start, this.i);
        return { nullable: true, repeats: [], height: 1 };
      case 'b':
        if (inClass) this.fail('invalid escape sequence', start, this.i);
        // A word boundary never holds in the empty string.
        return { nullable: false, repeats: [], height: 1 };
      case 'Q': {
        if (inClass) this.fail('invalid escape sequence', start, this.i);
        let j = this.i;
        let any = false;
        while (
          this.chars[j] !== undefined &&
          !(this.chars[j] === '\\' && this.chars[j + 1] === 'E')
        ) {
          j++;
          any = true;
        }
        this.i = this.chars[j] === undefined ? j : j + 2;
        return { nullable: !any, repeats: [], height: 1 };
      }
      case 'p':
      case 'P': {
        const n = this.peek();
        if (n === undefined) this.fail('invalid character class range', start, this.i);
        if (n === '{') {
          let j = this.i + 1;
          while (this.chars[j] !== undefined && this.chars[j] !== '}') j++;
          if (this.chars[j] === undefined) this.fail('invalid character class range', start, j);
          let name = this.chars.slice(this.i + 1, j).join('');
          if (name.startsWith('^')) name = name.slice(1);
          if (!isUnicodeClass(name)) this.fail('invalid character class range', start, j + 1);
          this.i = j + 1;
        } else {
          if (!isUnicodeClass(n)) this.fail('invalid character class range', start, this.i + 1);
          this.i++;
        }
        return { nullable: false, repeats: [], height: 1 };
      }
      case 'x': {
        if (this.peek() === '{') {
          let j = this.i + 1;
          while (isHex(this.chars[j])) j++;
          const hex = this.chars.slice(this.i + 1, j).join('');
          if (this.chars[j] !== '}' || hex === '' || Number.parseInt(hex, 16) > 0x10ffff) {
            this.fail('invalid escape sequence', start, j);
          }
          this.i = j + 1;
        } else {
          if (!isHex(this.peek()) || !isHex(this.peek(1)))
            this.fail('invalid escape sequence', start, this.i + 2);
          this.i += 2;
        }
        return { nullable: false, repeats: [], height: 1 };
      }
      default:
        break;
    }
    if (c >= '1' && c <= '7') {
      // A lone non-zero digit would be a backreference: RE2 has none.
      const n = this.peek();
      if (n === undefined || n < '0' || n > '7')
        this.fail('invalid escape sequence', start, this.i);
    }
    if (c >= '0' && c <= '7') {
      for (
        let k = 0;
        k < 2 &&
        this.peek() !== undefined &&
        (this.peek() ?? '') >= '0' &&
        (this.peek() ?? '') <= '7';
        k++
      ) {
        this.i++;
      }
      return { nullable: false, repeats: [], height: 1 };
    }
    if (c.length === 1 && c.charCodeAt(0) < 0x80 && !isAlnum(c))
      return { nullable: false, repeats: [], height: 1 };
    this.fail('invalid escape sequence', start, this.i);
  }
}

/** The character a single-character escape stands for (for class ranges). */
function decodeEscape(text: string): string {
  const body = text.slice(1);
  const controls: Record<string, string> = {
    a: '\x07',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
  };
  const control = controls[body];
  if (control !== undefined) return control;
  if (body.startsWith('x{')) return String.fromCodePoint(Number.parseInt(body.slice(2, -1), 16));
  if (body.startsWith('x')) return String.fromCodePoint(Number.parseInt(body.slice(1), 16));
  if (/^[0-7]+$/.test(body)) return String.fromCodePoint(Number.parseInt(body, 8));
  return body;
}

/** The longest fragment an error message quotes. */
const MAX_QUOTED = 64;

/** Prefix Prometheus puts before a matcher's regex. */
const ANCHOR_PREFIX = '^(?:';

/**
 * Checks a regular expression with RE2's (Go's) syntax rules.
 *
 * @example
 * ```ts
 * checkRe2('(?i)api|web');  // { ok: true, matchesEmpty: false }
 * checkRe2('\\pL+');        // { ok: true, matchesEmpty: false }
 * checkRe2('(?=x)');        // { ok: false, message: 'invalid or unsupported Perl syntax: `(?=`', offset: 0 }
 * checkRe2('(', { anchored: true }); // { ok: false, message: 'missing closing ): ...', ... }
 * ```
 */
export function checkRe2(pattern: string, options: Re2CheckOptions = {}): Re2CheckResult {
  const anchored = options.anchored === true;
  const src = anchored ? `${ANCHOR_PREFIX}${pattern})$` : pattern;
  try {
    const matchesEmpty = new Re2Parser(src).parse();
    return { ok: true, matchesEmpty };
  } catch (err) {
    /* v8 ignore next -- only Re2Error is thrown by the parser */
    if (!(err instanceof Re2Error)) throw err;
    const shift = anchored ? ANCHOR_PREFIX.length : 0;
    const offset = Math.min(Math.max(err.offset - shift, 0), pattern.length);
    // Go quotes the fragment whole; a deep or long pattern is cut to stay readable.
    const fragment =
      err.fragment.length > MAX_QUOTED ? `${err.fragment.slice(0, MAX_QUOTED)}…` : err.fragment;
    return { ok: false, message: `${err.code}: \`${fragment}\``, offset };
  }
}
