import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { Id, Timestamp } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';
import { compileMatcher, Matcher, matchesEmpty, regexError } from './matchers.js';

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
    // Alertmanager refuses a silence that would silence every alert.
    // (Only once every regular expression compiles: the field reports those.)
    if (
      s.matchers.length > 0 &&
      s.matchers.every((m) => !m.isRegex || regexError(m.value) === undefined) &&
      s.matchers.every((m) => matchesEmpty(compileMatcher(m)))
    ) {
      ctx.addIssue({
        path: ['matchers'],
        code: 'matches_everything',
        message: 'at least one matcher must not match the empty string',
      });
    }
    // Equal times are a silence expired before it started (expiring a
    // pending one); a new silence must end after it starts (the repository
    // checks that, as Alertmanager's API does).
    if (s.endsAt.getTime() < s.startsAt.getTime()) {
      ctx.addIssue({
        path: ['endsAt'],
        code: 'ends_before_start',
        message: 'endsAt must not be before startsAt',
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
      // In the future: the example is documented as a request body, and a silence may not end in the past.
      startsAt: '2099-11-28T06:00:00Z',
      endsAt: '2099-11-28T08:00:00Z',
      createdBy: 'ops@acme.example',
      comment: 'Planned maintenance of the web tier',
    },
  ],
});

/** A validated silence. */
export type Silence = InstanceOf<typeof Silence>;
