/**
 * Small helpers the levels share: walking a document's values with their
 * paths, reading durations and times from parsed or raw values, positions in
 * text. @internal
 */

import { toJsonPointer } from '../exceptions/index.js';
import { safeParseDuration } from '../utils/duration.js';

/** A plain object (not an array, Date or class instance)? */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A string-to-string map's entries (labels, annotations); non-string values are skipped. */
export function stringEntries(value: unknown): [string, string][] {
  if (!isRecord(value)) return [];
  const out: [string, string][] = [];
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') out.push([key, v]);
  }
  return out;
}

/** Visitor of {@link walk}: called for every value, with its path; return `false` to skip children. */
export type WalkVisitor = (
  value: unknown,
  path: readonly (string | number)[],
  key: string | number | undefined,
) => boolean | undefined;

/**
 * Walks every value of a document depth-first (objects by own keys, arrays by
 * index), giving each its path. The path array is reused: copy it to keep it.
 * Cycles are not followed.
 */
export function walk(root: unknown, visit: WalkVisitor): void {
  const path: (string | number)[] = [];
  const seen = new Set<object>();
  const go = (value: unknown, key: string | number | undefined): void => {
    if (visit(value, path, key) === false) return;
    if (typeof value !== 'object' || value === null) return;
    if (seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        go(value[i], i);
        path.pop();
      }
    } else if (isRecord(value)) {
      for (const k of Object.keys(value)) {
        path.push(k);
        go(value[k], k);
        path.pop();
      }
    }
    seen.delete(value);
  };
  go(root, undefined);
}

/** The JSON pointer of a path (re-exported for checks). */
export const pointerOf = (path: readonly (string | number)[]): string => toJsonPointer(path);

/** Milliseconds of a duration given as a number of ms or a Prometheus duration string. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const parsed = safeParseDuration(value.trim());
    if (parsed.ok) return parsed.ms;
    // A signed duration such as "-5m" is not Prometheus syntax but is what a negative `for` looks like.
    if (value.trim().startsWith('-')) {
      const abs = safeParseDuration(value.trim().slice(1));
      if (abs.ok) return -abs.ms;
    }
  }
  return undefined;
}

/** Epoch ms of a time given as a Date, an ISO string or epoch ms. */
export function timeMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** 1-based line and column of an offset in a text (columns in UTF-16 code units). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
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

/** Shortens a fragment for a message: at most `max` characters, with an ellipsis. */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
