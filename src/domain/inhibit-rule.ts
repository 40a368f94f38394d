import { z } from 'zod';
import { LIMITS } from '../base/constants.js';
import { TenantMixin, TimestampMixin, VersionedMixin } from '../base/mixins/index.js';
import { Id } from '../base/types/fields.js';
import { defineModel, type InstanceOf } from '../base/types/model.js';
import { newId } from '../base/utils/ids.js';
import { Matcher } from './matchers.js';

/**
 * An inhibition rule, as an entry of Alertmanager's `inhibit_rules`: while
 * an alert matching `sourceMatchers` is firing, alerts matching
 * `targetMatchers` that have the same values for the `equal` labels are
 * inhibited (an absent label counts as `""`). An alert that matches both
 * sides is not inhibited by alerts that match both sides too.
 */
export const InhibitRule = defineModel('InhibitRule', {
  description:
    "Mutes target alerts while a matching source alert fires (Alertmanager's inhibit_rules).",
  mixins: [TimestampMixin, TenantMixin, VersionedMixin],
  fields: {
    id: Id.default(() => newId()),
    name: z.string().min(1).max(LIMITS.nameMaxLength),
    sourceMatchers: z.array(Matcher).max(LIMITS.maxSilenceMatchers).default([]),
    targetMatchers: z.array(Matcher).max(LIMITS.maxSilenceMatchers).default([]),
    equal: z
      .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'expected a label name' }))
      .max(LIMITS.maxSilenceMatchers)
      .default([]),
  },
  immutable: ['id'],
  examples: [
    {
      tenantId: 'acme',
      name: 'critical mutes warning',
      sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }],
      targetMatchers: [{ name: 'severity', value: 'warning', isRegex: false, isEqual: true }],
      equal: ['alertname', 'cluster'],
    },
  ],
});

/** A validated inhibition rule. */
export type InhibitRule = InstanceOf<typeof InhibitRule>;
