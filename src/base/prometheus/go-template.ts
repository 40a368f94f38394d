/**
 * A parser for Go `text/template`, as Prometheus uses it in alert labels and
 * annotations (`{{ $labels.instance }}`, `{{ $value | humanize }}`).
 *
 * It checks what Go's `template.Parse` checks, which is what `promtool check
 * rules` reports: unclosed actions and comments, unbalanced `if`/`range`/
 * `with`/`define`/`block` and `end`/`else`, undefined variables, functions that
 * are not defined (Go's builtins plus Prometheus' template functions), bad
 * literals, non-executable pipeline stages, `break`/`continue` outside
 * `range`. It does not execute the template. The variables Prometheus defines
 * for alert templates (`$labels`, `$externalLabels`, `$externalURL`,
 * `$value`) are known.
 */

/** Functions Go's `text/template` defines for every template. */
export const GO_TEMPLATE_BUILTINS: ReadonlySet<string> = new Set([
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
]);

/** Prometheus' template functions as of 2.42 (`template/template.go`). */
export const PROMETHEUS_TEMPLATE_FUNCTIONS_2_42: ReadonlySet<string> = new Set([
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'args',
  'reReplaceAll',
  'safeHtml',
  'match',
  'title',
  'toUpper',
  'toLower',
  'graphLink',
  'tableLink',
  'sortByLabel',
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'toTime',
  'pathPrefix',
  'externalURL',
  'parseDuration',
  'stripPort',
  'stripDomain',
]);

/**
 * Prometheus' template functions today: those of 2.42 plus `urlQueryEscape`,
 * `toDuration` and `now`, added later.
 */
export const PROMETHEUS_TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([
  ...PROMETHEUS_TEMPLATE_FUNCTIONS_2_42,
  'urlQueryEscape',
  'toDuration',
  'now',
]);

/** Variables Prometheus defines before an alert's label and annotation templates. */
export const PROMETHEUS_TEMPLATE_VARIABLES: readonly string[] = Object.freeze([
  '$labels',
  '$externalLabels',
  '$externalURL',
  '$value',
]);

/** Options of `parseGoTemplate`. */
export interface GoTemplateOptions {
  /**
   * Functions besides Go's builtins. Default `PROMETHEUS_TEMPLATE_FUNCTIONS`;
   * pass `PROMETHEUS_TEMPLATE_FUNCTIONS_2_42` to check as Prometheus 2.42 does.
   */
  readonly functions?: ReadonlySet<string>;
  /** Variables defined before the template (`$` always is). Default `PROMETHEUS_TEMPLATE_VARIABLES`. */
  readonly variables?: readonly string[];
}

/** The outcome of `parseGoTemplate`. */
export type GoTemplateResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Go's reason, e.g. `unclosed action`, `function "foo" not defined`. */
      readonly message: string;
      /** 1-based line in the template text. */
      readonly line: number;
      /** 1-based column (UTF-16 code units) in the template text. */
      readonly column: number;
    };

type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly pos: number;
}

const KEYWORDS: ReadonlySet<string> = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

class TemplateError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);

/** Go's `%#U` rendering of a character: `U+002D '-'`. */
function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

/** Splits a template into tokens, as Go's `text/template/parse` lexer does. */
function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      tokens.push({ type: 'text', value: src.slice(i), pos: i });
      break;
    }
    if (open > i) tokens.push({ type: 'text', value: src.slice(i, open), pos: i });
    i = open + 2;
    // A trim marker is `{{-` followed by a space; `{{-3}}` is the number -3.
    if (src[i] === '-' && isSpace(src[i + 1])) i += 2;
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) throw new TemplateError('unclosed comment', open);
      let j = close + 2;
      if (src[j] === ' ' && src[j + 1] === '-' && src.startsWith('}}', j + 2)) j += 2;
      if (!src.startsWith('}}', j))
        throw new TemplateError('comment ends before closing delimiter', open);
      i = j + 2;
      continue;
    }
    tokens.push({ type: 'leftDelim', value: '{{', pos: open });
    i = lexAction(src, i, open, tokens);
  }
  tokens.push({ type: 'eof', value: '', pos: src.length });
  return tokens;
}

/** Lexes the inside of one action from `i`; returns the offset after its `}}`. */
function lexAction(src: string, start: number, open: number, tokens: Token[]): number {
  let i = start;
  let parens = 0;
  const push = (type: TokenType, from: number, to: number): void => {
    tokens.push({ type, value: src.slice(from, to), pos: from });
  };
  const atTerminator = (j: number): boolean => {
    const c = src[j];
    return (
      c === undefined ||
      isSpace(c) ||
      c === '.' ||
      c === ',' ||
      c === '|' ||
      c === ':' ||
      c === ')' ||
      c === '(' ||
      src.startsWith('}}', j) ||
      src.startsWith(' -}}', j)
    );
  };
  const checkTerminator = (j: number): void => {
    if (!atTerminator(j)) throw new TemplateError(`bad character ${describeChar(src[j] ?? '')}`, j);
  };
  for (;;) {
    const c = src[i];
    if (c === undefined) throw new TemplateError('unclosed action', open);
    if (src.startsWith('}}', i) || (isSpace(c) && src.startsWith('-}}', i + 1))) {
      if (parens > 0) throw new TemplateError('unclosed left paren', i);
      const end = src.startsWith('}}', i) ? i + 2 : i + 4;
      tokens.push({ type: 'rightDelim', value: '}}', pos: i });
      return end;
    }
    const from = i;
    if (isSpace(c)) {
      while (isSpace(src[i]) && !src.startsWith('-}}', i + 1)) i++;
      if (i === from) i++;
      push('space', from, i);
      continue;
    }
    if (c === '|') {
      push('pipe', i, ++i);
      continue;
    }
    if (c === ',') {
      push('comma', i, ++i);
      continue;
    }
    if (c === '(') {
      parens++;
      push('leftParen', i, ++i);
      continue;
    }
    if (c === ')') {
      parens--;
      if (parens < 0) throw new TemplateError(`unexpected right paren ${describeChar(c)}`, i);
      push('rightParen', i, ++i);
      continue;
    }
    if (c === ':') {
      if (src[i + 1] !== '=') throw new TemplateError('expected :=', i);
      i += 2;
      push('declare', from, i);
      continue;
    }
    if (c === '=') {
      push('assign', i, ++i);
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      for (;;) {
        const d = src[i];
        if (d === undefined || d === '\n') {
          throw new TemplateError(
            c === '"' ? 'unterminated quoted string' : 'unterminated character constant',
            from,
          );
        }
        if (d === '\\') {
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
      }
      push(c === '"' ? 'string' : 'char', from, i);
      continue;
    }
    if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) throw new TemplateError('unterminated raw quoted string', from);
      i = close + 1;
      push('rawString', from, i);
      continue;
    }
    if (c === '$') {
      i++;
      while (isAlnum(src[i])) i++;
      checkTerminator(i);
      push('variable', from, i);
      continue;
    }
    if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
      i++;
      while (isAlnum(src[i])) i++;
      checkTerminator(i);
      push(i === from + 1 ? 'dot' : 'field', from, i);
      continue;
    }
    if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) {
      i++;
      while (/[0-9A-Za-z_.+-]/.test(src[i] ?? '') && !src.startsWith(' -}}', i)) {
        // Signs belong to a number only right after an exponent letter.
        if ((src[i] === '+' || src[i] === '-') && !/[eEpP]/.test(src[i - 1] ?? '')) break;
        i++;
      }
      if (isAlnum(src[i]))
        throw new TemplateError(
          `bad number syntax: ${JSON.stringify(src.slice(from, i + 1))}`,
          from,
        );
      push('number', from, i);
      continue;
    }
    if (isAlnum(c)) {
      while (isAlnum(src[i])) i++;
      checkTerminator(i);
      const word = src.slice(from, i);
      const type: TokenType = KEYWORDS.has(word)
        ? 'keyword'
        : word === 'true' || word === 'false'
          ? 'bool'
          : word === 'nil'
            ? 'nil'
            : 'identifier';
      push(type, from, i);
      continue;
    }
    throw new TemplateError(`unrecognized character in action: ${describeChar(c)}`, i);
  }
}

/** Go number literals (`strconv` syntax accepted by `text/template`). */
const GO_NUMBER =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oO]?(?:_?[0-7])+|0[bB](?:_?[01])+|(?:[0-9](?:_?[0-9])*\.?(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?)i?$/;

/** How a node ends a list: `{{end}}` or `{{else}}` (with the token after `else`). */
type ListEnd = { kind: 'end' } | { kind: 'else'; token: Token };

/** @internal a recursive-descent parser over the tokens, after Go's `parse.go`. */
/** How deep actions, blocks and parenthesised pipelines may nest. */
const MAX_NESTING = 1_000;

/** A template's name from its string token (`"x"`, `` `x` ``). */
const templateName = (t: Token): string => t.value.slice(1, -1);

class TemplateParser {
  private i = 0;
  private vars: string[];
  private rangeDepth = 0;
  private nesting = 0;
  /** The template being defined (`define`/`block`), or undefined at top level. */
  private current: string | undefined;
  /** Which templates each template invokes (`{{template "x"}}`), with the invoking token. */
  private readonly calls = new Map<string | undefined, { name: string; token: Token }[]>();

  constructor(
    private readonly tokens: readonly Token[],
    private readonly functions: ReadonlySet<string>,
    topVars: readonly string[],
  ) {
    this.vars = ['$', ...topVars];
  }

  private next(): Token {
    const t = this.tokens[this.i] ?? { type: 'eof', value: '', pos: 0 };
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private peek(): Token {
    /* v8 ignore next -- the token list always ends with eof */
    return this.tokens[this.i] ?? { type: 'eof', value: '', pos: 0 };
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.next();
    return this.peek();
  }

  private describe(t: Token): string {
    if (t.type === 'eof') return 'EOF';
    if (t.type === 'keyword') return `<${t.value}>`;
    if (t.type === 'rightDelim') return '"}}"';
    return JSON.stringify(t.value);
  }

  private error(message: string, t: Token): never {
    throw new TemplateError(message, t.pos);
  }

  /** Enters one level of nesting; refuses past {@link MAX_NESTING}. */
  private enter(t: Token): void {
    this.nesting++;
    if (this.nesting > MAX_NESTING) {
      this.error(`template nests too deeply (more than ${MAX_NESTING} levels)`, t);
    }
  }

  parse(): void {
    this.body();
    this.recursion();
  }

  /**
   * Refuses a template that invokes itself, directly or through others: Go's
   * parser accepts it, but expanding it never ends (Go stops it at depth 100,000).
   */
  private recursion(): void {
    const state = new Map<string, 'open' | 'done'>();
    const visit = (name: string): void => {
      state.set(name, 'open');
      for (const call of this.calls.get(name) ?? []) {
        const seen = state.get(call.name);
        if (seen === 'open') {
          this.error(
            `template ${JSON.stringify(call.name)} invokes itself: its expansion never ends`,
            call.token,
          );
        }
        if (seen === undefined && this.calls.has(call.name)) visit(call.name);
      }
      state.set(name, 'done');
    };
    for (const name of this.calls.keys()) {
      if (name !== undefined && state.get(name) === undefined) visit(name);
    }
  }

  private body(): void {
    for (;;) {
      const t = this.peek();
      if (t.type === 'eof') return;
      if (t.type === 'leftDelim') {
        const save = this.i;
        this.next();
        const k = this.nextNonSpace();
        if (k.type === 'keyword' && k.value === 'define') {
          this.definition();
          continue;
        }
        this.i = save;
      }
      const end = this.textOrAction();
      if (end !== undefined) {
        this.error(
          end.kind === 'end' ? 'unexpected {{end}}' : 'unexpected {{else}}',
          end.kind === 'else' ? end.token : t,
        );
      }
    }
  }

  private definition(): void {
    const name = this.nextNonSpace();
    if (name.type !== 'string' && name.type !== 'rawString') {
      this.error(`unexpected ${this.describe(name)} in define clause`, name);
    }
    this.expectRightDelim('define');
    const outer = this.vars;
    this.vars = ['$'];
    this.current = templateName(name);
    this.defined(this.current);
    const end = this.itemList();
    this.current = undefined;
    if (end.kind !== 'end') this.error('unexpected {{else}} in define', end.token);
    this.vars = outer;
  }

  private defined(name: string): void {
    if (!this.calls.has(name)) this.calls.set(name, []);
  }

  private invokes(name: string, token: Token): void {
    const list = this.calls.get(this.current) ?? [];
    list.push({ name, token });
    this.calls.set(this.current, list);
  }

  /** Parses items until `{{end}}` or `{{else}}`. */
  private itemList(): ListEnd {
    for (;;) {
      if (this.peek().type === 'eof') this.error('unexpected EOF', this.peek());
      const end = this.textOrAction();
      if (end !== undefined) return end;
    }
  }

  private textOrAction(): ListEnd | undefined {
    const t = this.next();
    if (t.type === 'text') return undefined;
    /* v8 ignore next -- outside actions the lexer makes only text and delimiters */
    if (t.type !== 'leftDelim') this.error(`unexpected ${this.describe(t)} in input`, t);
    return this.action();
  }

  private expectRightDelim(context: string): void {
    const t = this.nextNonSpace();
    if (t.type !== 'rightDelim') this.error(`unexpected ${this.describe(t)} in ${context}`, t);
  }

  private action(): ListEnd | undefined {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'block':
          return this.block();
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.error(`{{${t.value}}} outside {{range}}`, t);
          this.expectRightDelim(t.value);
          return undefined;
        case 'else':
          return { kind: 'else', token: t };
        case 'end':
          this.expectRightDelim('end');
          return { kind: 'end' };
        case 'if':
        case 'range':
        case 'with':
          this.control(t.value);
          return undefined;
        case 'template':
          this.template();
          return undefined;
        default:
          break;
      }
    }
    this.i--;
    this.pipeline('command', 'rightDelim');
    return undefined;
  }

  private block(): undefined {
    const name = this.nextNonSpace();
    if (name.type !== 'string' && name.type !== 'rawString') {
      this.error(`unexpected ${this.describe(name)} in block clause`, name);
    }
    this.pipeline('block clause', 'rightDelim');
    // A block defines a template and invokes it where it stands.
    const blockName = templateName(name);
    this.invokes(blockName, name);
    this.defined(blockName);
    const outer = this.vars;
    const outerTemplate = this.current;
    this.vars = ['$'];
    this.current = blockName;
    this.enter(name);
    const end = this.itemList();
    this.nesting--;
    this.current = outerTemplate;
    if (end.kind !== 'end') this.error('unexpected {{else}} in block', end.token);
    this.vars = outer;
    return undefined;
  }

  private template(): void {
    const name = this.nextNonSpace();
    if (name.type !== 'string' && name.type !== 'rawString') {
      this.error(`unexpected ${this.describe(name)} in template clause`, name);
    }
    this.invokes(templateName(name), name);
    if (this.peekNonSpace().type !== 'rightDelim') this.pipeline('template clause', 'rightDelim');
    else this.next();
  }

  private control(context: string): void {
    const depth = this.vars.length;
    this.enter(this.peek());
    this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    let end = this.itemList();
    if (context === 'range') this.rangeDepth--;
    if (end.kind === 'else') {
      const after = this.peekNonSpace();
      if (context === 'if' && after.type === 'keyword' && after.value === 'if') {
        // `{{else if ...}}` is a nested if whose {{end}} closes both.
        this.next();
        this.control('if');
        end = { kind: 'end' };
      } else {
        if (after.type !== 'rightDelim')
          this.error(`unexpected ${this.describe(after)} in else`, after);
        this.next();
        const elseEnd = this.itemList();
        if (elseEnd.kind === 'else') this.error('expected end; found {{else}}', elseEnd.token);
      }
    }
    this.nesting--;
    this.vars = this.vars.slice(0, depth);
  }

  /** Parses a pipeline up to `end` (the `}}` or `)`), with declarations. */
  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): void {
    const first = this.peekNonSpace();
    if (first.type === 'variable') {
      const save = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (
        after.type === 'declare' ||
        after.type === 'assign' ||
        (after.type === 'comma' && context === 'range')
      ) {
        const declared = [first];
        let op = after;
        this.next();
        if (after.type === 'comma') {
          const second = this.nextNonSpace();
          if (second.type !== 'variable')
            this.error(`unexpected ${this.describe(second)} in ${context}`, second);
          declared.push(second);
          op = this.nextNonSpace();
          if (op.type === 'comma') this.error(`too many declarations in ${context}`, op);
          if (op.type !== 'declare' && op.type !== 'assign')
            this.error(`unexpected ${this.describe(op)} in ${context}`, op);
        }
        for (const v of declared) {
          if (op.type === 'assign' && !this.vars.includes(v.value)) {
            this.error(`undefined variable ${JSON.stringify(v.value)}`, v);
          }
          if (op.type === 'declare') this.vars.push(v.value);
        }
      } else {
        this.i = save;
      }
    }
    const commands: Token[][] = [];
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end) {
        this.next();
        break;
      }
      if (t.type === 'eof' || t.type === 'rightDelim' || t.type === 'rightParen') {
        if (end === 'rightParen') this.error('unclosed left paren', t);
        this.error(`unexpected ${this.describe(t)} in ${context}`, t);
      }
      commands.push(this.command());
      if (this.peekNonSpace().type === 'pipe') this.next();
    }
    if (commands.length === 0) this.error(`missing value for ${context}`, first);
    commands.forEach((cmd, index) => {
      const head = cmd[0];
      if (
        index > 0 &&
        head !== undefined &&
        !['identifier', 'field', 'variable', 'leftParen'].includes(head.type)
      ) {
        this.error(`non executable command in pipeline stage ${index + 1}`, head);
      }
    });
  }

  /** Parses one command (operands up to `|`, `}}` or `)`); returns the first token of each operand. */
  private command(): Token[] {
    const heads: Token[] = [];
    for (;;) {
      this.peekNonSpace();
      const head = this.operand();
      if (head !== undefined) heads.push(head);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen' || t.type === 'pipe') {
        if (t.type !== 'pipe') this.i--;
        break;
      }
      this.error(`unexpected ${this.describe(t)} in operand`, t);
    }
    /* v8 ignore next -- a command starts at an operand or fails in operand() */
    if (heads.length === 0) this.error('empty command', this.peek());
    return heads;
  }

  /** Parses a term and any `.Field` chain after it. */
  private operand(): Token | undefined {
    const head = this.term();
    if (head === undefined) return undefined;
    while (this.peek().type === 'field') {
      if (['bool', 'string', 'rawString', 'char', 'number', 'nil', 'dot'].includes(head.type)) {
        this.error(`unexpected . after term ${JSON.stringify(head.value)}`, this.peek());
      }
      this.next();
    }
    return head;
  }

  private term(): Token | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!GO_TEMPLATE_BUILTINS.has(t.value) && !this.functions.has(t.value)) {
          this.error(`function ${JSON.stringify(t.value)} not defined`, t);
        }
        // Prometheus gives templates no function values: `call` can only fail.
        if (t.value === 'call' && !this.functions.has('call')) {
          this.error(
            'function "call" is not allowed: Prometheus templates hold no functions to call',
            t,
          );
        }
        return t;
      case 'variable':
        if (!this.vars.includes(t.value))
          this.error(`undefined variable ${JSON.stringify(t.value)}`, t);
        return t;
      case 'number':
        if (!GO_NUMBER.test(t.value))
          this.error(`illegal number syntax: ${JSON.stringify(t.value)}`, t);
        return t;
      case 'leftParen':
        this.enter(t);
        this.pipeline('parenthesized pipeline', 'rightParen');
        this.nesting--;
        return t;
      case 'dot':
      case 'nil':
      case 'field':
      case 'bool':
      case 'char':
      case 'string':
      case 'rawString':
        return t;
      default:
        this.i--;
        if (
          t.type === 'keyword' ||
          t.type === 'declare' ||
          t.type === 'assign' ||
          t.type === 'comma'
        ) {
          this.error(`unexpected ${this.describe(t)} in command`, t);
        }
        return undefined;
    }
  }
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

/**
 * Parses a Go `text/template` as Prometheus does for alert labels and
 * annotations, without executing it.
 *
 * @example
 * ```ts
 * parseGoTemplate('{{ $labels.instance }} is at {{ $value | humanizePercentage }}'); // { ok: true }
 * parseGoTemplate('{{ $labels.instance ');
 * // { ok: false, message: 'unclosed action', line: 1, column: 1 }
 * parseGoTemplate('{{ humanise $value }}');
 * // { ok: false, message: 'function "humanise" not defined', line: 1, column: 4 }
 * ```
 */
export function parseGoTemplate(text: string, options: GoTemplateOptions = {}): GoTemplateResult {
  try {
    const tokens = lex(text);
    new TemplateParser(
      tokens,
      options.functions ?? PROMETHEUS_TEMPLATE_FUNCTIONS,
      options.variables ?? PROMETHEUS_TEMPLATE_VARIABLES,
    ).parse();
    return { ok: true };
  } catch (err) {
    /* v8 ignore next -- only TemplateError is thrown by the lexer and parser */
    if (!(err instanceof TemplateError)) throw err;
    const { line, column } = position(text, err.pos);
    return { ok: false, message: err.message, line, column };
  }
}
