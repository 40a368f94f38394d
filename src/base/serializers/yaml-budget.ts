/**
 * One budget for what YAML aliases and merge keys copy into a document.
 *
 * An alias (`*a`) stands for a whole node, and a merge key (`<<: *a`) copies
 * a mapping's entries; both nest, so a few hundred bytes can stand for
 * billions of nodes (the "billion laughs" and merge-key bombs). The `yaml`
 * package's own `maxAliasCount` guards only `toJS()`, with a heuristic, and
 * code that walks the node tree itself (the rule-file reader) has no guard.
 *
 * {@link checkYamlExpansion} measures, before anything walks the tree, how
 * many nodes every alias copies once fully expanded (a merge through an
 * alias is such a copy; an empty mapping counts as a node too), memoised per
 * anchored node so the check itself is linear in the document's size. It also
 * resolves every alias once, so walkers need not call `Alias.resolve` (which
 * scans the whole document on every call).
 */
import { type Alias, type Document, isAlias, isMap, isPair, isSeq, type Node, visit } from 'yaml';

/** The outcome of {@link checkYamlExpansion}. */
export interface YamlExpansion {
  /** The node each alias names (the last anchor of that name before it). */
  readonly targets: ReadonlyMap<Alias, Node>;
  /** Nodes the aliases copy, counted up to `limit + 1`. */
  readonly copied: number;
  /** Set when the budget is exceeded: the character offset of the alias that crossed it. */
  readonly excessAt?: number;
}

/** What a node costs before and after expansion, saturated at a cap. */
type Sizes = Map<Node, number>;

/**
 * Measures the nodes that a document's aliases (and the merge keys that use
 * them) copy, stopping at `limit`. An alias that names its own ancestor (a
 * cycle) counts as over any limit.
 *
 * @example
 * ```ts
 * const doc = parseDocument(text, { merge: true });
 * const { excessAt } = checkYamlExpansion(doc, DECODE_LIMITS.maxYamlAliases);
 * if (excessAt !== undefined) throw new Error(`excessive aliasing at offset ${excessAt}`);
 * ```
 */
export function checkYamlExpansion(doc: Document, limit: number): YamlExpansion {
  const cap = limit + 1;
  const targets = new Map<Alias, Node>();
  const anchors = new Map<string, Node>();
  // One pass in document order: an alias names the last anchor of its name before it.
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target !== undefined) targets.set(node, target);
    } else if (!isPair(node) && node !== null && typeof node === 'object') {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor !== undefined) anchors.set(anchor, node as Node);
    }
  });
  if (targets.size === 0) return { targets, copied: 0 };

  const sizes: Sizes = new Map();
  const inProgress = new Set<Node>();
  // Nodes of the full expansion of `node`, saturated at `cap`.
  const expanded = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      return target === undefined ? 1 : expanded(target);
    }
    if (!isMap(node) && !isSeq(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) return cap;
    inProgress.add(node);
    let total = 1;
    for (const item of node.items) {
      if (total >= cap) break;
      total += isPair(item) ? expanded(item.key) + expanded(item.value) : expanded(item);
    }
    inProgress.delete(node);
    const size = Math.min(total, cap);
    sizes.set(node, size);
    return size;
  };

  let copied = 0;
  let excessAt: number | undefined;
  visit(doc, {
    Alias: (_key, alias) => {
      const target = targets.get(alias);
      if (target === undefined) return undefined;
      copied = Math.min(copied + expanded(target), cap);
      if (copied > limit) {
        excessAt = alias.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return { targets, copied, ...(excessAt === undefined ? {} : { excessAt }) };
}
