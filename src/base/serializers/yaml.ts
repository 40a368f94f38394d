import { type Document, isNode, stringify, visit, type YAMLError } from 'yaml';
import { DECODE_LIMITS } from '../constants.js';
import { SerializationError } from '../exceptions/errors.js';
import { type Codec, type CodecContext, decodeUtf8, encodeUtf8, messageOf } from './codec.js';
import {
  checkSize,
  checkTree,
  type DecodeLimits,
  lineColumn,
  malformed,
  resolveLimits,
  tooLarge,
} from './limits.js';
import { checkYamlExpansion } from './yaml-budget.js';
import { composeYamlDocument } from './yaml-compose.js';

/** The YAML document API's type, for {@link modifyYaml} callers. */
export type YamlDocument = Document.Parsed;

function where(error: YAMLError, text: string): Record<string, unknown> {
  const pos = error.linePos?.[0];
  return {
    offset: error.pos[0],
    ...(pos === undefined ? lineColumn(text, error.pos[0]) : { line: pos.line, column: pos.col }),
    yamlCode: error.code,
  };
}

const CORE_TAGS: ReadonlySet<string> = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/**
 * @internal The `ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING` error of a YAML
 * text whose aliases copy more than `limit` nodes, at the alias that crossed it.
 */
export function excessiveAliasing(text: string, limit: number, offset: number): SerializationError {
  return new SerializationError('ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING', {
    format: 'yaml',
    limit,
    offset,
    ...lineColumn(text, offset),
  });
}

/**
 * Parses one YAML document strictly: YAML 1.2 core schema (no timestamps, no
 * `!!binary`, no `!!js/...`), an unknown tag or any warning is an error,
 * duplicate keys are refused, aliases copy at most `limits.maxYamlAliases`
 * nodes.
 */
function parseYamlDocument(text: string, limits: DecodeLimits): YamlDocument {
  const doc = composeYamlDocument(text, limits, { strict: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem?.code === 'RESOURCE_EXHAUSTION') {
    throw tooLarge('yaml', DECODE_LIMITS.maxDepth, 'levels of nesting', where(problem, text));
  }
  if (problem !== undefined) {
    throw malformed(
      'yaml',
      problem.message.split('\n')[0] ?? problem.code,
      where(problem, text),
      problem,
    );
  }
  // The yaml package still resolves some YAML 1.1 tags (!!timestamp, !!binary,
  // !!set...) under the core schema: only the core schema's own are allowed.
  visit(doc, (_key, node) => {
    if (isNode(node) && node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      const offset = node.range?.[0] ?? 0;
      throw malformed('yaml', `the tag ${node.tag} is not allowed`, {
        offset,
        ...lineColumn(text, offset),
      });
    }
  });
  const { excessAt } = checkYamlExpansion(doc, limits.maxYamlAliases);
  if (excessAt !== undefined) throw excessiveAliasing(text, limits.maxYamlAliases, excessAt);
  return doc;
}

function toJs(doc: YamlDocument): unknown {
  try {
    // The expansion was measured and bounded above: the package's own alias
    // heuristic would only refuse documents within the budget.
    return doc.toJS({ maxAliasCount: -1 });
  } catch (cause) {
    // An alias naming its own ancestor: refused as malformed.
    throw malformed('yaml', messageOf(cause), {}, cause);
  }
}

function parse(bytes: Uint8Array, context: CodecContext): unknown {
  checkSize(bytes.byteLength, 'yaml', context.limits);
  const doc = parseYamlDocument(decodeUtf8(bytes, 'yaml'), context.limits);
  const value = toJs(doc);
  checkTree(value, 'yaml', context.limits);
  return value;
}

function write(value: unknown): Uint8Array {
  // Block style, keys in the order given (model field order), no anchors.
  return encodeUtf8(stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 }));
}

/** YAML 1.2, block style, one document. Arrays of records are a sequence. */
export const yamlCodec: Codec = {
  format: 'yaml',
  keepsDates: false,
  encode: write,
  decode: parse,
  encodeMany: write,
  decodeMany(bytes, context) {
    const value = parse(bytes, context);
    if (!Array.isArray(value)) throw malformed('yaml', 'expected a YAML sequence of records');
    return value;
  },
};

/**
 * Read-modify-write of a YAML file that keeps its comments, blank lines and
 * key order: parses `source` with the decoder's limits and strictness, lets
 * `edit` change the document through the `yaml` document API (`doc.setIn`,
 * `doc.deleteIn`, ...), and returns the new text.
 *
 * @example
 * ```ts
 * const next = modifyYaml(ruleFile, (doc) => doc.setIn(['groups', 0, 'interval'], '30s'));
 * ```
 */
export function modifyYaml(
  source: string,
  edit: (doc: YamlDocument) => void,
  limits: Partial<DecodeLimits> = {},
): string {
  const resolved = resolveLimits(limits);
  checkSize(Buffer.byteLength(source), 'yaml', resolved);
  const doc = parseYamlDocument(source, resolved);
  checkTree(toJs(doc), 'yaml', resolved);
  edit(doc);
  return doc.toString({ lineWidth: 0 });
}
