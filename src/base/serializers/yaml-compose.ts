/**
 * Reads YAML with the decoders' limits counted as it goes.
 *
 * The `yaml` package builds the whole syntax tree before anything can look at
 * it, and some of its work grows faster than the text: nesting 10,000 levels
 * deep (20 KB of `[`) took 80–230 ms and 100,000 levels over a second before
 * the depth check on the decoded value refused it, and its duplicate-key
 * check compares every key of a mapping with every key before it (a flat
 * mapping of 40,000 keys, 390 KB, took 47 s). Here the same Lexer → Parser →
 * Composer pipeline runs step by step, and after every lexeme the parser's
 * open collections are checked against the limits: nesting, items of the
 * collection being filled, and scalars read so far. A hostile document is
 * refused after reading just past the limit it breaks. Duplicate keys are
 * found afterwards with one set per mapping, in linear time, and reported as
 * the package reports them (`DUPLICATE_KEY`, "Map keys must be unique").
 *
 * The counts here are bounds taken from the syntax tree, set a little above
 * the limits so that they never refuse a document the exact check on the
 * decoded value (`checkTree`) would accept; that check still runs.
 */
import {
  Composer,
  CST,
  type Document,
  isScalar,
  Lexer,
  LineCounter,
  type ParseOptions,
  Parser,
  visit,
  type YAMLError,
  YAMLParseError,
} from 'yaml';
import type { Format } from './formats.js';
import { type DecodeLimits, lineColumn, tooLarge } from './limits.js';

/** Options of {@link composeYaml}: the `yaml` package's parse options it passes on. */
export interface ComposeYamlOptions {
  /** YAML 1.1 merge keys (`<<: *a`), as the package's option. */
  readonly merge?: boolean;
  /** Refuse duplicate keys (default true), found in linear time. */
  readonly uniqueKeys?: boolean;
  /** Counts the lines as the text is read; every error gets its `linePos`. */
  readonly lineCounter?: LineCounter;
  /**
   * Adds " at line L, column C" and the line itself to every error's message,
   * as the package's `prettyErrors` (default true).
   */
  readonly prettyErrors?: boolean;
  /** Strict core schema: no YAML 1.1 tags, warnings as the package gives them. */
  readonly strict?: boolean;
  /** The schema, as the package's option (`core` unless set). */
  readonly schema?: 'core' | 'failsafe' | 'json' | 'yaml-1.1';
  /** Format named in the errors (`yaml` unless set). */
  readonly format?: Format | string;
}

/** Parser stack entries above the data's own nesting: the document and a scalar being read. */
const STACK_OVERHEAD = 3;
/** Collection items above the data's own count: a trailing item holding only comments. */
const ITEM_SLACK = 1;

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollection(token: CST.Token | undefined): token is Collection {
  return (
    token !== undefined &&
    (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection')
  );
}

/** Whether a flow collection is a mapping (`{`) rather than a sequence (`[`). */
function isMapping(collection: Collection): boolean {
  return (
    collection.type === 'block-map' ||
    (collection.type === 'flow-collection' && collection.start.source === '{')
  );
}

/**
 * Counts what the parser has opened while it reads, and throws
 * `ALERTBASE_SERIALIZATION_TOO_LARGE` at the first limit passed.
 */
class YamlBudget {
  private scalars = 0;
  private readonly maxStack: number;

  constructor(
    private readonly text: string,
    private readonly limits: DecodeLimits,
    private readonly format: Format | string,
  ) {
    this.maxStack = limits.maxDepth + STACK_OVERHEAD;
  }

  /** After the parser took one lexeme starting at `offset`. */
  check(parser: Parser, lexeme: string): void {
    const offset = parser.offset;
    const type = CST.tokenType(lexeme);
    if (type === 'scalar' || type === 'single-quoted-scalar' || type === 'double-quoted-scalar') {
      // The other decoders count a key and its value as one value, so a
      // document has at least half as many values as scalars.
      if (++this.scalars > 2 * this.limits.maxNodes) {
        throw this.refuse(this.limits.maxNodes, 'values in a document', offset);
      }
    }
    const stack = parser.stack;
    if (stack.length > this.maxStack) {
      throw this.refuse(this.limits.maxDepth, 'levels of nesting', offset);
    }
    // The collection being filled is on top, or just below a scalar being read.
    const top = stack.at(-1);
    const open = isCollection(top) ? top : stack.at(-2);
    if (!isCollection(open)) return;
    const items = open.items.length - ITEM_SLACK;
    if (isMapping(open)) {
      if (items > this.limits.maxKeys) {
        throw this.refuse(this.limits.maxKeys, 'keys in an object', offset);
      }
    } else if (items > this.limits.maxItems) {
      throw this.refuse(this.limits.maxItems, 'items in an array', offset);
    }
  }

  private refuse(limit: number, unit: string, offset: number) {
    return tooLarge(this.format, limit, unit, { offset, ...lineColumn(this.text, offset) });
  }
}

/**
 * Adds `linePos` and the package's " at line L, column C" with the line
 * itself to an error's message.
 */
function prettify(error: YAMLError, text: string, lines: LineCounter): void {
  if (error.pos[0] < 0) return;
  error.linePos = [lines.linePos(error.pos[0]), lines.linePos(error.pos[1])];
  const { line, col } = error.linePos[0];
  error.message += ` at line ${line}, column ${col}`;
  const start = lines.lineStarts[line - 1] ?? 0;
  const end = lines.lineStarts[line] ?? text.length;
  const source = text.slice(start, end).replace(/[\n\r]+$/, '');
  if (/[^ ]/.test(source) && source.length <= 80) {
    error.message += `:\n\n${source}\n${' '.repeat(col - 1)}^\n`;
  }
}

/** The first key of each mapping that repeats an earlier one, as `DUPLICATE_KEY` errors. */
function duplicateKeyErrors(doc: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        // As the package compares keys: scalars by value (NaN never equals).
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) {
          const range = key.range ?? [0, 0];
          errors.push(
            new YAMLParseError([range[0], range[1]], 'DUPLICATE_KEY', 'Map keys must be unique'),
          );
        }
        seen.add(key.value);
      }
    },
  });
  return errors;
}

/**
 * Parses a YAML stream into its documents as the `yaml` package's
 * `parseAllDocuments` does, with `limits` counted while reading (nesting,
 * keys or items of one collection, scalars), duplicate keys found in linear
 * time, and the package's errors made pretty in the same way.
 *
 * @throws SerializationError `ALERTBASE_SERIALIZATION_TOO_LARGE` at the first
 *   limit passed, with the offset, line and column where it was passed.
 *
 * @example
 * ```ts
 * for (const doc of composeYaml(text, DECODE_LIMITS, { merge: true })) report(doc.errors);
 * ```
 */
export function composeYaml(
  text: string,
  limits: DecodeLimits,
  options: ComposeYamlOptions = {},
): Document.Parsed[] {
  return compose(text, limits, options, false);
}

/**
 * One YAML document, as the `yaml` package's `parseDocument` reads it: an
 * empty text is an empty document, and a second document is the error
 * `MULTIPLE_DOCS`. Limits and duplicate keys as {@link composeYaml}.
 *
 * @example
 * ```ts
 * const doc = composeYamlDocument(text, DECODE_LIMITS, { strict: true });
 * if (doc.errors.length > 0) throw doc.errors[0];
 * ```
 */
export function composeYamlDocument(
  text: string,
  limits: DecodeLimits,
  options: ComposeYamlOptions = {},
): Document.Parsed {
  const [doc] = compose(text, limits, options, true);
  // The composer always yields a document when forced to.
  return doc as Document.Parsed;
}

function compose(
  text: string,
  limits: DecodeLimits,
  options: ComposeYamlOptions,
  single: boolean,
): Document.Parsed[] {
  const { format = 'yaml', lineCounter, prettyErrors = true, uniqueKeys = true } = options;
  const lines = lineCounter ?? (prettyErrors ? new LineCounter() : undefined);
  const budget = new YamlBudget(text, limits, format);
  const parser = new Parser(lines?.addNewLine);
  const parseOptions: ParseOptions & { schema: string; strict: boolean; customTags: [] } = {
    schema: options.schema ?? 'core',
    customTags: [],
    strict: options.strict ?? true,
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
    ...(options.merge === undefined ? {} : { merge: options.merge }),
  };
  const composer = new Composer(parseOptions);
  function* tokens(): Generator<CST.Token> {
    lines?.addNewLine(0);
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      budget.check(parser, lexeme);
    }
    yield* parser.end();
  }
  const docs: Document.Parsed[] = [];
  for (const doc of composer.compose(tokens(), single, text.length)) {
    const first = docs[0];
    if (single && first !== undefined) {
      first.errors.push(
        new YAMLParseError(
          [doc.range[0], doc.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
    docs.push(doc);
  }
  for (const doc of docs) {
    const duplicates = uniqueKeys ? duplicateKeyErrors(doc) : [];
    if (duplicates.length > 0) {
      // In document order among the package's own errors, as it reports them.
      doc.errors.push(...duplicates);
      doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
    }
    if (prettyErrors && lines !== undefined) {
      for (const error of doc.errors) prettify(error, text, lines);
      for (const warning of doc.warnings) prettify(warning, text, lines);
    }
  }
  return docs;
}
