import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';

/**
 * An Alertmanager matcher: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`. Any label name may be matched, reserved ones included.
 */
export const Matcher = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'expected a label name' }),
  value: z.string().max(LIMITS.labelValueMaxLength),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true),
});

/** A silence: alerts whose labels match every matcher are suppressed between startsAt and endsAt. */
export const Silence = defineModel('Silence', {
  description: 'Suppresses matching alerts for a time window (Alertmanager silences).',
  mixins: [TimestampMixin, TenantMixin, VersionedMixin],
  fields: {
    id: Id.default(() => newId()),
    matchers: z.array(Matcher).min(1).max(LIMITS.maxSilenceMatchers),
    startsAt: Timestamp,
    endsAt: Timestamp,
    createdBy: z.string().min(1).max(LIMITS.nameMaxLength),
    comment: z.string().min(1).max(LIMITS.descriptionMaxLength),
  },
  immutable: ['id'],
  refine: (s, ctx) => {
    if (s.endsAt.getTime() <= s.startsAt.getTime()) {
      ctx.addIssue({
        path: ['endsAt'],
        code: 'ends_before_start',
        message: 'endsAt must be after startsAt',
      });
    }
  },
  computed: {
    /** Is the silence in force now? */
    isActive: (s) => {
      const now = Date.now();
      return s.startsAt.getTime() <= now && now < s.endsAt.getTime();
    },
  },
  examples: [
    {
      tenantId: 'acme',
      matchers: [
        { name: 'alertname', value: 'HighCPUUsage', isRegex: false, isEqual: true },
        { name: 'instance', value: 'web-[0-9]+:9100', isRegex: true, isEqual: true },
      ],
      startsAt: '2026-11-28T06:00:00Z',
      endsAt: '2026-11-28T08:00:00Z',
      createdBy: 'ops@acme.example',
      comment: 'Planned maintenance of the web tier',
    },
  ],
});

/** A validated silence. */
export type Silence = InstanceOf<typeof Silence>;
