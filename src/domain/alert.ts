import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { AlertLevel, AlertStatus, Priority } from '../base/enums/index.js';
import { TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { AnnotationMap, HttpUrl, Id, LabelSet, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { fingerprint } from '../base/utils/fingerprint.js';
import { newId } from '../base/utils/ids.js';

/** Statuses in which an alert still needs attention. */
const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['firing', 'acknowledged', 'suppressed']);

/**
 * An alert: one firing instance of a condition, identified within its tenant
 * by the fingerprint of its labels (Alertmanager's fingerprint).
 */
export const Alert = defineModel('Alert', {
  description: 'One firing instance of a condition, identified by the fingerprint of its labels.',
  mixins: [TimestampMixin, TenantMixin, VersionedMixin],
  fields: {
    id: Id.default(() => newId()),
    /** The rule that raised it, when alertbase knows it. */
    ruleId: Id.nullable().default(null),
    labels: LabelSet.refine((l) => Object.keys(l).length > 0, {
      message: 'an alert needs at least one label',
    }),
    annotations: AnnotationMap.default({}),
    level: AlertLevel.schema,
    priority: Priority.schema,
    status: AlertStatus.schema.default('firing'),
    /** The status before the alert was suppressed, restored by `unsuppress`. */
    previousStatus: AlertStatus.schema.nullable().default(null),
    /**
     * The active silences that match the alert, sorted (Alertmanager's
     * `status.silencedBy`). Non-empty exactly while a silence holds the
     * alert `suppressed`; kept by alertbase, ignored in input.
     */
    silencedBy: z.array(Id).max(LIMITS.maxActiveSilences).default([]),
    startsAt: Timestamp.default(() => new Date()),
    /** When the alert ended or will be considered ended; null while open-ended. */
    endsAt: Timestamp.nullable().default(null),
    generatorURL: HttpUrl.nullable().default(null),
    /** The value of the condition's expression when the alert fired. */
    value: z.number().nullable().default(null),
    /** How many repeats of this alert were received and folded into it. */
    duplicateCount: z.int().min(0).default(0),
    lastReceivedAt: Timestamp.default(() => new Date()),
    acknowledgedBy: z.string().min(1).max(LIMITS.nameMaxLength).nullable().default(null),
    acknowledgedAt: Timestamp.nullable().default(null),
  },
  aliases: { generatorURL: 'generator_url' },
  immutable: ['id'],
  computed: {
    /** Alertmanager's fingerprint of the labels. */
    fingerprint: (a) => fingerprint(a.labels),
    /** Milliseconds from start to end, or to now while open-ended. */
    durationMs: (a) => Math.max(0, (a.endsAt ?? new Date()).getTime() - a.startsAt.getTime()),
    /** Whether the alert still needs attention. */
    isActive: (a) => ACTIVE_STATUSES.has(a.status),
  },
  examples: [
    {
      tenantId: 'acme',
      labels: { alertname: 'HighCPUUsage', instance: 'web-1:9100', severity: 'warning' },
      annotations: { summary: 'CPU usage is 93% on web-1:9100' },
      level: 'high',
      priority: 'P2',
      startsAt: '2026-11-28T06:00:00Z',
      generatorURL: 'http://prometheus.example.com/graph?g0.expr=cpu_usage+%3E+80',
      value: 93,
    },
  ],
});

/** A validated alert. */
export type Alert = InstanceOf<typeof Alert>;
