import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isNode, isScalar, LineCounter, type Node, type YAMLMap } from 'yaml';
import { DECODE_LIMITS } from '../base/constants.js';
import { SerializationError } from '../base/exceptions/errors.js';
import { checkYamlExpansion } from '../base/serializers/yaml-budget.js';
import { composeYamlDocument } from '../base/serializers/yaml-compose.js';
import { type ConfigIssue, emptyLayer, errorCode, type IssueLocator, type Layer } from './layer.js';
import { CONFIG_SETTINGS, type ConfigSection, FILE_ROOT_KEY } from './schema.js';

/** Which YAML file to read, and who asked for it. @internal */
export interface ConfigFileRequest {
  /** Absolute path. */
  readonly path: string;
  /**
   * Set when the file was named explicitly (option, `ALERTBASE_CONFIG`): then
   * a missing file is an issue, reported where the name was given.
   */
  readonly requiredBy?: IssueLocator;
}

const SECTIONS: readonly ConfigSection[] = [
  ...new Set(CONFIG_SETTINGS.map((setting) => setting.section)),
];

/** Builds issues located at a node of one document. */
function locator(path: string, lineCounter: LineCounter) {
  return (node: Node | null, key: string, reason: string): ConfigIssue => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    return {
      source: `${path}:${line}:${col}`,
      reason: `${key}: ${reason}`,
      context: { file: path, line, column: col, key },
    };
  };
}

/** A node, with an alias followed to the node it names. */
function deref(value: unknown, targets: ReadonlyMap<unknown, Node>): Node | null {
  if (!isNode(value)) return null;
  return isAlias(value) ? (targets.get(value) ?? null) : value;
}

/** A mapping's entries as `[key text, key node, value]`. */
function entriesOf(map: YAMLMap<unknown, unknown>) {
  return map.items.map((pair) => {
    const key = pair.key;
    const name = isScalar(key) ? String(key.value) : String(key);
    return [name, isNode(key) ? key : null, pair.value] as const;
  });
}

const isEmpty = (node: Node | null): boolean =>
  node === null || (isScalar(node) && node.value === null);

/**
 * Reads the `base_schema:` YAML file. Every key is checked: an unknown key, a
 * section that is not a mapping, or a syntax error is an issue at its line
 * and column. A file that is absent and was not asked for is skipped.
 * @internal
 */
export async function readFileLayer(request: ConfigFileRequest): Promise<Layer> {
  const { path, requiredBy } = request;
  const layer = emptyLayer();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' && requiredBy === undefined) return layer;
    const reason =
      code === 'ENOENT'
        ? `the configuration file ${path} does not exist`
        : `cannot read the configuration file ${path} (${code ?? 'error'})`;
    const issue = (requiredBy ?? ((r: string) => ({ source: path, reason: r, context: {} })))(
      reason,
    );
    layer.issues.push({ ...issue, context: { ...issue.context, file: path } });
    return layer;
  }

  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof composeYamlDocument>;
  try {
    doc = composeYamlDocument(text, DECODE_LIMITS, { lineCounter, prettyErrors: false });
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    const { line, column } = error.context;
    layer.issues.push({
      source: `${path}:${String(line)}:${String(column)}`,
      reason: error.message,
      context: { file: path, line, column },
    });
    return layer;
  }
  const at = locator(path, lineCounter);
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    layer.issues.push({
      source: `${path}:${line}:${col}`,
      reason: `YAML syntax error: ${syntaxError.message}`,
      context: { file: path, line, column: col, yamlCode: syntaxError.code },
    });
    return layer;
  }
  const limit = DECODE_LIMITS.maxYamlAliases;
  const { targets, excessAt } = checkYamlExpansion(doc, limit);
  if (excessAt !== undefined) {
    const { line, col } = lineCounter.linePos(excessAt);
    layer.issues.push({
      source: `${path}:${line}:${col}`,
      reason: `document contains excessive aliasing: aliases and merge keys copy more than ${limit} nodes`,
      context: { file: path, line, column: col, limit },
    });
    return layer;
  }

  const root = deref(doc.contents, targets);
  if (isEmpty(root)) return layer;
  if (!isMap(root)) {
    layer.issues.push(at(root, '(root)', `expected a mapping with a ${FILE_ROOT_KEY} key`));
    return layer;
  }
  const source = `file:${path}` as const;
  for (const [rootKey, rootKeyNode, rootValue] of entriesOf(root)) {
    if (rootKey !== FILE_ROOT_KEY) {
      layer.issues.push(at(rootKeyNode, rootKey, `unknown key (expected ${FILE_ROOT_KEY})`));
      continue;
    }
    const schemaNode = deref(rootValue, targets);
    if (isEmpty(schemaNode)) continue;
    if (!isMap(schemaNode)) {
      layer.issues.push(at(schemaNode, rootKey, 'expected a mapping of sections'));
      continue;
    }
    for (const [sectionKey, sectionKeyNode, sectionValue] of entriesOf(schemaNode)) {
      const sectionPath = `${rootKey}.${sectionKey}`;
      const section = SECTIONS.find((name) => name === sectionKey);
      if (section === undefined) {
        layer.issues.push(
          at(
            sectionKeyNode,
            sectionPath,
            `unknown section (expected one of ${SECTIONS.join(', ')})`,
          ),
        );
        continue;
      }
      const sectionNode = deref(sectionValue, targets);
      if (isEmpty(sectionNode)) continue;
      if (!isMap(sectionNode)) {
        layer.issues.push(at(sectionNode, sectionPath, 'expected a mapping'));
        continue;
      }
      const known = CONFIG_SETTINGS.filter((setting) => setting.section === section);
      for (const [key, keyNode, valueNode] of entriesOf(sectionNode)) {
        const keyPath = `${sectionPath}.${key}`;
        const setting = known.find((candidate) => candidate.fileKey === key);
        if (setting === undefined) {
          const expected = known.map((candidate) => candidate.fileKey).join(', ');
          layer.issues.push(at(keyNode, keyPath, `unknown key (expected one of ${expected})`));
          continue;
        }
        const node = deref(valueNode, targets);
        // An empty value (`database_url:`) leaves the setting to the layers below.
        if (isEmpty(node)) continue;
        layer.entries.push({
          setting,
          // Bounded by the expansion check above.
          value: node?.toJS(doc, { maxAliasCount: -1 }),
          source,
          locate: (reason) => at(node, keyPath, reason),
        });
      }
    }
  }
  return layer;
}
