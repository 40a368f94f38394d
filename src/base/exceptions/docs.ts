import { ERROR_CODES, type ErrorCode } from './codes.js';

/**
 * Renders the error-code registry as the Markdown page `docs/errors.md`.
 * @internal used by `scripts/gen-error-docs.ts` and its freshness test.
 */
export function renderErrorTable(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).sort().map((code) => {
    const spec = ERROR_CODES[code];
    return `| \`${code}\` | ${spec.status} | ${spec.title} | ${spec.template.replaceAll('|', '\\|')} |`;
  });
  return [
    '# Error codes',
    '',
    'Generated from `src/base/exceptions/codes.ts` by `npm run docs:errors`; do not edit by hand.',
    '',
    'Every alertbase error has a stable `code`, an HTTP `status`, a `context` object with the',
    'values named in the message template, and an optional `cause`. Over HTTP it is rendered as',
    'RFC 9457 problem details (`application/problem+json`) with `type`',
    '`https://alertbase.dev/problems/<code>`, `title`, `status`, `detail` and `code`.',
    'Match on `code`, never on the message.',
    '',
    '| code | HTTP status | title | message template |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
