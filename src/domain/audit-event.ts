import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { TenantMixin } from '../base/mixins/index.js';
import { Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';

/** A SHA-256 digest, lowercase hex. */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: 'expected a SHA-256 hex digest' });

/** What an audit event records. */
export const AuditAction = z.enum([
  'create',
  'update',
  'delete',
  'restore',
  'purge',
  'transition',
  'ingest',
  'login',
  'key.create',
  'key.revoke',
  /** A platform administrator issued an owner key to a tenant (break-glass). */
  'key.break_glass',
  /** Stored secrets were re-encrypted under the newest key of the ring (`alertbase keys rotate`). */
  'secrets.reencrypt',
  /** A session ended: its user logged out, or it was revoked. */
  'logout',
  /** A password was changed by its user (current password given) or reset by an administrator; or a change was refused. */
  'password.change',
  /** Reads of alerts, rules, channels, keys, users or the trail (batched: one event per caller, route and second). */
  'read',
  /** An unacknowledged alert was escalated to the next receiver of the escalation policy. */
  'escalate',
  /** A notification was put back in line for delivery. */
  'notification.retry',
  /** A test message was sent through a channel (`POST /v1/channels/{id}/test`); `failure` when not delivered. */
  'channel.test',
]);

/**
 * One entry of a tenant's audit trail. Entries form a hash chain:
 * `hash = HMAC-SHA-256(key of keyId, prevHash ‖ canonical JSON of the entry)`
 * (plain SHA-256 when `keyId` is null), so a changed, removed or reordered
 * entry is detected, and, sealed with a key outside the database, cannot be
 * covered by recomputing the hashes after it.
 */
export const AuditEvent = defineModel('AuditEvent', {
  description: 'One entry of the tenant audit trail (hash-chained).',
  mixins: [TenantMixin],
  fields: {
    id: Id.default(() => newId()),
    /** Position in the tenant's chain, from 0. */
    seq: z.int().min(0),
    at: Timestamp.default(() => new Date()),
    actor: z.string().min(1).max(LIMITS.nameMaxLength),
    action: AuditAction,
    entityType: z.string().min(1).max(64),
    entityId: z.string().min(1).max(LIMITS.nameMaxLength),
    /** Digest of the entity before the change (null on create). */
    before: Sha256Hex.nullable().default(null),
    /** Digest of the entity after the change (null on delete/purge). */
    after: Sha256Hex.nullable().default(null),
    result: z.enum(['success', 'failure']).default('success'),
    /** Small, non-secret facts about the change (the transition, the fields changed). */
    details: z
      .record(
        z.string().max(64),
        z.union([z.string().max(1_024), z.number(), z.boolean(), z.null()]),
      )
      .default({}),
    prevHash: Sha256Hex,
    /**
     * The key ring key whose derived key sealed `hash` (HMAC-SHA-256); null
     * for an entry hashed with plain SHA-256 (written without a key ring).
     */
    keyId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'expected a key id' })
      .nullable()
      .default(null),
    hash: Sha256Hex,
  },
  examples: [
    {
      tenantId: 'acme',
      seq: 0,
      at: '2026-11-28T06:00:00Z',
      actor: 'key:ab_3f9c',
      action: 'create',
      entityType: 'AlertRule',
      entityId: '0193b6a2-7c4e-7a11-8f00-1a2b3c4d5e6f',
      after: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
      prevHash: '0000000000000000000000000000000000000000000000000000000000000000',
      hash: 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
    },
  ],
});

/** A validated audit event. */
export type AuditEvent = InstanceOf<typeof AuditEvent>;
