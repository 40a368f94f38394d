/** Tenants, managed by the platform administrator: create, get, update, suspend, activate. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertbaseError, ConflictError } from '../../base/exceptions/index.js';
import { ApiKey, Tenant } from '../../domain/index.js';
import type { TenantInput, TenantPatch } from '../../storage/repositories/index.js';
import { PLATFORM_TENANT } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { conditional, etag, IdParams, wire } from './helpers.js';
import {
  component,
  IfMatchHeaders,
  IssuedKey,
  modelBody,
  modelPatch,
  modelResponse,
  problem,
} from './schemas.js';

const platform = { requires: 'platform' } as const;

/** The answer of `POST /v1/tenants`. */
const CreatedTenant = component(
  z.object({ tenant: modelResponse(Tenant), owner_key: IssuedKey }),
  'CreatedTenant',
);

/** The body of a break-glass owner key. */
const BreakGlassBody = z
  .object({ reason: z.string().max(1_024).optional().describe('Written to the audit trail') })
  .optional();

/** Registers `/v1/tenants`. */
export function tenantRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const one = { 200: modelResponse(Tenant) };

  api.post(
    '/v1/tenants',
    {
      config: platform,
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant and its first owner key (shown once)',
        body: modelBody(Tenant),
        response: {
          201: CreatedTenant,
          409: problem('A tenant with this id exists'),
          422: problem('The tenant is invalid (every issue, with its pointer)'),
        },
      },
    },
    async (request, reply) => {
      const actor = request.principal?.actor ?? 'platform-admin';
      const body = request.body;
      const id =
        typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
      if (id === PLATFORM_TENANT) {
        throw new ConflictError('ALERTBASE_RESOURCE_ALREADY_EXISTS', { resource: 'Tenant', id });
      }
      const tenant = await ctx.repos.tenants.create(body as TenantInput, actor);
      const issued = await ctx.repos.apiKeys.issue(
        tenant.id,
        { name: 'owner', role: 'owner' },
        actor,
      );
      reply.header('location', `/v1/tenants/${tenant.id}`);
      return send(
        etag(reply, tenant),
        201,
        {
          tenant: wire(Tenant, tenant),
          owner_key: { key: issued.key, api_key: wire(ApiKey, issued.apiKey) },
        },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/tenants/:id',
    {
      config: platform,
      schema: { tags: ['tenants'], summary: 'Get a tenant', params: IdParams, response: one },
    },
    async (request, reply) => {
      const tenant = await ctx.repos.tenants.get(request.params.id);
      return send(etag(reply, tenant), 200, wire(Tenant, tenant), ctx.serializer);
    },
  );

  api.patch(
    '/v1/tenants/:id',
    {
      config: platform,
      schema: {
        tags: ['tenants'],
        summary: 'Update a tenant: name, tier, settings (If-Match: 412 when stale)',
        params: IdParams,
        headers: IfMatchHeaders,
        body: modelPatch(Tenant),
        response: {
          ...one,
          409: problem('A stale version'),
          412: problem('If-Match names a stale version'),
          422: problem('The change is invalid'),
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const actor = request.principal?.actor ?? 'platform-admin';
      const tenant = await conditional(request, (options) =>
        ctx.repos.tenants.update(id, (request.body ?? {}) as TenantPatch, actor, options),
      );
      ctx.tenants.forget(id);
      return send(etag(reply, tenant), 200, wire(Tenant, tenant), ctx.serializer);
    },
  );

  api.post(
    '/v1/tenants/:id/owner-key',
    {
      config: platform,
      schema: {
        tags: ['tenants'],
        summary:
          'Break-glass: issue a new owner key to a tenant (shown once; audited as key.break_glass in its trail)',
        params: IdParams,
        body: BreakGlassBody,
        response: { 201: IssuedKey },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      if (id === PLATFORM_TENANT) {
        throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
          role: 'platform-admin',
          action: 'issue tenant owner keys to the platform tenant (use alertbase admin create-key)',
        });
      }
      await ctx.repos.tenants.get(id);
      const reason = request.body?.reason ?? '';
      const actor = request.principal?.actor ?? 'platform-admin';
      const issued = await ctx.repos.apiKeys.issueBreakGlassOwnerKey(id, actor, reason);
      reply.header('location', `/v1/keys/${issued.apiKey.id}`);
      return send(
        reply,
        201,
        { key: issued.key, api_key: wire(ApiKey, issued.apiKey) },
        ctx.serializer,
      );
    },
  );

  for (const action of ['suspend', 'activate'] as const) {
    api.post(
      `/v1/tenants/:id/${action}`,
      {
        config: platform,
        schema: {
          tags: ['tenants'],
          summary:
            action === 'suspend'
              ? 'Suspend a tenant: its keys are refused (403)'
              : 'Reactivate a tenant',
          params: IdParams,
          headers: IfMatchHeaders,
          response: {
            ...one,
            409: problem('A stale version'),
            412: problem('If-Match names a stale version'),
          },
        },
      },
      async (request, reply) => {
        const id = request.params.id;
        const actor = request.principal?.actor ?? 'platform-admin';
        const tenant = await conditional(request, (options) =>
          ctx.repos.tenants[action](id, actor, options),
        );
        ctx.tenants.forget(id);
        return send(etag(reply, tenant), 200, wire(Tenant, tenant), ctx.serializer);
      },
    );
  }
}
