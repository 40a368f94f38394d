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
}

/**
 * The quotas of each tier. Each tier has ten times the rate and rules of the one
 * below; enterprise keeps a little over a year so year-on-year comparisons work.
 */
export const TIER_QUOTAS: Readonly<Record<TenantTier, TierQuotas>> = Object.freeze({
  free: Object.freeze({ maxRules: 50, maxAlertsPerMinute: 600, maxChannels: 3, retentionDays: 7 }),
  standard: Object.freeze({
    maxRules: 500,
    maxAlertsPerMinute: 6_000,
    maxChannels: 25,
    retentionDays: 90,
  }),
  enterprise: Object.freeze({
    maxRules: 5_000,
    maxAlertsPerMinute: 60_000,
    maxChannels: 250,
    retentionDays: 400,
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
