/**
 * Request rates of tenant keys: each request of a tenant's key counts
 * against its tenant and its key (the tier's `requestsPerMinute` and
 * `keyRequestsPerMinute`, or the tenant's `settings.quotas`). Every answer
 * carries the IETF `RateLimit-Policy` and `RateLimit` headers; past a limit
 * the answer is 429 `ALERTBASE_RATE_LIMITED` with `Retry-After`.
 */
import type { FastifyInstance } from 'fastify';
import { RateLimitedError } from '../base/exceptions/index.js';
import { quotasOf } from '../domain/tenant.js';
import { type RequestLimiter, rateLimitHeaders } from '../security/index.js';
import type { TenantCache } from './tenant-cache.js';

/** Options of {@link useRateLimits}. */
export interface RateLimitOptions {
  readonly limiter: RequestLimiter;
  readonly tenants: TenantCache;
}

/**
 * Adds the rate-limit hook to `scope`; register it after the auth hook (it
 * reads the principal). Platform administrators and public routes are not
 * counted.
 */
export function useRateLimits(scope: FastifyInstance, options: RateLimitOptions): void {
  const { limiter, tenants } = options;
  scope.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (principal?.kind !== 'tenant') return;
    const tenant = await tenants.get(principal.tenantId);
    if (tenant === undefined) return;
    const quotas = quotasOf(tenant);
    const verdict = await limiter.consume({
      tenantId: principal.tenantId,
      keyId: principal.keyId,
      tenantLimit: quotas.requestsPerMinute,
      keyLimit: quotas.keyRequestsPerMinute,
    });
    const headers = rateLimitHeaders(verdict);
    reply.header('ratelimit-policy', headers.policy);
    reply.header('ratelimit', headers.state);
    const limitedBy = verdict.limitedBy;
    if (limitedBy === undefined) return;
    const retryAfterSeconds = Math.max(1, limitedBy.resetSeconds);
    reply.header('retry-after', String(retryAfterSeconds));
    throw new RateLimitedError({
      limit: limitedBy.limit,
      window: `${limitedBy.windowSeconds}s (${limitedBy.name})`,
      retryAfterSeconds,
    });
  });
}
