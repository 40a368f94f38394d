/**
 * Level 1, syntax: the document against its model's schema (types, formats,
 * required fields, unknown keys). Its parsed instance is what the business
 * checks of later levels read.
 */

import type { AnyModel } from '../types/model.js';
import { type Check, defineCheck } from './check.js';

/** Name of the schema check. */
export const SCHEMA_CHECK = 'syntax.schema';

/**
 * The syntax level's checks: `syntax.schema` parses the document with the
 * validator's model and reports each schema issue (its code, pointer and,
 * for PromQL, line and column); the parsed instance becomes `ctx.data` for
 * later levels. With no model the check passes (the pipeline has already
 * refused anything that is not an object).
 *
 * @example
 * ```ts
 * syntaxChecks().map((c) => c.name); // ['syntax.schema']
 * ```
 */
export function syntaxChecks(): Check[] {
  return [
    defineCheck({
      name: SCHEMA_CHECK,
      level: 'syntax',
      description: "The document against its model's schema.",
      run(ctx) {
        const model: AnyModel | undefined = ctx.model;
        if (model === undefined) return;
        const parsed = model.safeParse(ctx.document);
        if (parsed.success) {
          ctx.setData(parsed.data as Record<string, unknown>);
          return;
        }
        for (const issue of parsed.error.issues) {
          ctx.error({
            code: issue.code,
            path: issue.pointer,
            message: issue.message,
            ...(issue.line === undefined ? {} : { line: issue.line }),
            ...(issue.column === undefined ? {} : { column: issue.column }),
          });
        }
      },
    }),
  ];
}
