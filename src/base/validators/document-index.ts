/**
 * One walk over a document, shared by the security and performance levels:
 * every string with its path, every key, the nesting depth. @internal
 */

import { FORBIDDEN_KEYS } from '../constants.js';
import type { CheckContext } from './check.js';
import { walk } from './shared.js';

/** A string value of the document with its path. */
export interface IndexedString {
  readonly path: readonly (string | number)[];
  /** The key or index holding it. */
  readonly key: string | number | undefined;
  readonly value: string;
}

/** What one walk learnt about a document. @internal */
export interface DocumentIndex {
  readonly strings: readonly IndexedString[];
  /** Paths of keys that are `__proto__`. */
  readonly forbiddenKeys: readonly (readonly (string | number)[])[];
  /** Deepest nesting of objects and arrays (the document itself is depth 1). */
  readonly depth: number;
  /** Path of the deepest container. */
  readonly deepestPath: readonly (string | number)[];
}

/** Walks a document once. @internal */
export function indexDocument(document: unknown): DocumentIndex {
  const strings: IndexedString[] = [];
  const forbiddenKeys: (string | number)[][] = [];
  let depth = 0;
  let deepestPath: (string | number)[] = [];
  walk(document, (value, path, key) => {
    if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) forbiddenKeys.push([...path]);
    if (typeof value === 'string') strings.push({ path: [...path], key, value });
    else if (typeof value === 'object' && value !== null && path.length + 1 > depth) {
      depth = path.length + 1;
      deepestPath = [...path];
    }
    return undefined;
  });
  return { strings, forbiddenKeys, depth, deepestPath };
}

/** The index of the context's document, computed once per validation. @internal */
export function documentIndexOf(ctx: CheckContext): DocumentIndex {
  return ctx.memo('document-index', () => indexDocument(ctx.document));
}
