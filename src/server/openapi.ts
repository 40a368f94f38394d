/**
 * The OpenAPI 3.1 document served at `/docs`, generated from the Zod
 * schemas the routes declare (the ones that validate requests and that the
 * conformance test holds the responses to) by `fastify-type-provider-zod`.
 * For every route this adds what the route table knows: its security (none
 * for public routes, a tenant or platform key otherwise), the permission it
 * requires (`x-alertbase-permission`, from the permission matrix), the
 * problem details of its errors, and the media types it reads and writes.
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import {
  createJsonSchemaTransform,
  createJsonSchemaTransformObject,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SECRET_MASK } from '../base/constants.js';
import { FORMAT_MIME_TYPES } from '../base/serializers/index.js';
import { SECRET_META_KEY } from '../base/types/secret.js';
import { PERMISSION_MATRIX } from './permission-matrix.js';
import { PROBLEM_JSON } from './problems.js';
import { isPermission, type Requirement } from './roles.js';

/** The version of the HTTP API, as documented. */
export const API_VERSION = '1.0.0';

/** The security scheme of every key and session token. */
const SECURITY_SCHEME = 'apiKey';

/** The media types every API body may be written in (`Content-Type`, `Accept`). */
export const BODY_MEDIA_TYPES: readonly string[] = Object.freeze(Object.values(FORMAT_MIME_TYPES));

/**
 * The error statuses every authenticated route may answer, besides those it
 * declares: 400 (a bad query, path or header; an undecodable body), 401,
 * 403, 404 (no such record), 406 (`Accept`), 413 and 415 (body size and
 * type), 422 (a query or path parameter out of its range), 429 (rate
 * limits), 500, 503 (shutting down, memory pressure).
 */
export const COMMON_ERROR_STATUSES: readonly number[] = Object.freeze([
  400, 401, 403, 404, 406, 413, 415, 422, 429, 500, 503,
]);

/** What public routes (no key) may still answer with problem details. */
const PUBLIC_ERROR_STATUSES: readonly number[] = Object.freeze([
  400, 404, 406, 413, 415, 422, 429, 500, 503,
]);

/** Generated defaults (a new id, the time of parsing) are no value to document. */
function isGeneratedDefault(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as { type?: string; defaultValue?: unknown };
  if (def.type !== 'default') return false;
  const first = def.defaultValue;
  return first instanceof Date || JSON.stringify(first) !== JSON.stringify(def.defaultValue);
}

/**
 * How Zod schemas become JSON Schema here: dates as RFC 3339 strings,
 * secrets as their plain type (responses show the mask), no generated
 * defaults, no empty branches of unions.
 */
function override(ctx: {
  readonly zodSchema: z.core.$ZodType;
  readonly jsonSchema: z.core.JSONSchema.BaseSchema;
}): void {
  const json = ctx.jsonSchema as Record<string, unknown>;
  const def = ctx.zodSchema._zod.def as { type?: string };
  if (def.type === 'date') Object.assign(json, { type: 'string', format: 'date-time' });
  if (Array.isArray(json.anyOf)) {
    json.anyOf = (json.anyOf as Record<string, unknown>[]).filter((s) => Object.keys(s).length > 0);
  }
  const meta = z.globalRegistry.get(ctx.zodSchema) as Record<string, unknown> | undefined;
  if (meta?.[SECRET_META_KEY] === true) {
    delete json[SECRET_META_KEY];
    const [, plain] = Array.isArray(json.anyOf) ? (json.anyOf as unknown[]) : [];
    delete json.anyOf;
    json.anyOf = [
      typeof plain === 'object' && plain !== null ? plain : {},
      { type: 'string', const: SECRET_MASK, description: 'A secret, masked in responses.' },
    ];
  }
  if (isGeneratedDefault(ctx.zodSchema)) delete json.default;
  // Zod drops the examples of a schema that transforms from its input form;
  // the examples documented here are request bodies, in their input form.
  if (json.examples === undefined && Array.isArray(meta?.examples)) json.examples = meta.examples;
}

/** The problem details of errors a route does not declare itself. */
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const zodTransform = createJsonSchemaTransform({
  schemaRegistry: z.globalRegistry,
  zodToJsonConfig: { override },
});

/** The `transformObject` of `@fastify/swagger`: the named schemas as components. */
export const documentTransform: SwaggerTransformObject = createJsonSchemaTransformObject({
  schemaRegistry: z.globalRegistry,
  zodToJsonConfig: { override },
});

const PARTS: ReadonlySet<string> = new Set(['body', 'querystring', 'params', 'headers']);

/**
 * Is this response a Zod schema, or a response object whose media types all
 * carry Zod schemas (`problem('…')`, `{ description, content: { 'text/plain':
 * { schema: z.string() } } }`)? `fastify-type-provider-zod` converts both.
 */
function isZodResponse(response: unknown): boolean {
  if (response instanceof z.ZodType) return true;
  if (typeof response !== 'object' || response === null || !('content' in response)) return false;
  const content = (response as { content: unknown }).content;
  if (typeof content !== 'object' || content === null) return false;
  const media = Object.values(content as Record<string, { schema?: unknown }>);
  return media.length > 0 && media.every((m) => m.schema instanceof z.ZodType);
}

/** A route's responses: those given as Zod schemas, and the others. */
function splitResponses(
  response: Record<string, unknown>,
): [Record<string, unknown>, Record<string, unknown>] {
  const zods: Record<string, unknown> = {};
  const others: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(response)) {
    if (isZodResponse(schema)) zods[status] = schema;
    else others[status] = schema;
  }
  return [zods, others];
}

/** How the permission a route requires reads in its description. */
function requirementText(requires: Requirement): string {
  if (requires === 'public') return 'Public: no key needed.';
  if (requires === 'platform') return 'Requires a platform administrator key.';
  const entry = PERMISSION_MATRIX[requires];
  return `Requires the permission \`${requires}\` (roles: ${entry.roles.join(', ')}).`;
}

/** An operation's responses with the problem details of every error status it may answer. */
function withProblems(
  response: Record<string, unknown> | undefined,
  statuses: readonly number[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(response ?? {})) {
    out[status] = Number(status) >= 400 ? problemResponse(schema) : schema;
  }
  for (const status of statuses) {
    if (out[String(status)] === undefined) out[String(status)] = problemResponse(PROBLEM_REF);
  }
  return out;
}

function problemResponse(schema: unknown): Record<string, unknown> {
  // Declared with its media type and meaning already (`problem('…')`).
  if (typeof schema === 'object' && schema !== null && 'content' in schema) {
    return schema as Record<string, unknown>;
  }
  const description =
    typeof (schema as { description?: unknown }).description === 'string'
      ? (schema as { description: string }).description
      : 'Problem details (RFC 9457).';
  return { description, content: { [PROBLEM_JSON]: { schema } } };
}

/**
 * The `transform` of `@fastify/swagger`: a route's Zod schemas as JSON
 * Schema, and its security, permission, errors and media types.
 */
export const routeSchemaTransform: SwaggerTransform = (document) => {
  // Parts given as JSON Schema (not Zod) are kept as they are.
  const given = (document.schema ?? undefined) as Record<string, unknown> | undefined;
  const plain: Record<string, unknown> = {};
  const zodParts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given ?? {})) {
    if (key === 'response' && typeof value === 'object' && value !== null) {
      const [zods, others] = splitResponses(value as Record<string, unknown>);
      zodParts.response = zods;
      plain.response = others;
    } else if (PARTS.has(key) && !(value instanceof z.ZodType)) plain[key] = value;
    else zodParts[key] = value;
  }
  const converted = zodTransform({
    ...document,
    schema: given === undefined ? given : zodParts,
  } as Parameters<typeof zodTransform>[0]) as {
    schema: Record<string, unknown> | undefined;
    url: string;
  };
  const url = converted.url;
  const schema: Record<string, unknown> | undefined =
    converted.schema === undefined
      ? undefined
      : {
          ...converted.schema,
          ...plain,
          response: {
            ...((converted.schema.response as Record<string, unknown> | undefined) ?? {}),
            ...((plain.response as Record<string, unknown> | undefined) ?? {}),
          },
        };
  const requires = (document.route.config as { requires?: Requirement } | undefined)?.requires;
  if (schema === undefined || schema.hide === true)
    return { schema: schema ?? { hide: true }, url };
  if (requires === undefined) {
    // A route outside the API scope (`/metrics`): its own security, and its errors.
    const secured = Array.isArray(schema.security) && schema.security.length > 0;
    const statuses = secured ? [401, ...PUBLIC_ERROR_STATUSES] : PUBLIC_ERROR_STATUSES;
    return {
      schema: {
        ...schema,
        response: withProblems(schema.response as Record<string, unknown> | undefined, statuses),
      },
      url,
    };
  }
  const description = [schema.description, requirementText(requires)]
    .filter((s) => typeof s === 'string' && s !== '')
    .join('\n\n');
  const out: Record<string, unknown> = {
    ...schema,
    description,
    consumes: schema.consumes ?? BODY_MEDIA_TYPES,
    produces: BODY_MEDIA_TYPES,
    security: requires === 'public' ? [] : [{ [SECURITY_SCHEME]: [] }],
    'x-alertbase-permission': requires,
    response: withProblems(
      schema.response as Record<string, unknown> | undefined,
      requires === 'public' ? PUBLIC_ERROR_STATUSES : COMMON_ERROR_STATUSES,
    ),
  };
  if (isPermission(requires)) out['x-alertbase-roles'] = [...PERMISSION_MATRIX[requires].roles];
  return { schema: out, url };
};

/** The `openapi` option of `@fastify/swagger`. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'alertbase',
      version: API_VERSION,
      description:
        'Multi-tenant alert management. Every endpoint reads and writes JSON, YAML, XML, ' +
        'MessagePack and Protocol Buffers by Content-Type and Accept; errors are ' +
        'application/problem+json. Authenticate with Authorization: Bearer <API key or ' +
        'session token>. Each operation names the permission it requires ' +
        '(x-alertbase-permission: a permission of the matrix, "platform" or "public").',
    },
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A tenant API key (ab_<tenant>_<hex>), a session token, or a platform administrator key.',
        },
      },
    },
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: [
      { name: 'tenants', description: 'Tenants (platform administrator)' },
      { name: 'rules', description: 'Alert rules' },
      { name: 'alerts', description: 'Alerts' },
      { name: 'events', description: 'Changes as server-sent events' },
      { name: 'channels', description: 'Notification channels' },
      { name: 'silences', description: 'Silences' },
      { name: 'inhibit-rules', description: 'Inhibition rules' },
      { name: 'routing', description: 'The notification routing tree' },
      { name: 'notifications', description: 'Notifications sent and pending' },
      { name: 'keys', description: 'API keys' },
      { name: 'users', description: 'Users and sessions' },
      { name: 'audit', description: 'Audit trail' },
      { name: 'alertmanager', description: 'Prometheus and Alertmanager compatible ingest' },
      { name: 'archive', description: 'Raw ingest payloads: forensics and replay' },
      { name: 'health', description: 'Liveness and readiness' },
    ],
  };
}
