/** JSON Schema fragments of the route modules not yet declaring Zod schemas (documentation only). */
import type { AnyModel, JsonSchema } from '../../base/types/model.js';
import { modelSchema, PROBLEM_SCHEMA } from './legacy-openapi.js';

const cache = new Map<string, JsonSchema>();

/** A model's wire schema, computed once. */
export function schemaOf(model: AnyModel, io: 'input' | 'output'): JsonSchema {
  const key = `${model.name}:${io}`;
  let schema = cache.get(key);
  if (schema === undefined) {
    schema = modelSchema(model, io);
    cache.set(key, schema);
  }
  return schema;
}

/** A page of records. */
export function pageSchema(model: AnyModel): JsonSchema {
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items: schemaOf(model, 'output') },
      next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page.' },
    },
  };
}

/** The error responses of a route that reads a body and needs a key. */
export const ERRORS: Readonly<Record<number, JsonSchema>> = Object.freeze({
  400: PROBLEM_SCHEMA,
  401: PROBLEM_SCHEMA,
  403: PROBLEM_SCHEMA,
  404: PROBLEM_SCHEMA,
  406: PROBLEM_SCHEMA,
  409: PROBLEM_SCHEMA,
  412: PROBLEM_SCHEMA,
  413: PROBLEM_SCHEMA,
  415: PROBLEM_SCHEMA,
  422: PROBLEM_SCHEMA,
});

/** `{ id }` path parameters. */
export const ID_PARAMS: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
};

/** The pagination query parameters. */
export const PAGE_QUERY: Readonly<Record<string, JsonSchema>> = Object.freeze({
  limit: { type: 'integer', minimum: 1, maximum: 1000 },
  cursor: { type: 'string' },
  order: { type: 'string', enum: ['asc', 'desc'] },
});

/** The `If-Match` header of conditional writes. */
export const IF_MATCH_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'if-match': {
      type: 'string',
      description: 'The ETag of the version read ("<version>"); 412 if stale.',
    },
  },
};
