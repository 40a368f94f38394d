import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { AlertLevel, Priority } from '../base/enums/index.js';
import {
  AuditMixin,
  MetadataMixin,
  SoftDeleteMixin,
  TenantMixin,
  TimestampMixin,
  VersionedMixin,
} from '../base/mixins/index.js';
import { checkPrometheusTemplate } from '../base/prometheus/template-memo.js';
import { Condition, DurationMs, Id } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';

/**
 * An alert rule: the seed's `AlertRule` — a named PromQL condition with a
 * level and a priority — plus what Prometheus rules carry (`for`,
 * `keep_firing_for`, labels, annotations) and where to notify.
 */
export const AlertRule = defineModel('AlertRule', {
  description: 'A named PromQL condition that raises alerts of a level and priority.',
  mixins: [TimestampMixin, TenantMixin, SoftDeleteMixin, AuditMixin, VersionedMixin, MetadataMixin],
  fields: {
    id: Id.default(() => newId()),
    name: z.string().min(1).max(LIMITS.nameMaxLength),
    description: z.string().max(LIMITS.descriptionMaxLength).nullable().default(null),
    level: AlertLevel.schema,
    priority: Priority.schema,
    condition: Condition,
    /** How long the condition must hold before the alert fires (Prometheus `for`). */
    for: DurationMs.default(0),
    /** How long the alert keeps firing after the condition clears (Prometheus `keep_firing_for`). */
    keepFiringFor: DurationMs.default(0),
    /** The Prometheus rule group the rule came from or is exported to. */
    group: z.string().min(1).max(LIMITS.nameMaxLength).nullable().default(null),
    /**
     * How often Prometheus evaluates the rule's group (the group's `interval`);
     * null: Prometheus' global evaluation interval. Kept from import to export.
     */
    groupInterval: DurationMs.nullable().default(null),
    /** Notification channels to notify, by id. */
    channelIds: z
      .array(Id)
      .max(LIMITS.maxChannelsPerRule)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'channel ids must be unique' })
      .default([]),
    enabled: z.boolean().default(true),
  },
  immutable: ['id'],
  // Prometheus expands an alerting rule's labels and annotations as Go
  // templates: one that does not parse is refused here as the rule-file
  // import and `promtool check rules` refuse it (`invalid_template`).
  refine: (rule, ctx) => {
    for (const field of ['labels', 'annotations'] as const) {
      for (const [name, text] of Object.entries(rule[field])) {
        if (!text.includes('{{')) continue;
        const checked = checkPrometheusTemplate(text);
        if (checked.ok) continue;
        ctx.addIssue({
          path: [field, name],
          code: 'invalid_template',
          message: `template does not parse (line ${checked.line}, column ${checked.column} of the template): ${checked.message}`,
          line: checked.line,
          column: checked.column,
        });
      }
    }
  },
  examples: [
    {
      tenantId: 'acme',
      name: 'High CPU Usage',
      level: 'high',
      priority: 'p2',
      condition: 'cpu_usage > 80',
      for: '5m',
      labels: { team: 'infra' },
      annotations: { summary: 'CPU usage is {{ $value }}% on {{ $labels.instance }}' },
    },
  ],
});

/** A validated alert rule. */
export type AlertRule = InstanceOf<typeof AlertRule>;
