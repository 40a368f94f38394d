import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import {
  AuditMixin,
  SoftDeleteMixin,
  TenantMixin,
  TimestampMixin,
  VersionedMixin,
} from '../base/mixins/index.js';
import { Email, HttpUrl, Id } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { secret } from '../base/types/secret.js';
import { newId } from '../base/utils/ids.js';

/** Email: recipients and an optional subject prefix. */
export const EmailChannelConfig = z.strictObject({
  type: z.literal('email'),
  to: z.array(Email).min(1).max(50),
  cc: z.array(Email).max(50).default([]),
  subjectPrefix: z.string().max(64).nullable().default(null),
});

/** Slack: an incoming-webhook URL (a secret: it grants posting) and an optional channel. */
export const SlackChannelConfig = z.strictObject({
  type: z.literal('slack'),
  webhookUrl: secret(HttpUrl),
  channel: z
    .string()
    .regex(/^[#@][a-z0-9._-]{1,80}$/, { message: 'expected a channel such as #alerts or @user' })
    .nullable()
    .default(null),
});

/** A generic HTTP webhook, with an optional bearer token. */
export const WebhookChannelConfig = z.strictObject({
  type: z.literal('webhook'),
  url: HttpUrl,
  bearerToken: secret(z.string().min(1).max(4_096)).nullable().default(null),
  sendResolved: z.boolean().default(true),
});

/** PagerDuty Events API v2: a 32-character integration (routing) key. */
export const PagerDutyChannelConfig = z.strictObject({
  type: z.literal('pagerduty'),
  routingKey: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{32}$/, { message: 'expected a 32-character PagerDuty routing key' }),
  ),
});

/** Opsgenie: an API key and its region. */
export const OpsgenieChannelConfig = z.strictObject({
  type: z.literal('opsgenie'),
  apiKey: secret(z.string().min(1).max(128)),
  region: z.enum(['us', 'eu']).default('us'),
  responders: z.array(z.string().min(1).max(LIMITS.nameMaxLength)).max(50).default([]),
});

/** A channel's configuration, which depends on its `type`. */
export const ChannelConfig = z.discriminatedUnion('type', [
  EmailChannelConfig,
  SlackChannelConfig,
  WebhookChannelConfig,
  PagerDutyChannelConfig,
  OpsgenieChannelConfig,
]);

/** Where alerts are sent: email, Slack, a webhook, PagerDuty or Opsgenie. */
export const NotificationChannel = defineModel('NotificationChannel', {
  description: 'Where alerts are sent; the configuration depends on the type.',
  mixins: [TimestampMixin, TenantMixin, SoftDeleteMixin, AuditMixin, VersionedMixin],
  fields: {
    id: Id.default(() => newId()),
    name: z.string().min(1).max(LIMITS.nameMaxLength),
    config: ChannelConfig,
    enabled: z.boolean().default(true),
  },
  immutable: ['id'],
  computed: {
    /** The channel's type, from its configuration. */
    type: (c) => c.config.type,
  },
  examples: [
    {
      tenantId: 'acme',
      name: 'infra-slack',
      config: {
        type: 'slack',
        webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
        channel: '#infra-alerts',
      },
    },
  ],
});

/** A validated notification channel. */
export type NotificationChannel = InstanceOf<typeof NotificationChannel>;
