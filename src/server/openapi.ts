/**
 * The OpenAPI 3.1 document served at `/docs`: paths come from the routes'
 * schemas, components from the models' own JSON Schema (wire names).
 */
import type { AnyModel, JsonSchema } from '../base/types/model.js';

/** The version of the HTTP API, as documented. */
export const API_VERSION = '1.0.0';

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
        'application/problem+json. Authenticate with Authorization: Bearer <API key>.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ apiKey: [] }],
    tags: [
      { name: 'tenants', description: 'Tenants (platform administrator)' },
      { name: 'rules', description: 'Alert rules' },
      { name: 'alerts', description: 'Alerts' },
      { name: 'events', description: 'Changes as server-sent events' },
      { name: 'channels', description: 'Notification channels' },
      { name: 'silences', description: 'Silences' },
      { name: 'keys', description: 'API keys' },
      { name: 'audit', description: 'Audit trail' },
      { name: 'alertmanager', description: 'Prometheus and Alertmanager compatible ingest' },
      { name: 'health', description: 'Liveness and readiness' },
    ],
  };
}
