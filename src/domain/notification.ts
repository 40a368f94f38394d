import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { TenantMixin } from '../base/mixins/index.js';
import { Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';

/** Where a notification is: queued, being sent, delivered, or given up (dead letter). */
export const NotificationState = z.enum(['pending', 'sending', 'delivered', 'dead']);
/** A notification's state. */
export type NotificationState = z.infer<typeof NotificationState>;

/** One delivery attempt of a notification. */
export const DeliveryAttempt = z.object({
  at: Timestamp,
  outcome: z.enum(['delivered', 'retry', 'failed']),
  /** The receiver's HTTP status (or SMTP reply code), when it answered. */
  status: z.int().nullable(),
  error: z.string().max(1_024).nullable(),
  durationMs: z.number().min(0),
});

/**
 * A notification in the outbox: one message to one channel, queued in the
 * transaction of the change that caused it and delivered at least once.
 * Its `id` is the idempotency key every attempt carries.
 */
export const Notification = defineModel('Notification', {
  description: 'One message to one channel in the outbox, with its delivery attempts.',
  mixins: [TenantMixin],
  fields: {
    id: Id,
    channelId: Id,
    /** The group it notifies (absent for an escalation). */
    groupId: z.string().max(64).nullable(),
    receiver: z
      .string()
      .min(1)
      .max(LIMITS.nameMaxLength * 2),
    action: z.enum(['notify', 'acknowledge']),
    state: NotificationState,
    alertIds: z.array(Id),
    attempts: z.int().min(0),
    /** The last attempts (at most 20), oldest first. */
    attemptLog: z.array(DeliveryAttempt),
    lastError: z.string().max(1_024).nullable(),
    nextAttemptAt: Timestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    deliveredAt: Timestamp.nullable(),
    /** What is sent: Alertmanager's notification data (webhook payload version 4's content). */
    message: z.record(z.string(), z.unknown()),
  },
});

/** A notification of the outbox. */
export type Notification = InstanceOf<typeof Notification>;
