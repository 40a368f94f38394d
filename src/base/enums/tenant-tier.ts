import { defineOrderedEnum, type OrderedEnum } from './define-enum.js';

const TIERS = defineOrderedEnum('TenantTier', ['free', 'standard', 'enterprise'], {
  order: 'ascending',
  description: 'Subscription tier of a tenant; sets its quotas.',
});

/** Subscription tier of a tenant: `free` < `standard` < `enterprise`. */
export type TenantTier = (typeof TIERS.values)[number];

/** The quotas of a tier. */
export interface TierQuotas {
  /** Alert rules the tenant may define. */
  readonly maxRules: number;
  /** Alerts the tenant may ingest per minute (sustained). */
  readonly maxAlertsPerMinute: number;
  /** Notification channels the tenant may configure. */
  readonly maxChannels: number;
  /** Days alert history is kept. */
  readonly retentionDays: number;
  /** Silences (active or pending) the tenant may hold. */
  readonly maxSilences: number;
  /** API keys (not revoked) the tenant may hold. */
  readonly maxApiKeys: number;
  /** API requests per minute, all the tenant's keys together. */
  readonly requestsPerMinute: number;
  /** API requests per minute of one key. */
  readonly keyRequestsPerMinute: number;
}

/**
 * The quotas of each tier (a tenant's settings may override each one). Each
 * tier has ten times the rates, rules, silences and keys of the one below; enterprise keeps a little over a year so year-on-year comparisons work.
 */
export const TIER_QUOTAS: Readonly<Record<TenantTier, TierQuotas>> = Object.freeze({
  free: Object.freeze({
    maxRules: 50,
    maxAlertsPerMinute: 600,
    maxChannels: 3,
    retentionDays: 7,
    maxSilences: 100,
    maxApiKeys: 10,
    requestsPerMinute: 3_000,
    keyRequestsPerMinute: 1_500,
  }),
  standard: Object.freeze({
    maxRules: 500,
    maxAlertsPerMinute: 6_000,
    maxChannels: 25,
    retentionDays: 90,
    maxSilences: 1_000,
    maxApiKeys: 100,
    requestsPerMinute: 30_000,
    keyRequestsPerMinute: 15_000,
  }),
  enterprise: Object.freeze({
    maxRules: 5_000,
    maxAlertsPerMinute: 60_000,
    maxChannels: 250,
    retentionDays: 400,
    maxSilences: 10_000,
    maxApiKeys: 1_000,
    requestsPerMinute: 300_000,
    keyRequestsPerMinute: 150_000,
  }),
});

/** The `TenantTier` enumeration, with its quotas. */
export interface TenantTierEnum extends OrderedEnum<TenantTier> {
  /**
   * The quotas of a tier.
   * @throws UnknownValueError for an unknown tier.
   */
  quotas(tier: TenantTier): TierQuotas;
}

/**
 * Subscription tier of a tenant: an ordered smart enumeration (`free` ranks
 * lowest) with the quotas of each tier.
 *
 * @example
 * ```ts
 * TenantTier.quotas('free').maxRules;         // 50
 * TenantTier.atLeast(tenant.tier, 'standard'); // may use the feature?
 * ```
 */
export const TenantTier: TenantTierEnum = Object.freeze({
  ...TIERS,
  quotas: (tier: TenantTier) => TIER_QUOTAS[TIERS.parse(tier)],
});
