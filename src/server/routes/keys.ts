/**
 * API keys of the caller's tenant: issue (shown once), list, get, revoke.
 * Records show `last_used_at`, written at most once a minute per key.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Role } from '../../base/enums/index.js';
import { AlertbaseError, ValidationError } from '../../base/exceptions/index.js';
import { ApiKey } from '../../domain/index.js';
import { bindTenant, tenantOf } from '../auth.js';
import { withinQuota } from '../quotas.js';
import { allows, beyondCaller, isPermission } from '../roles.js';
import { validatedByHandler } from '../route-validation.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import {
  boolParam,
  conditional,
  IdParams,
  issuesOf,
  listParam,
  pageParams,
  wire,
  wirePage,
} from './helpers.js';
import { baseListOptions } from './resources.js';
import { component, IfMatchHeaders, IssuedKey, modelResponse, pageOf, problem } from './schemas.js';

const KeyRequest = z.object({
  name: ApiKey.shape.name,
  role: ApiKey.shape.role,
  permissions: ApiKey.shape.permissions,
  expiresAt: ApiKey.shape.expiresAt,
});

const KeyQuery = z.object({
  ...pageParams,
  status: listParam
    .pipe(z.array(z.enum(['active', 'revoked'])))
    .optional()
    .describe('Comma-separated or repeated: active, revoked'),
  include_deleted: boolParam.optional().describe('Include revoked keys'),
});

/** The body of `POST /v1/keys` in wire names (the handler reads it with `KeyRequest`). */
const KeyBody = component(
  validatedByHandler(
    z.object({
      name: KeyRequest.shape.name,
      role: KeyRequest.shape.role,
      permissions: KeyRequest.shape.permissions.describe(
        "A scoped key: only these permissions (each within the role's; GET /v1/permissions). Absent: all of the role's.",
      ),
      expires_at: KeyRequest.shape.expiresAt,
      tenant_id: z.string().optional().describe("The caller's tenant (another is 403)"),
    }),
  ),
  'ApiKeyRequest',
);

/** Registers `/v1/keys`. */
export function keyRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/v1/keys',
    {
      config: { requires: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'Issue an API key (at most the role of the caller); the key is shown once',
        body: KeyBody,
        response: {
          201: IssuedKey,
          422: problem('The request is invalid, or names permissions the role does not have'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const body = bindTenant(request.body, who.tenantId);
      const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<
        string,
        unknown
      >;
      const parsed = KeyRequest.safeParse({
        name: fields.name,
        role: fields.role,
        permissions: fields.permissions ?? null,
        expiresAt: fields.expiresAt ?? fields.expires_at ?? null,
      });
      if (!parsed.success) throw new ValidationError(ApiKey.name, issuesOf(parsed.error));
      const { role, permissions } = parsed.data;
      if (!Role.atLeast(who.role, role)) {
        throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
          role: who.role,
          action: `issue a key of role ${role}`,
        });
      }
      const outside = (permissions ?? []).flatMap((p, i) =>
        isPermission(p) && allows(role, p) ? [] : [{ p, i }],
      );
      if (outside.length > 0) {
        throw new ValidationError(
          ApiKey.name,
          outside.map(({ p, i }) => ({
            path: ['permissions', i],
            pointer: `/permissions/${i}`,
            code: 'invalid_value',
            message: isPermission(p)
              ? `role ${role} does not have ${p}`
              : `unknown permission ${p}; see GET /v1/permissions`,
          })),
        );
      }
      const wider = beyondCaller(who, role, permissions);
      if (wider.length > 0) {
        throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
          role: who.scopes === undefined ? who.role : `${who.role} (scoped key)`,
          action: `issue a key with ${wider.join(', ')}`,
        });
      }
      const issued = await withinQuota(ctx, who.tenantId, 'apiKeys', (options) =>
        ctx.repos.apiKeys.issue(who.tenantId, parsed.data, who.actor, options),
      );
      reply.header('location', `/v1/keys/${issued.apiKey.id}`);
      return send(
        reply,
        201,
        { key: issued.key, api_key: wire(ApiKey, issued.apiKey) },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/keys',
    {
      config: { requires: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'List API keys (hashes never shown; last_used_at within a minute)',
        querystring: KeyQuery,
        response: { 200: pageOf(ApiKey) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query;
      const page = await ctx.repos.apiKeys.list(who.tenantId, {
        ...baseListOptions(q),
        ...(q.status === undefined ? {} : { filter: { status: q.status } }),
      });
      return send(reply, 200, wirePage(ApiKey, page), ctx.serializer);
    },
  );

  api.get(
    '/v1/keys/:id',
    {
      config: { requires: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'Get an API key (its hash never shown; last_used_at within a minute)',
        params: IdParams,
        response: { 200: modelResponse(ApiKey) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const apiKey = await ctx.repos.apiKeys.get(who.tenantId, request.params.id);
      return send(reply, 200, wire(ApiKey, apiKey), ctx.serializer);
    },
  );

  api.delete(
    '/v1/keys/:id',
    {
      config: { requires: 'keys:manage' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key',
        params: IdParams,
        headers: IfMatchHeaders,
        response: {
          200: modelResponse(ApiKey),
          412: problem('If-Match names a stale version'),
          409: problem('The last usable owner key of the tenant (ALERTBASE_AUTH_LAST_OWNER_KEY)'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const revoked = await conditional(request, (options) =>
        ctx.repos.apiKeys.revoke(who.tenantId, id, who.actor, options),
      );
      ctx.forgetKeys();
      return send(reply, 200, wire(ApiKey, revoked), ctx.serializer);
    },
  );
}
