import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { Priority, TenantTier } from '../base/enums/index.js';
import { AuditMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { TenantId } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';

const isTimeZone = (zone: string): boolean => {
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

/** Per-tenant settings. */
export const TenantSettings = z.strictObject({
  /** Where the tenant's people are: used to show times and to schedule. */
  timezone: TimeZone.default('UTC'),
  /** Overrides of the default AlertLevel → Priority mapping (`{ high: 'P1' }`). */
  levelPriorities: Priority.overridesSchema.default({}),
  /** Allow webhooks and generator URLs on private networks (off: SSRF protection). */
  allowPrivateNetworks: z.boolean().default(false),
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
