import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { Role } from '../base/enums/index.js';
import { AuditMixin, TenantMixin, TimestampMixin } from '../base/mixins/index.js';
import { Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { secret } from '../base/types/secret.js';
import { newId } from '../base/utils/ids.js';

/**
 * An API key of a tenant. The key itself is shown once at creation; only its
 * SHA-256 hash is kept, and even that never prints.
 */
export const ApiKey = defineModel('ApiKey', {
  description: 'An API key: a role within one tenant, stored as a hash.',
  mixins: [TimestampMixin, TenantMixin, AuditMixin],
  fields: {
    id: Id.default(() => newId()),
    name: z.string().min(1).max(LIMITS.nameMaxLength),
    role: Role.schema,
    /** The first characters of the key, to recognise it in lists (`ab_3f9c`). */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_]{4,16}$/, { message: 'expected 4 to 16 letters, digits or _' }),
    /** SHA-256 of the key, lowercase hex. */
    keyHash: secret(
      z.string().regex(/^[0-9a-f]{64}$/, { message: 'expected a SHA-256 hex digest' }),
    ),
    /**
     * A scoped key: the permissions it is limited to (within its role's; see
     * the permission matrix). `null`: every permission of its role.
     */
    permissions: z
      .array(
        z.string().regex(/^[a-z]+(?::[a-z]+)?$/, {
          message: 'expected a permission such as alerts:ingest',
        }),
      )
      .min(1)
      .max(32)
      .nullable()
      .default(null),
    expiresAt: Timestamp.nullable().default(null),
    revokedAt: Timestamp.nullable().default(null),
    lastUsedAt: Timestamp.nullable().default(null),
  },
  immutable: ['id', 'keyHash', 'prefix', 'permissions'],
  computed: {
    /** Neither revoked nor expired. */
    isUsable: (k) =>
      k.revokedAt === null && (k.expiresAt === null || k.expiresAt.getTime() > Date.now()),
  },
  examples: [
    {
      tenantId: 'acme',
      name: 'prometheus-prod',
      role: 'responder',
      prefix: 'ab_3f9c',
      keyHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      expiresAt: '2027-11-28T00:00:00Z',
    },
  ],
});

/** A validated API key record. */
export type ApiKey = InstanceOf<typeof ApiKey>;
