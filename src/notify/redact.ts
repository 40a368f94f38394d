import { SECRET_MASK } from '../base/constants.js';
import { isSecret } from '../base/types/secret.js';

const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);
const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null;

/**
 * The revealed values of every `Secret` in a channel configuration (nested
 * objects and arrays included), longest first, to mask them in messages.
 */
export function secretValuesOf(value: unknown, depth = 0): string[] {
  const found: string[] = [];
  const walk = (v: unknown, d: number): void => {
    // Configurations are shallow; the bound keeps a hostile object from recursing forever.
    if (d > 8) return;
    if (isSecret(v)) {
      const revealed = v.reveal();
      if (typeof revealed === 'string' && revealed !== '') found.push(revealed);
    } else if (isList(v)) {
      for (const item of v) walk(item, d + 1);
    } else if (isRecord(v)) {
      for (const item of Object.values(v)) walk(item, d + 1);
    }
  };
  walk(value, depth);
  return found.sort((a, b) => b.length - a.length);
}

/** The forms in which a secret may come back: as written, URL- and JSON-escaped, and for a URL its path and long path segments. */
function formsOf(secret: string): Set<string> {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  if (/^https?:\/\//i.test(secret)) {
    try {
      const url = new URL(secret);
      // A webhook URL's secret is its path: a receiver echoes the path, not the whole URL.
      const path = `${url.pathname}${url.search}`;
      if (path.length > 1) forms.add(path);
      for (const segment of url.pathname.split('/')) if (segment.length >= 16) forms.add(segment);
    } catch {
      // Not a URL after all: the plain forms are enough.
    }
  }
  forms.delete('');
  return forms;
}

/**
 * `text` with every secret masked, as written and in its URL- and
 * JSON-escaped forms (a receiver may echo the request back in an error);
 * a secret URL also by its path and its long path segments.
 *
 * @example
 * ```ts
 * redact('401: token abc123 refused', ['abc123']); // '401: token ********** refused'
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of formsOf(secret)) out = out.replaceAll(form, SECRET_MASK);
  }
  return out;
}
