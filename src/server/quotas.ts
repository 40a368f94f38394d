/**
 * Quotas of tenants (the tier's `TierQuotas`, or the tenant's
 * `settings.quotas`): rules, channels, silences and API keys are counted
 * before each creation, which is refused with 403
 * `ALERTBASE_TENANT_QUOTA_EXCEEDED` (`QuotaExceededError`: the quota, its
 * limit and the current use) once the limit is reached. The count and the
 * insert run in one transaction holding a per-tenant, per-quota advisory
 * lock (`withinQuota`), so concurrent creations never pass a limit, on one
 * instance or several.
 */
import type { TierQuotas } from '../base/enums/index.js';
import { QuotaExceededError } from '../base/exceptions/index.js';
import { quotasOf } from '../domain/tenant.js';
import type { IngestQuota } from '../security/index.js';
import type { CreateOptions, Database, TransactionClient } from '../storage/index.js';
import type { TenantCache } from './tenant-cache.js';

/** What a tenant uses of its counted quotas. */
export interface TenantUsage {
  readonly rules: number;
  readonly channels: number;
  /** Silences not expired (active or pending). */
  readonly silences: number;
  /** API keys not revoked. */
  readonly apiKeys: number;
}

/** The quotas creations are counted against. */
export type CountedQuota = keyof TenantUsage;

/** Each counted quota's limit in `TierQuotas`. */
export const QUOTA_LIMITS: Readonly<Record<CountedQuota, keyof TierQuotas>> = Object.freeze({
  rules: 'maxRules',
  channels: 'maxChannels',
  silences: 'maxSilences',
  apiKeys: 'maxApiKeys',
});

const USAGE_SQL = `SELECT
  (SELECT count(*)::int FROM alert_rules WHERE tenant_id = $1 AND deleted_at IS NULL) AS rules,
  (SELECT count(*)::int FROM notification_channels WHERE tenant_id = $1 AND deleted_at IS NULL) AS channels,
  (SELECT count(*)::int FROM silences WHERE tenant_id = $1 AND deleted_at IS NULL AND ends_at > $2) AS silences,
  (SELECT count(*)::int FROM api_keys WHERE tenant_id = $1 AND deleted_at IS NULL AND status = 'active') AS api_keys`;

/** What a tenant uses now, in one statement. */
export async function usageOf(db: Database, tenantId: string, now: Date): Promise<TenantUsage> {
  return db.withTenant(tenantId, (tx) => usageIn(tx, tenantId, now));
}

/** {@link usageOf}, in the caller's transaction. */
async function usageIn(tx: TransactionClient, tenantId: string, now: Date): Promise<TenantUsage> {
  const { rows } = await tx.query<{
    rules: number;
    channels: number;
    silences: number;
    api_keys: number;
  }>(USAGE_SQL, [tenantId, now]);
  const row = rows[0];
  return {
    rules: row?.rules ?? 0,
    channels: row?.channels ?? 0,
    silences: row?.silences ?? 0,
    apiKeys: row?.api_keys ?? 0,
  };
}

/** What the quota checks read. */
export interface QuotaContext {
  readonly db: Database;
  readonly tenants: TenantCache;
  readonly now: () => Date;
}

/** The advisory lock that serializes the creations counted against one quota of one tenant. */
export function quotaLockOf(tenantId: string, quota: CountedQuota): string {
  return `alertbase:quota:${quota}:${tenantId}`;
}

/** A tenant as the quota check needs it: read before the transaction (see {@link checkQuotaIn}). */
export type QuotaTenant = Awaited<ReturnType<TenantCache['get']>>;

/**
 * In a transaction holding the quota's lock (see {@link quotaLockOf}):
 * refuses adding `adding` more `quota` entities when that would take the
 * tenant past its limit. `tenant` is read by the caller before the
 * transaction begins: the tenant cache may go to the database on a miss,
 * and on PGlite's one connection a read begun inside a transaction waits
 * for that transaction forever.
 * @throws QuotaExceededError
 */
export async function checkQuotaIn(
  ctx: QuotaContext,
  tx: TransactionClient,
  tenant: QuotaTenant,
  quota: CountedQuota,
  adding = 1,
): Promise<void> {
  if (adding <= 0) return;
  if (tenant === undefined) return;
  const tenantId = tenant.id;
  const limit = quotasOf(tenant)[QUOTA_LIMITS[quota]];
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [quotaLockOf(tenantId, quota)]);
  const current = (await usageIn(tx, tenantId, ctx.now()))[quota];
  if (current + adding > limit) {
    throw new QuotaExceededError({ tenantId, tier: tenant.tier, quota, limit, current });
  }
}

/**
 * Creates one `quota` entity with `create`, in a transaction that counts the
 * tenant's use under the quota's lock first: exact under concurrency. Without
 * a quota, `create` runs in its own transaction as usual.
 * @throws QuotaExceededError
 */
export async function withinQuota<T>(
  ctx: QuotaContext,
  tenantId: string,
  quota: CountedQuota | undefined,
  create: (options: CreateOptions) => Promise<T>,
): Promise<T> {
  if (quota === undefined) return create({});
  const tenant = await ctx.tenants.get(tenantId);
  return ctx.db.withTenant(tenantId, async (tx) => {
    await checkQuotaIn(ctx, tx, tenant, quota);
    return create({ transaction: tx });
  });
}

/**
 * Refuses a batch of `count` alerts that would take the tenant past its
 * `maxAlertsPerMinute` (with `Retry-After` on `reply`).
 * @throws QuotaExceededError
 */
export async function enforceIngestQuota(
  ctx: QuotaContext & { readonly ingestQuota: IngestQuota },
  reply: { header(name: string, value: string): unknown },
  tenantId: string,
  count: number,
): Promise<void> {
  const tenant = await ctx.tenants.get(tenantId);
  if (tenant === undefined) return;
  const limit = quotasOf(tenant).maxAlertsPerMinute;
  const verdict = await ctx.ingestQuota.admit(tenantId, count, limit);
  if (verdict.admitted) return;
  reply.header('retry-after', String(verdict.retryAfterSeconds));
  throw new QuotaExceededError({
    tenantId,
    tier: tenant.tier,
    quota: 'alertsPerMinute',
    limit,
    current: verdict.current,
  });
}
