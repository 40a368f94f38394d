import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { Priority, TenantTier, type TierQuotas } from '../base/enums/index.js';
import { AuditMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { TenantId } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';

const isTimeZone = (zone: string): boolean => {
  // The default of every tenant: valid everywhere, and checking it through
  // Intl would load the time zone data on each start (about 35 ms of CPU).
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone name (`Europe/Paris`, `UTC`). */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Paris or UTC' });

/** A quota of a tenant's settings: a whole number from 0 (nothing allowed). */
const quotaOverride = z.int().min(0).max(1_000_000_000).optional();

/**
 * Overrides of the tier's quotas for one tenant (`TierQuotas`); an absent
 * quota is the tier's.
 */
export const TenantQuotaOverrides = z.strictObject({
  maxRules: quotaOverride,
  maxAlertsPerMinute: quotaOverride,
  maxChannels: quotaOverride,
  retentionDays: quotaOverride,
  maxSilences: quotaOverride,
  maxApiKeys: quotaOverride,
  requestsPerMinute: quotaOverride,
  keyRequestsPerMinute: quotaOverride,
});

/** Per-tenant settings. */
export const TenantSettings = z.strictObject({
  /** Where the tenant's people are: used to show times and to schedule. */
  timezone: TimeZone.default('UTC'),
  /** Overrides of the default AlertLevel → Priority mapping (`{ high: 'P1' }`). */
  levelPriorities: Priority.overridesSchema.default({}),
  /** Allow webhooks and generator URLs on private networks (off: SSRF protection). */
  allowPrivateNetworks: z.boolean().default(false),
  /** Quotas and request rates other than the tier's (`{ requestsPerMinute: 100 }`). */
  quotas: TenantQuotaOverrides.optional(),
});

/** A tenant: the unit of isolation, quotas and settings. */
export const Tenant = defineModel('Tenant', {
  description: 'A tenant: the unit of isolation, quotas and settings.',
  mixins: [TimestampMixin, AuditMixin, VersionedMixin],
  fields: {
    id: TenantId,
    name: z.string().trim().min(1).max(LIMITS.nameMaxLength),
    tier: TenantTier.schema.default('free'),
    status: z.enum(['active', 'suspended']).default('active'),
    settings: TenantSettings.default({
      timezone: 'UTC',
      levelPriorities: {},
      allowPrivateNetworks: false,
    }),
  },
  immutable: ['id'],
  examples: [
    {
      id: 'acme',
      name: 'Acme Corp',
      tier: 'standard',
      settings: {
        timezone: 'Europe/Paris',
        levelPriorities: { high: 'P1' },
        allowPrivateNetworks: false,
      },
    },
  ],
});

/** A validated tenant. */
export type Tenant = InstanceOf<typeof Tenant>;

/**
 * The quotas that apply to a tenant: its tier's, with its settings' overrides.
 *
 * @example
 * ```ts
 * quotasOf({ tier: 'free', settings: { quotas: { requestsPerMinute: 100 } } }).requestsPerMinute; // 100
 * ```
 */
export function quotasOf(tenant: {
  readonly tier: TenantTier;
  readonly settings?: { readonly quotas?: z.output<typeof TenantQuotaOverrides> | undefined };
}): TierQuotas {
  const base = TenantTier.quotas(tenant.tier);
  const o = tenant.settings?.quotas;
  if (o === undefined) return base;
  return {
    maxRules: o.maxRules ?? base.maxRules,
    maxAlertsPerMinute: o.maxAlertsPerMinute ?? base.maxAlertsPerMinute,
    maxChannels: o.maxChannels ?? base.maxChannels,
    retentionDays: o.retentionDays ?? base.retentionDays,
    maxSilences: o.maxSilences ?? base.maxSilences,
    maxApiKeys: o.maxApiKeys ?? base.maxApiKeys,
    requestsPerMinute: o.requestsPerMinute ?? base.requestsPerMinute,
    keyRequestsPerMinute: o.keyRequestsPerMinute ?? base.keyRequestsPerMinute,
  };
}
