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
  toOriginal(offset: number): number;
}

/**
 * Renames `holt_winters(` (2.42) to the name the grammar knows, outside
 * strings and comments, remembering where.
 */
function rewrite(src: string): Rewrite {
  const renamedAt = new Set<number>();
  const shifts: { at: number; delta: number }[] = [];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' && c !== '`' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '#') {
      const end = src.indexOf('\n', i);
      const j = end < 0 ? src.length : end;
      out += src.slice(i, j);
      i = j;
      continue;
    }
    if (
      src.startsWith(HOLT_WINTERS, i) &&
      !/[A-Za-z0-9_:]/.test(src[i - 1] ?? '') &&
      /^\s*\(/.test(src.slice(i + HOLT_WINTERS.length))
    ) {
      renamedAt.add(out.length);
      out += HOLT_WINTERS_NEW;
      shifts.push({ at: out.length, delta: HOLT_WINTERS_NEW.length - HOLT_WINTERS.length });
      i += HOLT_WINTERS.length;
      continue;
    }
    out += c;
    i++;
  }
  return {
    text: out,
    renamedAt,
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
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== hexLength || code > 0x10ffff) {
        return { ok: false, message: `invalid escape sequence \\${e}${hex} in string` };
      }
      out += String.fromCodePoint(code);
      i += 1 + hexLength;
      continue;
    }
    if (/^[0-7]{3}$/.test(body.slice(i + 1, i + 4))) {
      out += String.fromCodePoint(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
      continue;
    }
    return { ok: false, message: `unknown escape sequence \\${e} in string` };
  }
  return { ok: true, value: out };
}

/** Number literals Prometheus' lexer reads as numbers (not durations). */
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])$/;

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

  check(node: SyntaxNode): T {
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
      case 'MatrixSelector':
        return this.matrixSelector(node);
      case 'SubqueryExpr':
        return this.subquery(node);
      case 'OffsetExpr':
        return this.offset(node);
      case 'StepInvariantExpr':
        return this.at(node);
      case 'UnaryExpr':
        return this.unary(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'FunctionCall':
        return this.call(node);
      default:
        return this.unsupported(node);
    }
  }

  private number(node: SyntaxNode): T {
    const text = this.src(node);
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
    return S;
  }

  private string(node: SyntaxNode): string {
    const result = unquotePromqlString(this.src(node));
    if (!result.ok) this.fail('invalid_promql', node, result.message);
    return result.value;
  }

  private vectorSelector(node: SyntaxNode): void {
    let name: string | undefined;
    const matchers: { name: string; op: string; value: string; node: SyntaxNode }[] = [];
    for (const c of children(node)) {
      if (c.name === 'Identifier') {
        name = this.src(c);
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

  private matrixSelector(node: SyntaxNode): T {
    const [inner, range] = children(node);
    /* v8 ignore next -- the grammar guarantees both parts */
    if (inner === undefined || range === undefined) return this.unsupported(node);
    this.check(inner);
    if (inner.name !== 'VectorSelector') {
      this.fail('promql_type_error', range.from - 1, 'ranges only allowed for vector selectors');
    }
    this.duration(range);
    return M;
  }

  private subquery(node: SyntaxNode): T {
    const [inner, ...durations] = children(node);
    /* v8 ignore next -- the grammar guarantees the expression */
    if (inner === undefined) return this.unsupported(node);
    const type = this.check(inner);
    for (const d of durations) this.duration(d);
    if (type !== V) {
      this.fail(
        'promql_type_error',
        node,
        `subquery is only allowed on instant vector, got ${type} in ${JSON.stringify(this.src(node))} instead`,
      );
    }
    return M;
  }

  /** The selector or subquery an offset or `@` applies to, and which modifiers it already has. */
  private modifierTarget(node: SyntaxNode): { offset: boolean; at: boolean; ok: boolean } {
    let current: SyntaxNode | undefined = node;
    const seen = { offset: false, at: false, ok: false };
    while (current !== undefined) {
      if (current.name === 'OffsetExpr') seen.offset = true;
      else if (current.name === 'StepInvariantExpr') seen.at = true;
      else {
        seen.ok = ['VectorSelector', 'MatrixSelector', 'SubqueryExpr'].includes(current.name);
        return seen;
      }
      current = children(current)[0];
    }
    /* v8 ignore next -- modifiers always wrap an expression */
    return seen;
  }

  private offset(node: SyntaxNode): T {
    const parts = children(node);
    const inner = parts[0];
    const duration = parts[parts.length - 1];
    /* v8 ignore next -- the grammar guarantees both parts */
    if (inner === undefined || duration === undefined) return this.unsupported(node);
    const type = this.check(inner);
    const target = this.modifierTarget(inner);
    if (!target.ok) {
      this.fail(
        'promql_type_error',
        node,
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.offset) this.fail('promql_type_error', node, 'offset may not be set multiple times');
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
    if (!safeParseDuration(text).ok) {
      this.fail('invalid_duration', d, `not a valid duration string: ${JSON.stringify(text)}`);
    }
    return type;
  }

  private at(node: SyntaxNode): T {
    const parts = children(node);
    const inner = parts[0];
    const value = parts[parts.length - 1];
    /* v8 ignore next -- the grammar guarantees both parts */
    if (inner === undefined || value === undefined) return this.unsupported(node);
    const type = this.check(inner);
    const target = this.modifierTarget(inner);
    if (!target.ok) {
      this.fail(
        'promql_type_error',
        node,
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    }
    if (target.at)
      this.fail('promql_type_error', node, '@ <timestamp> may not be set multiple times');
    if (value.name === 'NumberDurationLiteral') this.number(value);
    else if (value.name !== 'AtModifierPreprocessors') this.unsupported(value);
    return type;
  }

  private unary(node: SyntaxNode): T {
    const [, operand] = children(node);
    /* v8 ignore next -- the grammar guarantees the operand */
    if (operand === undefined) return this.unsupported(node);
    const type = this.check(operand);
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

  private binary(node: SyntaxNode): T {
    const parts = children(node);
    const lhs = parts[0];
    const rhs = parts[parts.length - 1];
    const op = parts[1];
    /* v8 ignore next -- the grammar guarantees the parts */
    if (lhs === undefined || rhs === undefined || op === undefined) return this.unsupported(node);
    const lt = this.check(lhs);
    const rt = this.check(rhs);
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
  const tree = parser.parse(rw.text);
  let error: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (error !== undefined) return false;
      if (node.type.isError) {
        error = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
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
  if (error !== undefined) {
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
