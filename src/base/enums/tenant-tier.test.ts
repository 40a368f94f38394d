import { describe, expect, it } from 'vitest';
import type { UnknownValueError } from '../exceptions/index.js';
import { TenantTier, TIER_QUOTAS, type TierQuotas } from './tenant-tier.js';

describe('TenantTier', () => {
  it('lists the tiers, lowest first', () => {
    expect(TenantTier.values).toEqual(['free', 'standard', 'enterprise']);
    expect(TenantTier.values.map((t) => TenantTier.rank(t))).toEqual([1, 2, 3]);
    expect(TenantTier.atLeast('enterprise', 'standard')).toBe(true);
    expect(TenantTier.atLeast('free', 'standard')).toBe(false);
    expect(TenantTier.max('free', 'enterprise', 'standard')).toBe('enterprise');
  });

  it.each([
    [
      'free',
      {
        maxRules: 50,
        maxAlertsPerMinute: 600,
        maxChannels: 3,
        retentionDays: 7,
        maxSilences: 100,
        maxApiKeys: 10,
        requestsPerMinute: 3_000,
        keyRequestsPerMinute: 1_500,
      },
    ],
    [
      'standard',
      {
        maxRules: 500,
        maxAlertsPerMinute: 6_000,
        maxChannels: 25,
        retentionDays: 90,
        maxSilences: 1_000,
        maxApiKeys: 100,
        requestsPerMinute: 30_000,
        keyRequestsPerMinute: 15_000,
      },
    ],
    [
      'enterprise',
      {
        maxRules: 5_000,
        maxAlertsPerMinute: 60_000,
        maxChannels: 250,
        retentionDays: 400,
        maxSilences: 10_000,
        maxApiKeys: 1_000,
        requestsPerMinute: 300_000,
        keyRequestsPerMinute: 150_000,
      },
    ],
  ] as const)('%s quotas', (tier, quotas) => {
    expect(TenantTier.quotas(tier)).toEqual(quotas);
    expect(TIER_QUOTAS[tier]).toBe(TenantTier.quotas(tier));
    expect(Object.isFrozen(TenantTier.quotas(tier))).toBe(true);
  });

  it('every quota grows with the tier', () => {
    const keys: (keyof TierQuotas)[] = [
      'maxRules',
      'maxAlertsPerMinute',
      'maxChannels',
      'retentionDays',
      'maxSilences',
      'maxApiKeys',
      'requestsPerMinute',
      'keyRequestsPerMinute',
    ];
    const [free, standard, enterprise] = TenantTier.values.map((t) => TenantTier.quotas(t));
    for (const k of keys) {
      expect(standard?.[k]).toBeGreaterThan(free?.[k] ?? Number.POSITIVE_INFINITY);
      expect(enterprise?.[k]).toBeGreaterThan(standard?.[k] ?? Number.POSITIVE_INFINITY);
    }
  });

  it('rejects unknown tiers', () => {
    let err: UnknownValueError | undefined;
    try {
      TenantTier.quotas('premium' as TenantTier);
    } catch (e) {
      err = e as UnknownValueError;
    }
    expect(err?.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(err?.context.allowed).toEqual(['free', 'standard', 'enterprise']);
    expect(TenantTier.schema.safeParse('premium').success).toBe(false);
  });
});
