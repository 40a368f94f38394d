/**
 * Text PostgreSQL cannot store: `text` and `jsonb` refuse U+0000 (NUL), and
 * `jsonb` refuses half of a surrogate pair without its other half. JSON,
 * YAML and MessagePack can carry both, so a decoded body is checked before
 * any route sees it, and refused (400) with the JSON pointer of the first
 * such string or key: otherwise the request would reach the database and
 * fail there (500), and a whole ingest group with it. A URL whose path or
 * query holds `%00` is refused the same way: its parameters reach SQL too.
 */
import { SerializationError, toJsonPointer } from '../base/exceptions/index.js';
import type { Format } from '../base/serializers/index.js';
import { isStorableText } from '../base/utils/pg-text.js';

/**
 * The path of the first string or key of `value` that PostgreSQL cannot
 * store, or `undefined`. The tree is one the decoders accepted: its depth
 * and size are within the decode limits.
 */
export function unstorablePath(value: unknown): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  const visit = (node: unknown): boolean => {
    if (typeof node === 'string') return !isStorableText(node);
    if (typeof node !== 'object' || node === null) return false;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        if (visit(node[i])) return true;
        path.pop();
      }
      return false;
    }
    if (node instanceof Date || ArrayBuffer.isView(node)) return false;
    for (const key of Object.keys(node)) {
      path.push(key);
      if (!isStorableText(key) || visit((node as Record<string, unknown>)[key])) return true;
      path.pop();
    }
    return false;
  };
  return visit(value) ? path : undefined;
}

/**
 * Refuses a decoded body holding text PostgreSQL cannot store (see the
 * module comment). The caller skips JSON text that escapes neither
 * (`mayHoldUnstorableEscape`): it cannot hold them.
 */
export function checkStorableText(value: unknown, format: Format): void {
  const path = unstorablePath(value);
  if (path === undefined) return;
  const pointer = toJsonPointer(path);
  throw new SerializationError('ALERTBASE_SERIALIZATION_FAILED', {
    format,
    reason: `the string at "${pointer}" holds U+0000 (NUL) or half of a surrogate pair, which cannot be stored (PostgreSQL refuses both)`,
    pointer,
  });
}

/**
 * Refuses a request whose URL holds `%00` (NUL once decoded) in its path or
 * query: ids, filters and cursors are SQL parameters, and PostgreSQL refuses
 * NUL in text. (A URL with invalid UTF-8 escapes is refused by Fastify.)
 */
export function checkStorableUrl(url: string): void {
  if (!url.includes('%00')) return;
  throw new SerializationError('ALERTBASE_SERIALIZATION_FAILED', {
    format: 'url',
    reason:
      'it holds %00 (U+0000, NUL), which cannot be stored or searched for (PostgreSQL refuses it)',
  });
}
