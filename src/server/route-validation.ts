/**
 * Fastify's validator for the routes' Zod schemas: the schemas a route
 * declares (`routes/schemas.ts`) validate its path parameters, query and
 * headers before the handler runs, and a failure is the same
 * `ALERTBASE_VALIDATION_FAILED` problem, with every issue and its pointer,
 * that the handlers threw when they parsed these parts themselves.
 *
 * Model bodies (`modelBody`, `modelPatch`) are validated by the model in the
 * handler (its own rules, wire or field names, the tenant bound first): the
 * validator lets them through; their schema documents the model's fields.
 */
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../base/exceptions/index.js';
import { issuesOf } from './routes/helpers.js';

/** The name each request part's issues are reported under. */
const PART_NAMES: Readonly<Record<string, string>> = Object.freeze({
  params: 'PathParameters',
  querystring: 'QueryString',
  headers: 'Headers',
  body: 'Body',
});

const handlerValidated = new WeakSet<z.ZodType>();

/**
 * Marks a schema the handler validates itself (a model body; the Go-style
 * query of the Alertmanager API): the validator lets that part through.
 */
export function validatedByHandler<S extends z.ZodType>(schema: S): S {
  handlerValidated.add(schema);
  return schema;
}

/**
 * The validator compiler of the API: Zod schemas validate (and their output
 * replaces the part: coerced numbers, parsed lists); other schemas are
 * documentation only. Headers are checked but left as sent.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!(schema instanceof z.ZodType) || handlerValidated.has(schema)) return () => true;
  const part = httpPart ?? 'body';
  const name = PART_NAMES[part] ?? part;
  return (data: unknown) => {
    const result = schema.safeParse(data ?? (part === 'body' ? undefined : {}));
    if (!result.success) return { error: new ValidationError(name, issuesOf(result.error)) };
    return part === 'headers' ? { value: data } : { value: result.data };
  };
};

/** What Fastify's `schemaController.compilersFactory` option takes. */
type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/**
 * The compilers of every route, for Fastify's `schemaController` option:
 * {@link zodValidatorCompiler}, and a serializer that only stringifies (the
 * handlers encode their answers with `send`, wire.ts). Fastify types these
 * factories as those of Ajv and fast-json-stringify, which it loads when it
 * is not given them; it calls the compilers with the route's schema and
 * part, as `FastifySchemaCompiler` takes them.
 */
export const routeCompilers = {
  buildValidator: () => zodValidatorCompiler,
  buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
} as unknown as CompilersFactory;
