/**
 * The interface of an annotation-template checker, and a small built-in one.
 *
 * Prometheus expands annotations (and labels) of alerting rules as Go
 * `text/template` templates (`{{ $labels.instance }}`, `{{ $value }}`). The
 * semantic level takes any {@link TemplateChecker} as an option and defaults
 * to the full Go template parser (`parseGoTemplate` in `base/prometheus/`),
 * so every entry point gives the same verdict; {@link checkTemplateBraces}
 * is a small alternative that finds the structural faults only.
 */

import { positionOf } from './shared.js';

/** The outcome of checking one template; positions are 1-based, within the template. */
export type TemplateCheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly message: string;
      readonly line?: number;
      readonly column?: number;
    };

/**
 * Checks one template's syntax. Implementations must not throw for bad input.
 *
 * @example
 * ```ts
 * // Wiring the full Go template parser in (names as in src/interop/prometheus/):
 * const templateChecker: TemplateChecker = (text) => {
 *   const r = parseGoTemplate(text);
 *   return r.ok ? { ok: true } : { ok: false, message: r.message, line: r.line, column: r.column };
 * };
 * semanticChecks({ templateChecker });
 * ```
 */
export type TemplateChecker = (template: string) => TemplateCheckResult;

const BLOCK_OPENERS: ReadonlySet<string> = new Set(['if', 'range', 'with', 'define', 'block']);

const fail = (text: string, offset: number, message: string): TemplateCheckResult => {
  const { line, column } = positionOf(text, offset);
  return { ok: false, message: `${message} at line ${line}, column ${column}`, line, column };
};

/**
 * The built-in template check: every `{{` action is closed by `}}` (quoted
 * strings, raw strings and comments inside an action are skipped), no action
 * is empty, and `{{ if }}`/`{{ range }}`/`{{ with }}`/`{{ define }}`/
 * `{{ block }}` are balanced by `{{ end }}`. As in Go, a `}}` outside an
 * action is plain text.
 *
 * @example
 * ```ts
 * checkTemplateBraces('CPU is {{ $value }}');  // { ok: true }
 * checkTemplateBraces('CPU is {{ $value');     // { ok: false, message: 'unclosed action ...', line: 1, column: 8 }
 * ```
 */
export function checkTemplateBraces(text: string): TemplateCheckResult {
  const blocks: { keyword: string; offset: number }[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open === -1) break;
    let k = open + 2;
    let close = -1;
    while (k < text.length) {
      const c = text[k];
      if (c === '"' || c === "'") {
        let j = k + 1;
        while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        if (j >= text.length || text[j] !== c) {
          return fail(
            text,
            k,
            c === '"' ? 'unterminated quoted string' : 'unterminated character constant',
          );
        }
        k = j + 1;
      } else if (c === '`') {
        const j = text.indexOf('`', k + 1);
        if (j === -1) return fail(text, k, 'unterminated raw quoted string');
        k = j + 1;
      } else if (c === '/' && text[k + 1] === '*') {
        const j = text.indexOf('*/', k + 2);
        if (j === -1) return fail(text, k, 'unclosed comment');
        k = j + 2;
      } else if (c === '}' && text[k + 1] === '}') {
        close = k;
        break;
      } else {
        k++;
      }
    }
    if (close === -1) return fail(text, open, 'unclosed action: "{{" without "}}"');
    // Trim markers are "{{- " and " -}}".
    let body = text.slice(open + 2, close);
    if (body.startsWith('- ') || body === '-') body = body.slice(1);
    if (body.endsWith(' -')) body = body.slice(0, -1);
    body = body.trim();
    if (body === '') return fail(text, open, 'missing value for command: empty action');
    const keyword = /^[a-z]+/.exec(body)?.[0] ?? '';
    if (BLOCK_OPENERS.has(keyword)) blocks.push({ keyword, offset: open });
    else if (keyword === 'end' && body === 'end') {
      if (blocks.pop() === undefined) return fail(text, open, 'unexpected {{end}}');
    }
    from = close + 2;
  }
  const unclosed = blocks.pop();
  if (unclosed !== undefined) {
    return fail(text, unclosed.offset, `unclosed {{${unclosed.keyword}}}: no matching {{end}}`);
  }
  return { ok: true };
}
