/**
 * The two payloads Alertmanager's ecosystem sends: the API v2 postable
 * alerts (what Prometheus posts to `/api/v2/alerts`) and the webhook
 * notification, payload version 4 (what Alertmanager posts to a webhook
 * receiver). Field names are Alertmanager's own (camelCase, `generatorURL`).
 *
 * The models are lenient where Alertmanager is: unknown fields are ignored,
 * timestamps are checked later by the alertbase `Alert` model (which takes
 * Go's nanosecond precision), label names and values too.
 */
import { z } from 'zod';
import { defineModel, type InstanceOf } from '../../base/types/model.js';

/** A label set or annotation map as Alertmanager sends it: name → string value. */
const StringMap = z.record(z.string(), z.string());

/** A Go `time.Time` in RFC 3339 (any precision), or Go's zero time. */
const GoTimeText = z.string().max(64);

/**
 * One alert of `POST /api/v2/alerts` (Alertmanager's `postableAlert`).
 *
 * @example
 * ```ts
 * PostableAlert.parse({ labels: { alertname: 'Up' }, endsAt: '2026-11-28T06:05:00Z' });
 * ```
 */
export const PostableAlert = defineModel('AlertmanagerPostableAlert', {
  description: "An alert as Prometheus posts it to Alertmanager's API v2 (`postableAlert`).",
  register: false,
  extra: 'ignore',
  populateByAlias: false,
  fields: {
    labels: StringMap,
    annotations: StringMap.default({}),
    startsAt: GoTimeText.optional(),
    endsAt: GoTimeText.optional(),
    generatorURL: z.string().max(4_096).optional(),
  },
  examples: [
    {
      labels: { alertname: 'HighCPUUsage', instance: 'web-1:9100', severity: 'warning' },
      annotations: { summary: 'CPU usage is 93% on web-1:9100' },
      startsAt: '2026-11-28T06:00:00.123456789Z',
      endsAt: '2026-11-28T06:04:00.123456789Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu_usage+%3E+80',
    },
  ],
});
/** One validated postable alert. */
export type PostableAlert = InstanceOf<typeof PostableAlert>;

/** One alert of a webhook notification (Alertmanager's `template.Alert`). */
export const WebhookAlert = defineModel('AlertmanagerWebhookAlert', {
  description: 'One alert of an Alertmanager webhook notification (payload version 4).',
  register: false,
  extra: 'ignore',
  populateByAlias: false,
  fields: {
    status: z.enum(['firing', 'resolved']),
    labels: StringMap,
    annotations: StringMap.default({}),
    startsAt: GoTimeText.optional(),
    endsAt: GoTimeText.optional(),
    generatorURL: z.string().max(4_096).optional(),
    /** Alertmanager's fingerprint of the labels: checked against alertbase's. */
    fingerprint: z.string().max(16).optional(),
  },
  examples: [
    {
      status: 'firing',
      labels: { alertname: 'HighCPUUsage', instance: 'web-1:9100', severity: 'warning' },
      annotations: { summary: 'CPU usage is 93% on web-1:9100' },
      startsAt: '2026-11-28T06:00:00.123456789Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '4f3b1a0d2c7e9b85',
    },
  ],
});
/** One validated webhook alert. */
export type WebhookAlert = InstanceOf<typeof WebhookAlert>;

/**
 * A webhook notification, payload version 4. `alerts` are checked one by one
 * (see `webhookToAlerts`), so one bad alert does not refuse the others.
 */
export const WebhookPayload = defineModel('AlertmanagerWebhookPayload', {
  description: "Alertmanager's webhook notification, payload version 4.",
  register: false,
  extra: 'ignore',
  populateByAlias: false,
  fields: {
    version: z.literal('4'),
    groupKey: z.string().max(16_384).default(''),
    truncatedAlerts: z.int().min(0).default(0),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(1_024).default(''),
    groupLabels: StringMap.default({}),
    commonLabels: StringMap.default({}),
    commonAnnotations: StringMap.default({}),
    externalURL: z.string().max(4_096).default(''),
    alerts: z.array(z.unknown()),
  },
  examples: [
    {
      version: '4',
      groupKey: '{}:{alertname="HighCPUUsage"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'alertbase',
      groupLabels: { alertname: 'HighCPUUsage' },
      commonLabels: { alertname: 'HighCPUUsage', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: [],
    },
  ],
});
/** A validated webhook notification (its alerts not yet checked). */
export type WebhookPayload = InstanceOf<typeof WebhookPayload>;
