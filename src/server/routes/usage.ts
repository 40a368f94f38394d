/**
 * `GET /v1/tenants/{id}/usage`: what a tenant uses of its quotas, and the
 * quotas (the tier's, with the tenant's overrides). A tenant reads its own
 * only; another id answers 404, as if it did not exist.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../base/exceptions/index.js';
import { quotasOf } from '../../domain/tenant.js';
import { tenantOf } from '../auth.js';
import { usageOf } from '../quotas.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { IdParams } from './helpers.js';
import { component } from './schemas.js';

const count = z.int().min(0);

/** The answer of `GET /v1/tenants/{id}/usage`. */
const UsageAnswer = component(
  z.object({
    tenant_id: z.string(),
    tier: z.string(),
    usage: z.object({ rules: count, channels: count, silences: count, api_keys: count }),
    quotas: z
      .object({
        max_rules: count,
        max_channels: count,
        max_silences: count,
        max_api_keys: count,
        max_alerts_per_minute: count,
        retention_days: count,
        requests_per_minute: count,
        key_requests_per_minute: count,
      })
      .describe("The limits in effect: the tier's, with the tenant's overrides"),
  }),
  'TenantUsage',
);

/** Registers the usage route. */
export function usageRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.withTypeProvider<ZodTypeProvider>().get(
    '/v1/tenants/:id/usage',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['tenants'],
        summary: "The caller's tenant: its use of each quota, and the quotas",
        params: IdParams,
        response: { 200: UsageAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const tenant = id === who.tenantId ? await ctx.tenants.get(id) : undefined;
      if (tenant === undefined) throw new NotFoundError('Tenant', id);
      const usage = await usageOf(ctx.db, id, ctx.now());
      const q = quotasOf(tenant);
      return send(
        reply,
        200,
        {
          tenant_id: id,
          tier: tenant.tier,
          usage: {
            rules: usage.rules,
            channels: usage.channels,
            silences: usage.silences,
            api_keys: usage.apiKeys,
          },
          quotas: {
            max_rules: q.maxRules,
            max_channels: q.maxChannels,
            max_silences: q.maxSilences,
            max_api_keys: q.maxApiKeys,
            max_alerts_per_minute: q.maxAlertsPerMinute,
            retention_days: q.retentionDays,
            requests_per_minute: q.requestsPerMinute,
            key_requests_per_minute: q.keyRequestsPerMinute,
          },
        },
        ctx.serializer,
      );
    },
  );
}
