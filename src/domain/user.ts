import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { Role } from '../base/enums/index.js';
import { AuditMixin, TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { Email, Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { secret } from '../base/types/secret.js';
import { newId } from '../base/utils/ids.js';

/**
 * A person of a tenant, who logs in with an e-mail address and a password,
 * so that what they do (an acknowledgement) names them. Only a hash of the
 * password is kept (argon2id, or an imported bcrypt hash until the next
 * login replaces it), and even that never prints.
 */
export const User = defineModel('User', {
  description: 'A person of a tenant: e-mail, role, and a password hash.',
  mixins: [TimestampMixin, TenantMixin, AuditMixin, VersionedMixin],
  fields: {
    id: Id.default(() => newId()),
    /** Unique within the tenant, stored in lower case. */
    email: Email.transform((e) => e.toLowerCase()),
    name: z.string().min(1).max(LIMITS.nameMaxLength).nullable().default(null),
    role: Role.schema,
    /** An argon2 PHC string (`$argon2id$…`) or a bcrypt hash (`$2b$12$…`). */
    passwordHash: secret(
      z
        .string()
        .max(512)
        .regex(/^\$(argon2(id|i|d)|2[aby])\$/, { message: 'expected an argon2 or bcrypt hash' }),
    ),
    /** Set when the user may no longer log in (their sessions are revoked with it). */
    disabledAt: Timestamp.nullable().default(null),
    lastLoginAt: Timestamp.nullable().default(null),
  },
  immutable: ['id'],
  computed: {
    /** May log in. */
    isActive: (u) => u.disabledAt === null,
  },
  examples: [
    {
      tenantId: 'acme',
      email: 'ada@example.com',
      name: 'Ada',
      role: 'responder',
      passwordHash:
        '$argon2id$v=19$m=19456,t=2,p=1$P70yUD8iGNbzuGtsdv5MnQ$ylKr765GLEVGWedNEMC2dc4bJPVkJ+630j8AT55uJTc',
    },
  ],
});

/** A validated user. */
export type User = InstanceOf<typeof User>;
