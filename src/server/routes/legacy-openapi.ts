/** JSON Schemas of the route modules not yet declaring Zod schemas (documentation only). */
import type { AnyModel, JsonSchema } from '../../base/types/model.js';

/**
 * A model's JSON Schema for a route schema: wire names, without `$schema`
 * (an OpenAPI 3.1 schema object is JSON Schema 2020-12 already).
 */
export function modelSchema(model: AnyModel, io: 'input' | 'output'): JsonSchema {
  const {
    $schema: _dialect,
    examples: _examples,
    ...schema
  } = model.toJSONSchema({ io, byAlias: true });
  return schema;
}

/** The problem details every error response carries. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details with the alertbase error code.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', pattern: '^ALERTBASE_' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Validation issues: one per problem, with its JSON pointer.',
      items: {
        type: 'object',
        properties: {
          pointer: { type: 'string' },
          code: { type: 'string' },
          detail: { type: 'string' },
        },
      },
    },
    allowedActions: { type: 'array', items: { type: 'string' } },
  },
  required: ['type', 'title', 'status', 'code'],
};
