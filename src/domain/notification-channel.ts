import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { PAGERDUTY_SEVERITIES } from '../base/enums/alert-level.js';
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

/**
 * `host:port` of an SMTP server (Alertmanager's `smarthost`): a DNS name or an
 * IP address (IPv6 in brackets), and a port.
 */
export const Smarthost = z
  .string()
  .max(LIMITS.urlMaxLength)
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?:[1-9][0-9]{0,4})$/, {
    message: 'expected host:port, such as smtp.example.com:587',
    abort: true,
  })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65_535, {
    message: 'expected a port from 1 to 65535',
  });

/** A channel's own SMTP server; without it the deployment's default server is used. */
export const EmailSmtpConfig = z.strictObject({
  smarthost: Smarthost,
  authUsername: z.string().min(1).max(LIMITS.nameMaxLength).nullable().default(null),
  authPassword: secret(z.string().min(1).max(1_024)).nullable().default(null),
  /** Refuse to send unless the server offers STARTTLS (or the port speaks TLS, 465). */
  requireTls: z.boolean().default(true),
});

/**
 * Email: recipients, an optional subject prefix, the sender and an optional
 * SMTP server of its own. Resolved alerts are not mailed unless `sendResolved`
 * (Alertmanager's default for email).
 */
export const EmailChannelConfig = z.strictObject({
  type: z.literal('email'),
  to: z.array(Email).min(1).max(50),
  cc: z.array(Email).max(50).default([]),
  subjectPrefix: z.string().max(64).nullable().default(null),
  sendResolved: z.boolean().default(false),
  /** The sender; default: the deployment's SMTP `from`. */
  from: Email.nullable().default(null),
  smtp: EmailSmtpConfig.nullable().default(null),
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
  sendResolved: z.boolean().default(false),
});

/** The prefix of a Standard Webhooks signing secret. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64
 * random bytes (the key of the HMAC-SHA256 signature).
 */
export const WebhookSigningSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
    message: 'expected whsec_ followed by base64, such as one newWebhookSigningSecret() makes',
    abort: true,
  })
  .refine(
    (v) => {
      const bytes = Buffer.from(v.slice(WEBHOOK_SECRET_PREFIX.length), 'base64').length;
      return bytes >= 24 && bytes <= 64;
    },
    { message: 'expected a key of 24 to 64 bytes after whsec_' },
  );

/**
 * A new signing secret for a webhook channel: `whsec_` and 32 random bytes in base64.
 *
 * @example
 * ```ts
 * const config = { type: 'webhook', url, signingSecret: newWebhookSigningSecret() };
 * ```
 */
export function newWebhookSigningSecret(): string {
  const key = new Uint8Array(32);
  globalThis.crypto.getRandomValues(key);
  return `${WEBHOOK_SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;
}

/**
 * A generic HTTP webhook receiving Alertmanager's payload version 4, with an
 * optional bearer token and an optional Standard Webhooks signing secret.
 */
export const WebhookChannelConfig = z.strictObject({
  type: z.literal('webhook'),
  url: HttpUrl,
  bearerToken: secret(z.string().min(1).max(4_096)).nullable().default(null),
  sendResolved: z.boolean().default(true),
  signingSecret: secret(WebhookSigningSecret).nullable().default(null),
});

/** The Events API v2 endpoint of PagerDuty. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * PagerDuty Events API v2: a 32-character integration (routing) key, the
 * endpoint, and an optional fixed severity (default: from each alert's
 * `severity` label).
 */
export const PagerDutyChannelConfig = z.strictObject({
  type: z.literal('pagerduty'),
  routingKey: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{32}$/, { message: 'expected a 32-character PagerDuty routing key' }),
  ),
  sendResolved: z.boolean().default(true),
  url: HttpUrl.default(PAGERDUTY_EVENTS_URL),
  severity: z.enum(PAGERDUTY_SEVERITIES).nullable().default(null),
});

/** The Opsgenie API of each region. */
export const OPSGENIE_API_URLS = Object.freeze({
  us: 'https://api.opsgenie.com',
  eu: 'https://api.eu.opsgenie.com',
});

/**
 * Opsgenie: an API key and its region (or an API URL of its own), and the
 * responders (team names, or users' e-mail addresses).
 */
export const OpsgenieChannelConfig = z.strictObject({
  type: z.literal('opsgenie'),
  apiKey: secret(z.string().min(1).max(128)),
  region: z.enum(['us', 'eu']).default('us'),
  responders: z.array(z.string().min(1).max(LIMITS.nameMaxLength)).max(50).default([]),
  sendResolved: z.boolean().default(true),
  /** Overrides the region's API URL (an Opsgenie-compatible endpoint). */
  apiUrl: HttpUrl.nullable().default(null),
});

/** Microsoft Teams: an incoming-webhook (or Workflows) URL, a secret since it grants posting. */
export const TeamsChannelConfig = z.strictObject({
  type: z.literal('teams'),
  webhookUrl: secret(HttpUrl),
  sendResolved: z.boolean().default(true),
});

/** A channel's configuration, which depends on its `type`. */
export const ChannelConfig = z.discriminatedUnion('type', [
  EmailChannelConfig,
  SlackChannelConfig,
  WebhookChannelConfig,
  PagerDutyChannelConfig,
  OpsgenieChannelConfig,
  TeamsChannelConfig,
]);
/** A validated channel configuration. */
export type ChannelConfig = z.output<typeof ChannelConfig>;
/** The validated configuration of one channel type, e.g. `ChannelConfigOf<'webhook'>`. */
export type ChannelConfigOf<T extends ChannelConfig['type']> = Extract<ChannelConfig, { type: T }>;

/** Where alerts are sent: email, Slack, a webhook, PagerDuty, Opsgenie or Microsoft Teams. */
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
