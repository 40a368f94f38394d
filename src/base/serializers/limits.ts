import { DECODE_LIMITS, FORBIDDEN_KEYS } from '../constants.js';
import { SerializationError, toJsonPointer } from '../exceptions/index.js';
import type { Format } from './formats.js';

/**
 * What a decoder accepts at most. Every decoder checks these before or while
 * parsing, and fails with a `SerializationError` naming the limit and where
 * it was reached.
 */
export interface DecodeLimits {
  /** Bytes of one document (after decompression). */
  readonly maxBytes: number;
  /** Nesting depth of objects and arrays. */
  readonly maxDepth: number;
  /** Keys of one object. */
  readonly maxKeys: number;
  /** Items of one array. */
  readonly maxItems: number;
  /** Values (scalars and containers) of one document, counted while reading. */
  readonly maxNodes: number;
  /** Characters of one string. */
  readonly maxStringLength: number;
  /** Nodes that YAML aliases and merge keys copy into one document, counted expanded. */
  readonly maxYamlAliases: number;
  /** Character and entity references in one XML document. */
  readonly maxXmlReferences: number;
}

/** Limits from `DECODE_LIMITS`, with `overrides` (from configuration) applied. */
export function resolveLimits(overrides: Partial<DecodeLimits> = {}): DecodeLimits {
  return { ...DECODE_LIMITS, ...overrides };
}

/** @internal Throws `ALERTBASE_SERIALIZATION_TOO_LARGE`. */
export function tooLarge(
  format: Format | string,
  limit: number,
  unit: string,
  where: Readonly<Record<string, unknown>> = {},
): SerializationError {
  return new SerializationError('ALERTBASE_SERIALIZATION_TOO_LARGE', {
    format,
    limit,
    unit,
    ...where,
  });
}

/** @internal Builds an `ALERTBASE_SERIALIZATION_FAILED` error. */
export function malformed(
  format: Format | string,
  reason: string,
  where: Readonly<Record<string, unknown>> = {},
  cause?: unknown,
): SerializationError {
  return new SerializationError(
    'ALERTBASE_SERIALIZATION_FAILED',
    { format, reason, ...where },
    cause === undefined ? {} : { cause },
  );
}

/** Refuses input larger than `limits.maxBytes`. */
export function checkSize(byteLength: number, format: Format | string, limits: DecodeLimits): void {
  if (byteLength > limits.maxBytes) {
    throw tooLarge(format, limits.maxBytes, 'bytes', { size: byteLength });
  }
}

/**
 * Checks a decoded tree against the limits: depth, keys per object, items per
 * array, string length, and keys that would reach a prototype
 * (`__proto__`). Throws a `SerializationError`
 * whose context has the JSON pointer of the offending value.
 */
export function checkTree(value: unknown, format: Format | string, limits: DecodeLimits): void {
  const path: (string | number)[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (node.length > limits.maxStringLength) {
        throw tooLarge(format, limits.maxStringLength, 'characters in a string', {
          pointer: toJsonPointer(path),
        });
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (depth >= limits.maxDepth) {
      throw tooLarge(format, limits.maxDepth, 'levels of nesting', {
        pointer: toJsonPointer(path),
      });
    }
    if (Array.isArray(node)) {
      if (node.length > limits.maxItems) {
        throw tooLarge(format, limits.maxItems, 'items in an array', {
          pointer: toJsonPointer(path),
        });
      }
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        visit(node[i], depth + 1);
        path.pop();
      }
      return;
    }
    if (node instanceof Date || ArrayBuffer.isView(node)) return;
    const keys = Object.keys(node);
    if (keys.length > limits.maxKeys) {
      throw tooLarge(format, limits.maxKeys, 'keys in an object', {
        pointer: toJsonPointer(path),
      });
    }
    for (const key of keys) {
      path.push(key);
      if (FORBIDDEN_KEYS.has(key)) {
        throw malformed(format, `the key "${key}" is not allowed`, {
          pointer: toJsonPointer(path),
          key,
        });
      }
      if (key.length > limits.maxStringLength) {
        throw tooLarge(format, limits.maxStringLength, 'characters in a string', {
          pointer: toJsonPointer(path),
        });
      }
      visit((node as Record<string, unknown>)[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
}

/** @internal Line and column (1-based) of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

/**
 * @internal Sets `target[key]`, refusing keys that would reach a prototype
 * (an assignment to `__proto__` would replace the object's prototype).
 */
export function setKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  format: Format | string,
): void {
  if (FORBIDDEN_KEYS.has(key)) throw malformed(format, `the key "${key}" is not allowed`, { key });
  target[key] = value;
}
