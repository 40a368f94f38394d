import { describe, expect, it } from 'vitest';
import type { UnknownValueError } from '../exceptions/index.js';
import { NotificationChannelType } from './notification-channel-type.js';

const TYPES = ['email', 'slack', 'webhook', 'pagerduty', 'opsgenie', 'teams'];

describe('NotificationChannelType', () => {
  it.each(TYPES)('parses %s', (type) => {
    expect(NotificationChannelType.parse(type)).toBe(type);
    expect(NotificationChannelType.is(type)).toBe(true);
  });

  it('rejects others with the allowed list', () => {
    for (const v of ['sms', 'PagerDuty', 'msteams']) {
      let err: UnknownValueError | undefined;
      try {
        NotificationChannelType.parse(v);
      } catch (e) {
        err = e as UnknownValueError;
      }
      expect(err?.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
      expect(err?.context.allowed).toEqual(TYPES);
      expect(NotificationChannelType.schema.safeParse(v).success).toBe(false);
    }
  });
});
