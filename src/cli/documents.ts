import { extname } from 'node:path';
import { LineCounter } from 'yaml';
import { DECODE_LIMITS } from '../base/constants.js';
import { SerializationError } from '../base/exceptions/errors.js';
import { checkYamlExpansion } from '../base/serializers/yaml-budget.js';
import { composeYaml } from '../base/serializers/yaml-compose.js';

/** Formats a file's text can be read as. */
export type DocumentFormat = 'json' | 'yaml';

/** One document of a file, with where it starts. */
export interface SourceDocument {
  /** 0-based index of the document in its file. */
  readonly index: number;
  readonly value: unknown;
  /** The document's own text (for line and column lookup), and the line of the file where it starts. */
  readonly text: string;
  readonly firstLine: number;
}

/** The format of a path by its extension, if it has a known one. */
export function formatOf(path: string): DocumentFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

/** A syntax error in a file, with its position. */
export class DocumentSyntaxError extends Error {
  override readonly name = 'DocumentSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** The longest source line quoted in a message. */
const EXCERPT_CHARS = 80;

/**
 * The yaml package's message ends with " at line L, column C:" and then an
 * excerpt on the lines below. The finding carries line and column already, so
 * the message ends with the source line itself, quoted.
 */
function yamlErrorMessage(message: string, text: string, line: number | undefined): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:$/, '');
  const source = line === undefined ? undefined : text.split('\n', line)[line - 1]?.trim();
  if (source === undefined || source === '') return first;
  const excerpt = source.length > EXCERPT_CHARS ? `${source.slice(0, EXCERPT_CHARS)}…` : source;
  return `${first}: ${JSON.stringify(excerpt)}`;
}

/**
 * Splits a file into documents: a JSON value (an array is one document per
 * item), or a YAML stream (`---` separates documents).
 */
export function readDocuments(text: string, format: DocumentFormat): SourceDocument[] {
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // V8 quotes an excerpt of the input, line breaks included: one line of output.
      const message = (err instanceof Error ? err.message : String(err)).replaceAll('\n', '\\n');
      const match = /position (\d+)/.exec(message);
      const offset = match ? Number(match[1]) : 0;
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new DocumentSyntaxError(message, line, column);
    }
    return [{ index: 0, value, text, firstLine: 1 }];
  }
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof composeYaml>;
  try {
    docs = composeYaml(text, DECODE_LIMITS, { lineCounter });
  } catch (err) {
    if (!(err instanceof SerializationError)) throw err;
    const { line, column } = err.context;
    throw new DocumentSyntaxError(
      err.message,
      typeof line === 'number' ? line : 1,
      typeof column === 'number' ? column : 1,
    );
  }
  const out: SourceDocument[] = [];
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const pos = error.linePos?.[0];
      throw new DocumentSyntaxError(
        yamlErrorMessage(error.message, text, pos?.line),
        pos?.line ?? 1,
        pos?.col ?? 1,
      );
    }
    const limit = DECODE_LIMITS.maxYamlAliases;
    const { excessAt } = checkYamlExpansion(doc, limit);
    if (excessAt !== undefined) {
      const pos = lineCounter.linePos(excessAt);
      throw new DocumentSyntaxError(
        `document contains excessive aliasing: aliases and merge keys copy more than ${limit} nodes`,
        pos.line,
        pos.col,
      );
    }
    const start = doc.range[0];
    const firstLine = lineCounter.linePos(start).line;
    let value: unknown;
    try {
      // The expansion is bounded above; the package's own alias heuristic is not needed.
      value = doc.toJS({ maxAliasCount: -1 });
    } catch (err) {
      throw new DocumentSyntaxError(err instanceof Error ? err.message : String(err), firstLine, 1);
    }
    out.push({ index, value, text: text.slice(start, doc.range[2]), firstLine });
  }
  return out;
}
