/**
 * The Zod schemas the routes declare (`schema: { params, querystring,
 * headers, body, response }`). They are the one source of the published
 * contract: `route-validation.ts` validates requests with them and
 * `openapi.ts` turns them into the OpenAPI document (through
 * `fastify-type-provider-zod`). The model schemas here are made from each
 * model's own field schemas, under their wire (snake_case) names.
 */
import { z } from 'zod';
import type { AnyModel } from '../../base/types/model.js';
import { ApiKey } from '../../domain/index.js';
import { validatedByHandler } from '../route-validation.js';

/**
 * Adds `schema` to the document's components (`components.schemas`) as
 * `id`: written once, referenced (`$ref`) by every operation using it.
 * `fastify-type-provider-zod` names the input form of each `<id>Input`.
 * Components live in Zod's global registry, with the schemas' descriptions.
 */
export function component<S extends z.ZodType>(schema: S, id: string): S {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  return schema;
}

/**
 * Wire names of the fields the repositories own (they set them from the
 * caller and the clock): dropped from request bodies, present in responses.
 */
export const OWNED_WIRE_NAMES: readonly string[] = Object.freeze([
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
  'deleted_at',
  'deleted_by',
]);

/** The wire name of a model's tenant field (the key's tenant: optional in bodies, 403 if another). */
const TENANT_WIRE_NAME = 'tenant_id';

/** A model's fields under their wire names. */
function wireShape(model: AnyModel): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const field of model.fields) {
    const schema = model.shape[field];
    if (schema !== undefined) shape[model.aliases[field] ?? field] = schema;
  }
  return shape;
}

/** A model's example as a create body: wire names, no owned fields, no tenant. */
function bodyExample(model: AnyModel, example: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(example as Record<string, unknown>)) {
    const name = model.aliases[key] ?? key;
    if (!OWNED_WIRE_NAMES.includes(name) && name !== TENANT_WIRE_NAME) out[name] = value;
  }
  return out;
}

const outputs = new Map<AnyModel, z.ZodObject>();
const inputs = new Map<AnyModel, z.ZodObject>();
const patches = new Map<AnyModel, z.ZodObject>();

/**
 * A record as responses carry it (`model.dump` in JSON mode, wire names):
 * every field, the computed fields (read-only), nothing else.
 */
export function modelResponse(model: AnyModel): z.ZodObject {
  let schema = outputs.get(model);
  if (schema === undefined) {
    schema = component(modelView(model, []), model.name);
    outputs.set(model, schema);
  }
  return schema;
}

/**
 * A record as responses carry it without some of its fields (`exclude` of
 * the dump: field names). Not a component by itself: pass it to `component`.
 */
export function modelView(model: AnyModel, exclude: readonly string[]): z.ZodObject {
  const computed: Record<string, z.ZodType> = {};
  for (const name of model.computedFields) {
    computed[model.aliases[name] ?? name] = z.unknown().meta({ readOnly: true });
  }
  const shape = wireShape(model);
  for (const field of exclude) delete shape[model.aliases[field] ?? field];
  return z
    .object({ ...shape, ...computed })
    .meta({ title: model.name, description: model.description });
}

/**
 * A create body: the model's fields without the owned ones, `tenant_id`
 * optional (the key's tenant; another one is 403). The model validates it
 * in the handler (every issue with its pointer, and the model's own rules),
 * so Fastify's validator leaves it to the handler.
 */
export function modelBody(model: AnyModel): z.ZodObject {
  let schema = inputs.get(model);
  if (schema === undefined) {
    const shape = wireShape(model);
    for (const name of OWNED_WIRE_NAMES) delete shape[name];
    const tenant = shape[TENANT_WIRE_NAME];
    if (tenant !== undefined) shape[TENANT_WIRE_NAME] = tenant.optional();
    schema = z.object(shape).meta({
      title: `${model.name} (request)`,
      description: model.description,
      ...(model.examples.length === 0
        ? {}
        : { examples: model.examples.map((e) => bodyExample(model, e)) }),
    });
    component(validatedByHandler(schema), `${model.name}Request`);
    inputs.set(model, schema);
  }
  return schema;
}

/** An update body: any of the create body's fields (validated with the record by the model). */
export function modelPatch(model: AnyModel): z.ZodObject {
  let schema = patches.get(model);
  if (schema === undefined) {
    schema = modelBody(model)
      .partial()
      .meta({ title: `${model.name} (update)`, description: model.description });
    component(validatedByHandler(schema), `${model.name}Update`);
    patches.set(model, schema);
  }
  return schema;
}

/** A page of records in wire form. */
export function pageOf(model: AnyModel): z.ZodObject {
  return z.object({
    items: z.array(modelResponse(model)),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page.'),
  });
}

/**
 * RFC 9457 problem details with the alertbase error code, as `problems.ts`
 * writes them; extension members (`allowedActions`, `currentVersion`, …)
 * may follow.
 */
export const Problem = component(
  z
    .looseObject({
      type: z.string(),
      title: z.string(),
      status: z.int().min(400).max(599),
      detail: z.string().optional(),
      instance: z.string().optional(),
      code: z.string().regex(/^ALERTBASE_/),
      requestId: z.string().optional(),
      errors: z
        .array(
          z.object({
            pointer: z.string(),
            code: z.string(),
            detail: z.string(),
            branch: z.string().optional(),
            line: z.int().optional(),
            column: z.int().optional(),
          }),
        )
        .optional()
        .describe('Validation issues: one per problem, with its JSON pointer.'),
      allowedActions: z.array(z.string()).optional(),
    })
    .meta({
      title: 'Problem',
      description: 'RFC 9457 problem details with the alertbase error code.',
    }),
  'Problem',
);

/**
 * An error response a route declares with what it means for that route
 * (`response: { 409: problem('…') }`); `Problem` alone says nothing more
 * than its status.
 */
export function problem(description: string): {
  description: string;
  content: { 'application/problem+json': { schema: typeof Problem } };
} {
  return { description, content: { 'application/problem+json': { schema: Problem } } };
}

/** A response without a body (204). */
export const NO_CONTENT = Object.freeze({ type: 'null', description: 'No content' });

/**
 * A request body read as text by the handler (YAML files: positions, alias
 * budget); set `consumes` to its media types.
 */
export function textBody(description: string): z.ZodString {
  return validatedByHandler(z.string().describe(description));
}

/** The `If-Match` header of conditional writes (its format is checked by `ifMatchOf`). */
export const IfMatchHeaders = z.looseObject({
  'if-match': z
    .string()
    .optional()
    .describe('The ETag of the version read ("<version>"); 412 if stale.'),
});

/** A key as issued: the key itself (shown once) and its record. */
export const IssuedKey = component(
  z.object({
    key: z.string().describe('The key: shown once, only its SHA-256 is kept'),
    api_key: modelResponse(ApiKey),
  }),
  'IssuedKey',
);
