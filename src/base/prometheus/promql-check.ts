/**
 * PromQL checking as `promtool check rules` (Prometheus 2.42) does it: the
 * syntax, with the Prometheus project's grammar (`@prometheus-io/lezer-promql`),
 * and then what Prometheus' parser checks after the grammar (`checkAST`):
 * known functions and their argument counts and types, range vectors only
 * where a function wants them and only on selectors, set operators and
 * `bool` only where allowed, vector matching only between vectors, offsets and
 * `@` only on selectors and subqueries, durations, selectors that cannot match
 * everything, and label matcher regexes in RE2 syntax.
 *
 * The grammar is newer than Prometheus 2.42: syntax it knows that 2.42 does
 * not (UTF-8 quoted names, duration arithmetic, `limitk`, fill modifiers,
 * functions added since) is refused here, as 2.42 refuses it.
 */

import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { safeParseDuration } from '../utils/duration.js';
import { checkRe2 } from './re2.js';

/** The value types of PromQL, named as Prometheus names them in errors. */
export type PromqlValueType = 'scalar' | 'instant vector' | 'range vector' | 'string';

/** Why an expression was refused. */
export type PromqlErrorCode =
  /** The grammar refuses it (or a function unknown to Prometheus 2.42). */
  | 'invalid_promql'
  /** Well-formed, but types or modifiers do not fit (`rate(up)`, `1 > 2`). */
  | 'promql_type_error'
  /** A label matcher's regex is not valid RE2. */
  | 'invalid_regex'
  /** A range, subquery or offset duration is invalid. */
  | 'invalid_duration';

/** The outcome of `checkPrometheusExpr`. */
export type PrometheusExprCheckResult =
  | {
      readonly ok: true;
      /** The type of the whole expression. */
      readonly type: PromqlValueType;
    }
  | {
      readonly ok: false;
      readonly code: PromqlErrorCode;
      /** 1-based line of the error within the expression. */
      readonly line: number;
      /** 1-based column (UTF-16 code units) within the expression. */
      readonly column: number;
      /** What is wrong, without the position. */
      readonly message: string;
    };

type T = PromqlValueType;
const S: T = 'scalar';
const V: T = 'instant vector';
const M: T = 'range vector';
const STR: T = 'string';

/** A function of Prometheus 2.42: argument types, how many more the last may repeat (-1: any), result. */
interface FunctionSpec {
  readonly args: readonly T[];
  readonly variadic: number;
  readonly returns: T;
}

const fn = (args: readonly T[], returns: T = V, variadic = 0): FunctionSpec => ({
  args,
  variadic,
  returns,
});

/** The functions of Prometheus 2.42 (`promql/parser/functions.go`). */
export const PROMQL_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['abs', fn([V])],
  ['absent', fn([V])],
  ['absent_over_time', fn([M])],
  ['acos', fn([V])],
  ['acosh', fn([V])],
  ['asin', fn([V])],
  ['asinh', fn([V])],
  ['atan', fn([V])],
  ['atanh', fn([V])],
  ['avg_over_time', fn([M])],
  ['ceil', fn([V])],
  ['changes', fn([M])],
  ['clamp', fn([V, S, S])],
  ['clamp_max', fn([V, S])],
  ['clamp_min', fn([V, S])],
  ['cos', fn([V])],
  ['cosh', fn([V])],
  ['count_over_time', fn([M])],
  ['days_in_month', fn([V], V, 1)],
  ['day_of_month', fn([V], V, 1)],
  ['day_of_week', fn([V], V, 1)],
  ['day_of_year', fn([V], V, 1)],
  ['deg', fn([V])],
  ['delta', fn([M])],
  ['deriv', fn([M])],
  ['exp', fn([V])],
  ['floor', fn([V])],
  ['histogram_count', fn([V])],
  ['histogram_sum', fn([V])],
  ['histogram_fraction', fn([S, S, V])],
  ['histogram_quantile', fn([S, V])],
  ['holt_winters', fn([M, S, S])],
  ['hour', fn([V], V, 1)],
  ['idelta', fn([M])],
  ['increase', fn([M])],
  ['irate', fn([M])],
  ['label_replace', fn([V, STR, STR, STR, STR])],
  ['label_join', fn([V, STR, STR, STR], V, -1)],
  ['last_over_time', fn([M])],
  ['ln', fn([V])],
  ['log10', fn([V])],
  ['log2', fn([V])],
  ['max_over_time', fn([M])],
  ['min_over_time', fn([M])],
  ['minute', fn([V], V, 1)],
  ['month', fn([V], V, 1)],
  ['pi', fn([], S)],
  ['predict_linear', fn([M, S])],
  ['present_over_time', fn([M])],
  ['quantile_over_time', fn([S, M])],
  ['rad', fn([V])],
  ['rate', fn([M])],
  ['resets', fn([M])],
  ['round', fn([V, S], V, 1)],
  ['scalar', fn([V], S)],
  ['sgn', fn([V])],
  ['sin', fn([V])],
  ['sinh', fn([V])],
  ['sort', fn([V])],
  ['sort_desc', fn([V])],
  ['sqrt', fn([V])],
  ['stddev_over_time', fn([M])],
  ['stdvar_over_time', fn([M])],
  ['sum_over_time', fn([M])],
  ['tan', fn([V])],
  ['tanh', fn([V])],
  ['time', fn([], S)],
  ['timestamp', fn([V])],
  ['vector', fn([S])],
  ['year', fn([V], V, 1)],
]);

/** Aggregation operators of Prometheus 2.42 and the type of their parameter, if any. */
const AGGREGATIONS: ReadonlyMap<string, T | undefined> = new Map<string, T | undefined>([
  ['sum', undefined],
  ['avg', undefined],
  ['count', undefined],
  ['min', undefined],
  ['max', undefined],
  ['group', undefined],
  ['stddev', undefined],
  ['stdvar', undefined],
  ['topk', S],
  ['bottomk', S],
  ['quantile', S],
  ['count_values', STR],
]);

const COMPARISONS: ReadonlySet<string> = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);
const SET_OPERATORS: ReadonlySet<string> = new Set(['And', 'Or', 'Unless']);
const ARITHMETIC: ReadonlySet<string> = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Mod',
  'Pow',
  'Atan2',
]);

/** The renamed function the grammar knows in place of 2.42's `holt_winters`. */
const HOLT_WINTERS = 'holt_winters';
const HOLT_WINTERS_NEW = 'double_exponential_smoothing';

class CheckError extends Error {
  constructor(
    readonly code: PromqlErrorCode,
    readonly from: number,
    message: string,
  ) {
    super(message);
  }
}

/** A rewrite of the source, so offsets of the parsed text can be mapped back. */
interface Rewrite {
  readonly text: string;
  /** Offsets (in the rewritten text) where `holt_winters` was renamed. */
  readonly renamedAt: ReadonlySet<number>;
  /** Metric names the grammar cannot read (`offset`), renamed: offset → the name as written. */
  readonly metricNames: ReadonlyMap<number, string>;
  /** The first number Prometheus' lexer refuses (`0.5atan2`), at its offset in the source. */
  readonly lexError?: { readonly offset: number; readonly message: string };
  toOriginal(offset: number): number;
}

const isAlphaNumeric = (c: string | undefined): boolean =>
  c !== undefined && /^[A-Za-z0-9_]$/.test(c);

/**
 * Go's `lexNumberOrDuration` at `start`: a number, or a duration, and nothing
 * alphanumeric right after it (`0.5atan2` is one bad token for Prometheus).
 */
function lexNumber(src: string, start: number): { text: string; error?: string } {
  let i = start;
  const run = (chars: RegExp): void => {
    while (i < src.length && chars.test(src[i] ?? '')) i++;
  };
  let digits = /[0-9]/;
  if (src[i] === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
    i += 2;
    digits = /[0-9a-fA-F]/;
  }
  run(digits);
  if (src[i] === '.') {
    i++;
    run(digits);
  }
  if (src[i] === 'e' || src[i] === 'E') {
    i++;
    if (src[i] === '+' || src[i] === '-') i++;
    run(/[0-9]/);
  }
  if (!isAlphaNumeric(src[i])) return { text: src.slice(start, i) };
  // A duration: units, then more digit runs with units, then nothing alphanumeric.
  let ok = /[smhdwy]/.test(src[i] ?? '');
  if (ok) {
    i++;
    if (src[i] === 's') i++;
    while (ok && /[0-9]/.test(src[i] ?? '')) {
      run(/[0-9]/);
      ok = /[smhdwy]/.test(src[i] ?? '');
      if (ok) {
        i++;
        if (src[i] === 's') i++;
      }
    }
  }
  if (ok && !isAlphaNumeric(src[i])) return { text: src.slice(start, i) };
  run(/[A-Za-z0-9_.]/);
  const text = src.slice(start, i);
  return { text, error: `bad number or duration syntax: ${JSON.stringify(text)}` };
}

/** Words after which an operand comes (so `offset` there is a metric name). */
const OPERATOR_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'unless', 'atan2', 'bool']);
/** Keywords Prometheus never reads as a metric name. */
const NOT_NAMES: ReadonlySet<string> = new Set([
  'bool',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'atan2',
]);
/** Words followed by a parenthesised list of label names. */
const LABEL_LIST_WORDS: ReadonlySet<string> = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);
/** What the grammar reads `offset` as, where Prometheus reads a metric name (same length). */
const OFFSET_AS_NAME = 'offse_';

/**
 * Adapts the source to the grammar where it differs from Prometheus 2.42's
 * parser, outside strings and comments, remembering where:
 * - `holt_winters(` (2.42) is renamed to the name the grammar knows;
 * - `offset` where an operand belongs (`offset{job="x"}`, `a + offset`) is a
 *   metric name for Prometheus; the grammar only knows the modifier, so it
 *   reads a same-length stand-in;
 * - a number with a trailing dot (`3.`) loses the dot, which Go reads and the
 *   grammar does not (same length).
 */
function rewrite(src: string): Rewrite {
  const renamedAt = new Set<number>();
  const metricNames = new Map<number, string>();
  const shifts: { at: number; delta: number }[] = [];
  let out = '';
  let i = 0;
  /** Does an operand come next (start, after an operator, `(` or `,`)? */
  let operandNext = true;
  let braces = 0;
  /** The word whose label list opens with the next `(`, and the one whose list is open. */
  let listNext: string | undefined;
  let inList: string | undefined;
  let lexError: { offset: number; message: string } | undefined;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' && c !== '`' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      operandNext = false;
      continue;
    }
    if (c === '#') {
      const end = src.indexOf('\n', i);
      const j = end < 0 ? src.length : end;
      out += src.slice(i, j);
      i = j;
      continue;
    }
    if (/\s/.test(c)) {
      out += c;
      i++;
      continue;
    }
    const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(src.slice(i, i + 256))?.[0];
    if (word !== undefined) {
      const lower = word.toLowerCase();
      if (
        word === HOLT_WINTERS &&
        braces === 0 &&
        /^\s*\(/.test(src.slice(i + HOLT_WINTERS.length, i + HOLT_WINTERS.length + 64))
      ) {
        renamedAt.add(out.length);
        out += HOLT_WINTERS_NEW;
        shifts.push({ at: out.length, delta: HOLT_WINTERS_NEW.length - HOLT_WINTERS.length });
      } else if (lower === 'offset' && operandNext && braces === 0 && inList === undefined) {
        metricNames.set(out.length, word);
        out += OFFSET_AS_NAME;
      } else out += word;
      i += word.length;
      if (braces === 0 && inList === undefined) {
        if (operandNext && !NOT_NAMES.has(lower)) {
          // Where an operand belongs, a keyword is a metric name (`unless offset 5m`).
          operandNext = false;
          listNext = undefined;
        } else {
          const listFollows = /^\s*\(/.test(src.slice(i, i + 64));
          listNext = LABEL_LIST_WORDS.has(lower) && listFollows ? lower : undefined;
          // `group_left` without a list ends its clause: an operand follows.
          operandNext =
            OPERATOR_WORDS.has(lower) ||
            listNext !== undefined ||
            (LABEL_LIST_WORDS.has(lower) && lower !== 'by' && lower !== 'without');
        }
      }
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const token = lexNumber(src, i);
      if (token.error !== undefined && lexError === undefined)
        lexError = { offset: i, message: token.error };
      // Go reads `3.`; the grammar does not: same length, without the dot.
      out += token.text.endsWith('.') ? `${token.text.slice(0, -1)} ` : token.text;
      i += token.text.length;
      operandNext = false;
      continue;
    }
    out += c;
    i++;
    if (braces > 0) {
      if (c === '{') braces++;
      else if (c === '}') braces--;
      if (braces === 0) operandNext = false;
      continue;
    }
    if (c === '{') braces++;
    else if (c === '(') {
      inList = listNext;
      operandNext = true;
    } else if (c === ')') {
      // After `on(...)` an operand follows; after `by (...)` a body or an operator.
      operandNext = inList !== undefined && inList !== 'by' && inList !== 'without';
      inList = undefined;
    } else if (inList === undefined) operandNext = /[-+*/%^=!<>,@[]/.test(c);
    listNext = undefined;
  }
  return {
    text: out,
    renamedAt,
    metricNames,
    ...(lexError === undefined ? {} : { lexError }),
    toOriginal(offset: number): number {
      let result = offset;
      for (const s of shifts) if (offset >= s.at) result -= s.delta;
      return result;
    },
  };
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The child nodes of a node, without comments. */
function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) {
    if (c.name !== 'LineComment') out.push(c);
  }
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/**
 * The value of a PromQL string literal (`"..."`, `'...'` with Go escapes, or a
 * raw `` `...` ``), or the error Prometheus' lexer gives.
 */
export function unquotePromqlString(
  literal: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return { ok: true, value: body };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1] ?? '';
    const simple = ESCAPES[e];
    if (simple !== undefined || e === quote) {
      out += simple ?? e;
      i++;
      continue;
    }
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      const code = Number.parseInt(hex, 16);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== hexLength) {
        return { ok: false, message: `invalid escape sequence \\${e}${hex} in string` };
      }
      if (!isCodePoint(code)) {
        return { ok: false, message: 'escape sequence is an invalid Unicode code point' };
      }
      out += String.fromCodePoint(code);
      i += 1 + hexLength;
      continue;
    }
    if (/^[0-7]{3}$/.test(body.slice(i + 1, i + 4))) {
      const code = Number.parseInt(body.slice(i + 1, i + 4), 8);
      // Go's lexer: an octal escape is one byte.
      if (code > 0xff) {
        return { ok: false, message: 'escape sequence is an invalid Unicode code point' };
      }
      out += String.fromCodePoint(code);
      i += 3;
      continue;
    }
    return { ok: false, message: `unknown escape sequence \\${e} in string` };
  }
  return { ok: true, value: out };
}

/** A code point Go accepts in an escape: at most U+10FFFF, no surrogate. */
const isCodePoint = (code: number): boolean =>
  code <= 0x10ffff && (code < 0xd800 || code >= 0xe000);

/** Number literals Prometheus' lexer reads as numbers (not durations). */
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])$/;

/** Postfix operators: the grammar puts them around a whole binary or unary expression. */
const POSTFIX: ReadonlySet<string> = new Set([
  'MatrixSelector',
  'SubqueryExpr',
  'OffsetExpr',
  'StepInvariantExpr',
]);

/** What a postfix operator applies to, and the modifiers it already has. */
interface Target {
  readonly node: SyntaxNode;
  kind: 'selector' | 'matrix' | 'subquery' | 'other';
  offset: boolean;
  at: boolean;
}

/** @internal the walk over the syntax tree, one instance per expression. */
class Checker {
  constructor(
    private readonly text: string,
    private readonly rw: Rewrite,
  ) {}

  private src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private fail(code: PromqlErrorCode, node: SyntaxNode | number, message: string): never {
    throw new CheckError(code, typeof node === 'number' ? node : node.from, message);
  }

  private unsupported(node: SyntaxNode): never {
    this.fail(
      'invalid_promql',
      node,
      `${JSON.stringify(this.src(node))} is not supported by Prometheus 2.42`,
    );
  }

  /**
   * The type of `node` with `post` applied to it: the postfix operators
   * (`[range]`, `[range:step]`, `offset`, `@`; innermost first) that the
   * grammar put around a binary or unary expression. Prometheus binds them
   * tighter than any operator (`a - b offset 5m` is `a - (b offset 5m)`), so
   * they are carried down to the rightmost operand and applied there.
   */
  check(node: SyntaxNode, post: readonly SyntaxNode[] = []): T {
    if (POSTFIX.has(node.name)) {
      const [inner] = children(node);
      /* v8 ignore next -- the grammar guarantees the operand */
      if (inner === undefined) return this.unsupported(node);
      return this.check(inner, [node, ...post]);
    }
    if (post.length > 0 && node.name === 'BinaryExpr') return this.binary(node, post);
    if (post.length > 0 && node.name === 'UnaryExpr') return this.unary(node, post);
    let type = this.base(node);
    const state: Target = {
      node,
      kind: node.name === 'VectorSelector' ? 'selector' : 'other',
      offset: false,
      at: false,
    };
    for (const p of post) type = this.postfix(p, state, type);
    return type;
  }

  private base(node: SyntaxNode): T {
    switch (node.name) {
      case 'ParenExpr': {
        const [inner] = children(node);
        /* v8 ignore next -- the grammar guarantees a child */
        if (inner === undefined) return this.unsupported(node);
        return this.check(inner);
      }
      case 'NumberDurationLiteral':
        return this.number(node);
      case 'StringLiteral':
        this.string(node);
        return STR;
      case 'VectorSelector':
        this.vectorSelector(node);
        return V;
      case 'UnaryExpr':
        return this.unary(node, []);
      case 'BinaryExpr':
        return this.binary(node, []);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'FunctionCall':
        return this.call(node);
      default:
        return this.unsupported(node);
    }
  }

  /** Applies one postfix operator to what `state` describes, of type `type`. */
  private postfix(p: SyntaxNode, state: Target, type: T): T {
    const parts = children(p);
    switch (p.name) {
      case 'MatrixSelector': {
        const range = parts[1];
        /* v8 ignore next -- the grammar guarantees the range */
        if (range === undefined) return this.unsupported(p);
        if (state.kind !== 'selector') {
          this.fail(
            'promql_type_error',
            range.from - 1,
            'ranges only allowed for vector selectors',
          );
        }
        if (state.offset || state.at) {
          this.fail(
            'promql_type_error',
            range.from - 1,
            'no offset modifiers allowed before range',
          );
        }
        this.duration(range);
        state.kind = 'matrix';
        return M;
      }
      case 'SubqueryExpr': {
        for (const d of parts.slice(1)) this.duration(d);
        if (type !== V) {
          this.fail(
            'promql_type_error',
            state.node,
            `subquery is only allowed on instant vector, got ${type} in ${JSON.stringify(this.text.slice(state.node.from, p.to))} instead`,
          );
        }
        Object.assign(state, { kind: 'subquery', offset: false, at: false });
        return M;
      }
      case 'OffsetExpr':
        this.offset(p, state);
        return type;
      default:
        this.at(p, state);
        return type;
    }
  }

  private number(node: SyntaxNode): T {
    // The grammar takes a sign and the spaces after it into the literal (`- 1`).
    const text = this.src(node).replace(/^([+-])\s+/, '$1');
    if (!NUMBER.test(text)) {
      const isDuration = safeParseDuration(text.replace(/^[+-]/, '')).ok;
      this.fail(
        'invalid_promql',
        node,
        isDuration
          ? `unexpected duration ${JSON.stringify(text)}`
          : `bad number syntax: ${JSON.stringify(text)}`,
      );
    }
    // Go's strconv: a decimal beyond float64 is out of range (hex integers fit or fail alike).
    const magnitude = text.replace(/^[+-]/, '');
    if (!/^(?:inf|nan|0x)/i.test(magnitude) && !Number.isFinite(Number(magnitude))) {
      this.fail(
        'invalid_promql',
        node,
        `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(magnitude)}: value out of range`,
      );
    }
    return S;
  }

  private string(node: SyntaxNode): string {
    const literal = this.src(node);
    // The grammar takes an unterminated string to the end of the input.
    const closed =
      literal.length >= 2 &&
      literal.endsWith(literal[0] ?? '') &&
      (literal[0] === '`' || (/\\*$/.exec(literal.slice(1, -1))?.[0].length ?? 0) % 2 === 0);
    if (!closed) this.fail('invalid_promql', node, 'unterminated quoted string');
    const result = unquotePromqlString(literal);
    if (!result.ok) this.fail('invalid_promql', node, result.message);
    return result.value;
  }

  private vectorSelector(node: SyntaxNode): void {
    let name: string | undefined;
    const matchers: { name: string; op: string; value: string; node: SyntaxNode }[] = [];
    for (const c of children(node)) {
      if (c.name === 'Identifier') {
        name = this.rw.metricNames.get(c.from) ?? this.src(c);
        // Operators the grammar reads as names; Prometheus' lexer does not.
        if (name.toLowerCase() === 'atan2') this.fail('invalid_promql', c, 'unexpected <op:atan2>');
        continue;
      }
      /* v8 ignore next -- a selector holds a name and matchers only */
      if (c.name !== 'LabelMatchers') this.unsupported(c);
      for (const m of children(c)) {
        if (m.name !== 'UnquotedLabelMatcher') this.unsupported(m);
        const [label, op, value] = children(m);
        /* v8 ignore next -- the grammar guarantees the three parts */
        if (label === undefined || op === undefined || value === undefined) this.unsupported(m);
        const matcher = {
          name: this.src(label),
          op: this.src(op),
          value: this.string(value),
          node: m,
        };
        if (matcher.op === '=~' || matcher.op === '!~') {
          const re = checkRe2(matcher.value, { anchored: true });
          if (!re.ok) this.fail('invalid_regex', m, `error parsing regexp: ${re.message}`);
        }
        matchers.push(matcher);
      }
    }
    if (name !== undefined) {
      const second = matchers.find((m) => m.name === '__name__');
      if (second !== undefined) {
        this.fail(
          'promql_type_error',
          node,
          `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(second.value)}`,
        );
      }
      return;
    }
    const nonEmpty = matchers.some((m) => !this.matchesEmpty(m.op, m.value));
    if (!nonEmpty) {
      this.fail(
        'promql_type_error',
        node,
        'vector selector must contain at least one non-empty matcher',
      );
    }
  }

  private matchesEmpty(op: string, value: string): boolean {
    switch (op) {
      case '=':
        return value === '';
      case '!=':
        return value !== '';
      default: {
        const re = checkRe2(value, { anchored: true });
        const empty = re.ok && re.matchesEmpty;
        return op === '=~' ? empty : !empty;
      }
    }
  }

  /** Checks a range or step duration (`[5m]`, `[5m:1m]`): a plain Prometheus duration above 0. */
  private duration(node: SyntaxNode): void {
    const parts = children(node);
    const literal = parts[0];
    if (parts.length !== 1 || literal?.name !== 'NumberDurationLiteralInDurationContext') {
      this.unsupported(node);
    }
    const text = this.src(literal);
    if (/^[0-9]+$/.test(text))
      this.fail('invalid_duration', node, 'missing unit character in duration');
    const result = safeParseDuration(text);
    if (!result.ok)
      this.fail('invalid_duration', node, `not a valid duration string: ${JSON.stringify(text)}`);
    if (result.ms === 0) this.fail('invalid_duration', node, 'duration must be greater than 0');
  }

  private offset(node: SyntaxNode, target: Target): void {
    const parts = children(node);
    const duration = parts[parts.length - 1];
    /* v8 ignore next -- the grammar guarantees the duration */
    if (duration === undefined) this.unsupported(node);
    if (target.kind === 'other') {
      this.fail(
        'promql_type_error',
        target.node,
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.offset)
      this.fail('promql_type_error', target.node, 'offset may not be set multiple times');
    target.offset = true;
    let d = duration;
    const dParts = children(d);
    if (dParts[0]?.name === 'UnaryOp' && dParts[1] !== undefined) d = dParts[1];
    const literal = children(d);
    if (literal.length !== 1 || literal[0]?.name !== 'NumberDurationLiteralInDurationContext') {
      this.unsupported(duration);
    }
    const text = this.src(literal[0]);
    if (/^[0-9]+$/.test(text))
      this.fail('invalid_duration', d, 'missing unit character in duration');
    const parsed = safeParseDuration(text);
    if (!parsed.ok) {
      this.fail('invalid_duration', d, `not a valid duration string: ${JSON.stringify(text)}`);
    }
    if (parsed.ms === 0) this.fail('invalid_duration', d, 'duration must be greater than 0');
  }

  private at(node: SyntaxNode, target: Target): void {
    const parts = children(node);
    const value = parts[parts.length - 1];
    /* v8 ignore next -- the grammar guarantees the value */
    if (value === undefined) this.unsupported(node);
    if (target.kind === 'other') {
      this.fail(
        'promql_type_error',
        target.node,
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.at)
      this.fail('promql_type_error', target.node, '@ <timestamp> may not be set multiple times');
    target.at = true;
    if (value.name === 'NumberDurationLiteral') {
      this.number(value);
      // Prometheus keeps `@` in int64 milliseconds.
      const seconds = Number(this.src(value).replace(/\s+/g, ''));
      if (!Number.isFinite(seconds) || Math.abs(seconds * 1000) > 9.223372036854775e18) {
        this.fail(
          'promql_type_error',
          value,
          `timestamp out of bounds for @ modifier: ${this.src(value)}`,
        );
      }
    } else if (value.name !== 'AtModifierPreprocessors') this.unsupported(value);
  }

  private unary(node: SyntaxNode, post: readonly SyntaxNode[]): T {
    const [, operand] = children(node);
    /* v8 ignore next -- the grammar guarantees the operand */
    if (operand === undefined) return this.unsupported(node);
    const type = this.check(operand, post);
    if (type !== S && type !== V) {
      this.fail(
        'promql_type_error',
        node,
        `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(type)}`,
      );
    }
    return type;
  }

  private labels(node: SyntaxNode | undefined): string[] {
    if (node === undefined) return [];
    return children(node).map((l) => {
      if (l.name !== 'LabelName') this.unsupported(l);
      return this.src(l);
    });
  }

  private binary(node: SyntaxNode, post: readonly SyntaxNode[]): T {
    const parts = children(node);
    const lhs = parts[0];
    const rhs = parts[parts.length - 1];
    const op = parts[1];
    /* v8 ignore next -- the grammar guarantees the parts */
    if (lhs === undefined || rhs === undefined || op === undefined) return this.unsupported(node);
    const lt = this.check(lhs);
    const rt = this.check(rhs, post);
    const opName = op.name;
    if (!COMPARISONS.has(opName) && !SET_OPERATORS.has(opName) && !ARITHMETIC.has(opName)) {
      this.unsupported(op);
    }
    let returnBool = false;
    let matching:
      | { on: boolean; labels: string[]; group: 'left' | 'right' | undefined; include: string[] }
      | undefined;
    for (const m of parts.slice(2, -1)) {
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') {
        const ps = children(m);
        const groupNode = ps.find((p) => p.name === 'GroupLeft' || p.name === 'GroupRight');
        const labelLists = ps.filter((p) => p.name === 'GroupingLabels');
        matching = {
          on: ps[0]?.name === 'On',
          labels: this.labels(labelLists[0]),
          group:
            groupNode === undefined ? undefined : groupNode.name === 'GroupLeft' ? 'left' : 'right',
          include: this.labels(labelLists[1]),
        };
      } else this.unsupported(m);
    }
    const opText = this.src(op);
    if (returnBool && !COMPARISONS.has(opName)) {
      this.fail('promql_type_error', op, 'bool modifier can only be used on comparison operators');
    }
    if (COMPARISONS.has(opName) && !returnBool && lt === S && rt === S) {
      this.fail('promql_type_error', op, 'comparisons between scalars must use BOOL modifier');
    }
    if (matching?.on === true) {
      for (const l of matching.labels) {
        if (matching.include.includes(l)) {
          this.fail(
            'promql_type_error',
            op,
            `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`,
          );
        }
      }
    }
    if (lt !== S && lt !== V) {
      this.fail(
        'promql_type_error',
        lhs,
        'binary expression must contain only scalar and instant vector types',
      );
    }
    if (rt !== S && rt !== V) {
      this.fail(
        'promql_type_error',
        rhs,
        'binary expression must contain only scalar and instant vector types',
      );
    }
    if ((lt !== V || rt !== V) && matching !== undefined) {
      if (matching.labels.length > 0) {
        this.fail(
          'promql_type_error',
          node,
          'vector matching only allowed between instant vectors',
        );
      }
    } else if (SET_OPERATORS.has(opName) && matching?.group !== undefined) {
      this.fail(
        'promql_type_error',
        node,
        `no grouping allowed for ${JSON.stringify(opText)} operation`,
      );
    }
    if ((lt === S || rt === S) && SET_OPERATORS.has(opName)) {
      this.fail(
        'promql_type_error',
        node,
        `set operator ${JSON.stringify(opText)} not allowed in binary scalar expression`,
      );
    }
    return lt === S && rt === S ? S : V;
  }

  private expectType(node: SyntaxNode, type: T, want: T, context: string): void {
    if (type !== want) {
      this.fail('promql_type_error', node, `expected type ${want} in ${context}, got ${type}`);
    }
  }

  private aggregate(node: SyntaxNode): T {
    const parts = children(node);
    const opNode = parts.find((p) => p.name === 'AggregateOp');
    const body = parts.find((p) => p.name === 'FunctionCallBody');
    /* v8 ignore next -- the grammar guarantees the parts */
    if (opNode === undefined || body === undefined) return this.unsupported(node);
    for (const m of parts.filter((p) => p.name === 'AggregateModifier'))
      this.labels(children(m)[1]);
    const op = this.src(opNode);
    if (!AGGREGATIONS.has(op)) {
      this.fail('invalid_promql', node, `unknown function with name ${JSON.stringify(op)}`);
    }
    const param = AGGREGATIONS.get(op);
    const args = children(body);
    const types = args.map((a) => this.check(a));
    if (args.length === 0) {
      this.fail('promql_type_error', node, 'no arguments for aggregate expression provided');
    }
    const expected = param === undefined ? 1 : 2;
    if (args.length !== expected) {
      this.fail(
        'promql_type_error',
        node,
        `wrong number of arguments for aggregate expression provided, expected ${expected}, got ${args.length}`,
      );
    }
    const exprIndex = expected - 1;
    this.expectType(args[exprIndex] ?? node, types[exprIndex] ?? V, V, 'aggregation expression');
    if (param !== undefined)
      this.expectType(args[0] ?? node, types[0] ?? param, param, 'aggregation parameter');
    return V;
  }

  private call(node: SyntaxNode): T {
    const [ident, body] = children(node);
    /* v8 ignore next -- the grammar guarantees the parts */
    if (ident === undefined || body === undefined) return this.unsupported(node);
    let name = this.src(ident);
    if (this.rw.renamedAt.has(ident.from)) name = HOLT_WINTERS;
    const spec = PROMQL_FUNCTIONS.get(name);
    if (spec === undefined) {
      this.fail('invalid_promql', node, `unknown function with name ${JSON.stringify(name)}`);
    }
    const args = children(body);
    const types = args.map((a) => this.check(a));
    const nargs = spec.args.length;
    if (spec.variadic === 0) {
      if (nargs !== args.length) {
        this.fail(
          'promql_type_error',
          node,
          `expected ${nargs} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`,
        );
      }
    } else {
      const min = nargs - 1;
      if (min > args.length) {
        this.fail(
          'promql_type_error',
          node,
          `expected at least ${min} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`,
        );
      }
      const max = min + spec.variadic;
      if (spec.variadic > 0 && max < args.length) {
        this.fail(
          'promql_type_error',
          node,
          `expected at most ${max} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`,
        );
      }
    }
    args.forEach((arg, i) => {
      const want = spec.args[Math.min(i, nargs - 1)];
      if (want === undefined || (i >= nargs && spec.variadic === 0)) return;
      this.expectType(arg, types[i] ?? want, want, `call to function ${JSON.stringify(name)}`);
    });
    return spec.returns;
  }
}

/**
 * How deep an expression may nest. Prometheus' parser takes any depth; the
 * grammar's parser stops a few hundred levels down with an error that names
 * no reason, and the checks walk the tree recursively, so alertbase refuses
 * deeper expressions with this reason (no rule written by hand comes near).
 */
export const MAX_NESTING = 256;

/** The offset of the first `(`, `[` or `{` deeper than {@link MAX_NESTING}, outside strings and comments. */
/**
 * Does `expr` nest deeper than {@link MAX_NESTING}? The grammar's tree is
 * built recursively: a parse of such an expression can exhaust the stack,
 * so it must not be parsed (`checkPrometheusExpr` refuses it with its position).
 */
export function nestsTooDeeply(expr: string): boolean {
  return tooDeep(rewrite(expr).text) !== undefined;
}

function tooDeep(text: string): number | undefined {
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c !== '`' ? 2 : 1;
      i = j;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '(' || c === '[' || c === '{') {
      level++;
      if (level > MAX_NESTING) return i;
    } else if (c === ')' || c === ']' || c === '}') level--;
  }
  return undefined;
}

/** Describes the first syntax error of the grammar, with Prometheus' wording where it matters. */
function syntaxError(text: string, from: number, to: number): { from: number; message: string } {
  if (from >= text.trimEnd().length) return { from, message: 'unexpected end of input' };
  // `name(` where name is no function: the grammar stops at the parenthesis.
  const before = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text.slice(0, from));
  if (text[from] === '(' && before?.[1] !== undefined) {
    return {
      from: from - before[0].length,
      message: `unknown function with name ${JSON.stringify(before[1])}`,
    };
  }
  const end = to > from ? to : from + 1;
  return {
    from,
    message: `unexpected ${JSON.stringify(text.slice(from, Math.min(end, from + 32)))}`,
  };
}

/**
 * Checks a PromQL expression as Prometheus 2.42's parser does (what
 * `promtool check rules` reports as "could not parse expression").
 *
 * @example
 * ```ts
 * checkPrometheusExpr('rate(http_requests_total[5m]) > 0.1'); // { ok: true, type: 'instant vector' }
 * checkPrometheusExpr('rate(up)');
 * // { ok: false, code: 'promql_type_error', line: 1, column: 6,
 * //   message: 'expected type range vector in call to function "rate", got instant vector' }
 * checkPrometheusExpr('up{job=~"("}'); // { ok: false, code: 'invalid_regex', ... }
 * ```
 */
export function checkPrometheusExpr(expr: string): PrometheusExprCheckResult {
  if (expr.trim() === '') {
    return {
      ok: false,
      code: 'invalid_promql',
      line: 1,
      column: 1,
      message: 'expected a PromQL expression, got nothing',
    };
  }
  const rw = rewrite(expr);
  const deep = tooDeep(rw.text);
  if (deep !== undefined) {
    const { line, column } = position(expr, rw.toOriginal(deep));
    return {
      ok: false,
      code: 'invalid_promql',
      line,
      column,
      message: `expression nests too deeply (more than ${MAX_NESTING} levels of parentheses, brackets and braces)`,
    };
  }
  const tree = parser.parse(rw.text);
  let error: { from: number; to: number } | undefined;
  let depth = 0;
  let maxDepth = 0;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = { from: node.from, to: node.to };
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    },
    leave() {
      depth--;
    },
  });
  const at = (
    code: PromqlErrorCode,
    offset: number,
    message: string,
  ): PrometheusExprCheckResult => {
    const { line, column } = position(expr, rw.toOriginal(offset));
    return { ok: false, code, line, column, message };
  };
  if (rw.lexError !== undefined) {
    const { line, column } = position(expr, rw.lexError.offset);
    return { ok: false, code: 'invalid_promql', line, column, message: rw.lexError.message };
  }
  if (error !== undefined) {
    // The grammar's parser gives up on operator chains a few hundred deep.
    if (maxDepth > MAX_NESTING) {
      return at(
        'invalid_promql',
        error.from,
        `expression nests too deeply (more than ${MAX_NESTING} levels of operators and parentheses)`,
      );
    }
    const e = syntaxError(rw.text, error.from, error.to);
    return at('invalid_promql', e.from, e.message);
  }
  const root = children(tree.topNode)[0];
  /* v8 ignore next -- a non-blank expression without errors has a node (or is a lone comment) */
  if (root === undefined)
    return at('invalid_promql', 0, 'expected a PromQL expression, got only a comment');
  try {
    return { ok: true, type: new Checker(rw.text, rw).check(root) };
  } catch (err) {
    /* v8 ignore next -- only CheckError is thrown by the checker */
    if (!(err instanceof CheckError)) throw err;
    return at(err.code, err.from, err.message);
  }
}
