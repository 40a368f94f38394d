/**
 * A seeded, grammar-based generator of PromQL expressions for differential
 * testing against `promtool check rules`: selectors with every matcher,
 * `offset`/`@` in every position, ranges and subqueries, aggregations with
 * `by`/`without`, binary operators with `bool`, `on`/`ignoring` and
 * `group_left`/`group_right`, every function with right and wrong argument
 * types, literals, nesting, and mutations of valid expressions. Most output
 * is well-typed; a share is deliberately wrong in one place.
 */
import { PROMQL_FUNCTIONS } from '../../../../src/base/prometheus/promql-check.js';

type T = 'scalar' | 'instant vector' | 'range vector' | 'string';

/** A small, fast, seeded PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METRICS = [
  'up',
  'http_requests_total',
  'node_load1',
  'a',
  'b',
  'x:y:z',
  'job:rate5m',
  'sum_x',
  'offset',
  'bool',
  'by',
  'inf',
  'nan',
  'start',
];
const LABELS = ['job', 'instance', 'le', 'a', 'b', '__name__', 'on', 'by', 'offset', '_x'];
const VALUES = [
  'api',
  '',
  'x y',
  'a\\"b',
  '10.0.0.1:9090',
  'é',
  '\\n',
  '\\q',
  '\\x41',
  '\\u00e9',
  '\\777',
  '\\1',
];
const REGEXES = [
  '.*',
  '.+',
  'api|web',
  '',
  '(',
  ')',
  '[a-z]+',
  '\\\\d+',
  '(?i)x',
  '(?P<n>a)',
  '(?<n>a)',
  '(?=x)',
  'a{1001}',
  'a{2,1}',
  'a**',
  'a++',
  '\\\\pL',
  '\\\\p{Greek}',
  '\\\\p{Foo}',
  '[[:alpha:]]',
  '[[:foo:]]',
  '\\\\Qa.b\\\\E',
  'a{,5}',
  'x{1000}',
  '(a{10}){101}',
  '\\\\8',
  '\\\\b',
  '[z-a]',
  '\\\\',
  '(?s:.)',
  '(?U)a*',
  '((((a))))',
  '\\\\x{10FFFF}',
  'a|',
  '|',
  '(|a)',
  '^a$',
  '\\\\C',
];
const DURATIONS = [
  '5m',
  '1h',
  '30s',
  '1h30m',
  '1d',
  '1w',
  '1y',
  '250ms',
  '0s',
  '5',
  '1m5h',
  '1.5m',
  '5M',
  '0',
  '999999999y',
  '1s1ms',
  '2h0m',
];
const NUMBERS = [
  '0',
  '1',
  '80',
  '0.5',
  '.5',
  '1e3',
  '1E-2',
  '0x1F',
  'Inf',
  '-Inf',
  'NaN',
  '+1',
  '1_000',
  '5m',
  '08',
  '0x',
  '1e',
  '1.2.3',
  '3.',
  '0.000001',
  '1e400',
];
const STRINGS = [
  '"a"',
  "'b'",
  '`c`',
  '"le"',
  '"x\\ty"',
  '"\\q"',
  "'\\''",
  '"\\u00e9"',
  '"\\xZZ"',
  '""',
];
const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
const COMPARE = ['==', '!=', '>', '<', '>=', '<='];
const SETS = ['and', 'or', 'unless'];
const AGG_PLAIN = ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'];
const AGG_PARAM = ['topk', 'bottomk', 'quantile', 'count_values'];
const EXTRA_FUNCTIONS = [
  'sort_by_label',
  'limitk',
  'mad_over_time',
  'double_exponential_smoothing',
  'info',
  'foo',
  'histogram_avg',
  'ts_of_max_over_time',
];
const FUNCTIONS = [...PROMQL_FUNCTIONS.keys()];
const TYPES: readonly T[] = ['scalar', 'instant vector', 'range vector', 'string'];

/** Options of {@link generateExpressions}. */
export interface GenerateOptions {
  readonly seed: number;
  readonly count: number;
}

class Gen {
  constructor(private readonly r: () => number) {}

  private chance(p: number): boolean {
    return this.r() < p;
  }
  private int(n: number): number {
    return Math.floor(this.r() * n);
  }
  private pick<V>(list: readonly V[]): V {
    return list[this.int(list.length)] as V;
  }
  private sp(): string {
    return this.pick(['', ' ', ' ', ' ', '  ', '\n']);
  }

  duration(): string {
    return this.chance(0.85) ? this.pick(DURATIONS.slice(0, 8)) : this.pick(DURATIONS);
  }

  private labelList(): string {
    const n = this.int(3);
    const names = Array.from({ length: n }, () => this.pick(LABELS));
    return `(${names.join(', ')}${this.chance(0.1) ? ',' : ''})`;
  }

  selector(): string {
    const withName = this.chance(0.75);
    const name = withName ? this.pick(METRICS) : '';
    const n = this.int(withName ? 3 : 3) + (withName ? 0 : this.chance(0.8) ? 1 : 0);
    const matchers: string[] = [];
    for (let i = 0; i < n; i++) {
      const op = this.pick(['=', '!=', '=~', '!~']);
      const regex = op.endsWith('~');
      const value = regex
        ? this.pick(REGEXES)
        : this.chance(0.8)
          ? this.pick(VALUES.slice(0, 6))
          : this.pick(VALUES);
      const quote = this.chance(0.85) ? '"' : "'";
      const v = quote === "'" ? value.replaceAll('\\"', '"') : value;
      matchers.push(`${this.pick(LABELS)}${this.sp()}${op}${this.sp()}${quote}${v}${quote}`);
    }
    if (n === 0 && withName && this.chance(0.7)) return name;
    return `${name}{${matchers.join(',')}${this.chance(0.1) ? ',' : ''}}`;
  }

  private modifier(): string {
    if (this.chance(0.6)) return ` offset ${this.chance(0.15) ? '-' : ''}${this.duration()}`;
    return ` @ ${this.pick(['100', '1609746000', 'start()', 'end()', '-1', '1e3', '"x"', 'foo'])}`;
  }

  /** Maybe appends modifiers; they may land on any expression. */
  private modifiers(expr: string, p: number): string {
    let out = expr;
    while (this.chance(p)) out += this.modifier();
    return out;
  }

  private number(): string {
    return this.chance(0.85) ? this.pick(NUMBERS.slice(0, 11)) : this.pick(NUMBERS);
  }

  private wrongType(t: T): T {
    return this.chance(0.85) ? t : this.pick(TYPES);
  }

  /** An expression of type `t` (mostly), `depth` bounding nesting. */
  expr(t: T, depth: number): string {
    const leaf = depth <= 0 || this.chance(0.3);
    switch (t) {
      case 'string':
        return this.pick(STRINGS);
      case 'scalar': {
        if (leaf) return this.number();
        const k = this.int(6);
        if (k === 0) return `(${this.expr('scalar', depth - 1)})`;
        if (k === 1) return `scalar(${this.expr(this.wrongType('instant vector'), depth - 1)})`;
        if (k === 2) return this.pick(['time()', 'pi()', 'time( )']);
        if (k === 3) return `${this.pick(['-', '+'])}${this.expr('scalar', depth - 1)}`;
        return this.binary('scalar', depth);
      }
      case 'range vector': {
        if (leaf || this.chance(0.5)) {
          return this.modifiers(`${this.selector()}[${this.duration()}]`, 0.2);
        }
        const step = this.chance(0.5) ? '' : this.duration();
        const inner = this.expr(this.wrongType('instant vector'), depth - 1);
        const wrapped = this.chance(0.5) ? `(${inner})` : inner;
        return this.modifiers(`${wrapped}[${this.duration()}:${step}]`, 0.2);
      }
      default: {
        if (leaf) return this.modifiers(this.selector(), 0.15);
        const k = this.int(8);
        if (k <= 1) return this.call(depth);
        if (k === 2) return this.aggregate(depth);
        if (k === 3) return `(${this.expr('instant vector', depth - 1)})`;
        if (k === 4) return `${this.pick(['-', '+'])}${this.expr('instant vector', depth - 1)}`;
        return this.binary('instant vector', depth);
      }
    }
  }

  private binary(t: T, depth: number): string {
    const kind = this.int(3);
    const op = kind === 0 ? this.pick(ARITH) : kind === 1 ? this.pick(COMPARE) : this.pick(SETS);
    const vectors = t === 'instant vector';
    const lt: T =
      vectors && (op === 'and' || op === 'or' || op === 'unless' || this.chance(0.6))
        ? 'instant vector'
        : 'scalar';
    let rt: T =
      vectors && lt === 'scalar'
        ? 'instant vector'
        : vectors && this.chance(0.6)
          ? 'instant vector'
          : 'scalar';
    if (this.chance(0.1)) rt = this.pick(TYPES);
    let mid = ` ${op} `;
    if (kind === 1 && (this.chance(0.4) || (!vectors && this.chance(0.9)))) mid = ` ${op} bool `;
    else if (this.chance(0.05)) mid = ` ${op} bool `;
    if (this.chance(vectors ? 0.25 : 0.03)) {
      const on = `${this.pick(['on', 'ignoring'])}${this.labelList()}`;
      const group = this.chance(0.4)
        ? ` ${this.pick(['group_left', 'group_right'])}${this.chance(0.6) ? this.labelList() : ''}`
        : '';
      mid = `${mid}${on}${group} `;
    }
    const lhs = this.expr(lt, depth - 1);
    const rhs = this.expr(rt, depth - 1);
    return this.modifiers(`${lhs}${mid}${rhs}`, 0.1);
  }

  private aggregate(depth: number): string {
    const param = this.chance(0.3);
    const op = param ? this.pick(AGG_PARAM) : this.pick(AGG_PLAIN);
    const paramType: T = op === 'count_values' ? 'string' : 'scalar';
    const args: string[] = [];
    if (param || this.chance(0.05)) args.push(this.expr(this.wrongType(paramType), depth - 1));
    if (this.chance(0.97)) args.push(this.expr(this.wrongType('instant vector'), depth - 1));
    if (this.chance(0.03)) args.push(this.expr('instant vector', depth - 1));
    const grouping = this.chance(0.5)
      ? `${this.pick(['by', 'without'])}${this.sp()}${this.labelList()}`
      : '';
    const body = `(${args.join(', ')})`;
    const text =
      grouping === ''
        ? `${op}${body}`
        : this.chance(0.5)
          ? `${op} ${grouping} ${body}`
          : `${op}${body} ${grouping}`;
    return this.modifiers(text, 0.05);
  }

  private call(depth: number): string {
    const name = this.chance(0.95) ? this.pick(FUNCTIONS) : this.pick(EXTRA_FUNCTIONS);
    const spec = PROMQL_FUNCTIONS.get(name);
    const want: T[] = spec === undefined ? ['instant vector'] : [...spec.args];
    if (spec !== undefined && spec.variadic !== 0 && this.chance(0.5)) {
      // Leave out the optional last argument, or repeat it.
      if (this.chance(0.5)) want.pop();
      else want.push(spec.args[spec.args.length - 1] ?? 'string');
    }
    if (this.chance(0.05)) want.pop();
    if (this.chance(0.05)) want.push(this.pick(TYPES));
    const args = want.map((t) => this.expr(this.wrongType(t), depth - 1));
    return this.modifiers(`${name}(${args.join(', ')})`, 0.05);
  }

  /** One random edit of a valid expression's text. */
  mutate(text: string): string {
    const tokens = text.match(
      /[A-Za-z_:][A-Za-z0-9_:]*|[0-9.]+[A-Za-z]*|"(?:[^"\\]|\\.)*"|\s+|./g,
    ) ?? [text];
    const i = this.int(tokens.length);
    const k = this.int(5);
    if (k === 0) tokens.splice(i, 1);
    else if (k === 1)
      tokens.splice(
        i,
        0,
        this.pick([
          '(',
          ')',
          '[5m]',
          ' offset 5m',
          ' @ 1',
          ',',
          ' bool',
          '{',
          '}',
          '[1m:]',
          ' by (a)',
          '-',
          ' == ',
          '"x"',
        ]),
      );
    else if (k === 2)
      tokens[i] = this.pick([
        ...METRICS,
        ...ARITH,
        ...COMPARE,
        ...SETS,
        ...DURATIONS,
        '(',
        ')',
        ' ',
      ]);
    else if (k === 3 && i + 1 < tokens.length)
      [tokens[i], tokens[i + 1]] = [tokens[i + 1] ?? '', tokens[i] ?? ''];
    else tokens.splice(i, 0, tokens[i] ?? '');
    return tokens.join('');
  }

  one(): string {
    const depth = 1 + this.int(4);
    const top: T = this.chance(0.9)
      ? 'instant vector'
      : this.chance(0.7)
        ? 'scalar'
        : this.pick(TYPES);
    const text = this.expr(top, depth);
    return this.chance(0.2) ? this.mutate(text) : text;
  }
}

/**
 * `count` expressions from `seed`; the same seed gives the same list.
 *
 * @example
 * ```ts
 * generateExpressions({ seed: 1, count: 3 }); // three PromQL expressions, some wrong
 * ```
 */
export function generateExpressions(options: GenerateOptions): string[] {
  const gen = new Gen(createRandom(options.seed));
  return Array.from({ length: options.count }, () => gen.one());
}
