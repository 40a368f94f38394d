import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Finds where the value at a path sits in a JSON or YAML text (JSON is read as
 * YAML 1.2, of which it is a subset), so issues can name a line and column.
 * Where the path goes past what the text has (a missing field), the nearest
 * existing parent is given.
 */
export function createLocator(
  text: string,
): (path: readonly (string | number)[]) => Position | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false });
  const at = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return (path) => {
    let node: unknown = doc.contents;
    let found: Node | undefined = isNodeLike(node) ? node : undefined;
    let keyOffset: number | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
        );
        if (pair === undefined) break;
        keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        node = pair.value;
        found = isNodeLike(node) ? node : found;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        keyOffset = undefined;
        if (!isNodeLike(node)) break;
        found = node;
      } else {
        break;
      }
    }
    // Point at the key of a mapping entry (where people look), else at the value.
    if (keyOffset !== undefined) return at(keyOffset);
    const start = found?.range?.[0];
    return start === undefined ? undefined : at(start);
  };
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
