import { describe, expect, it } from 'vitest';
import * as enums from './index.js';

describe('src/base/enums index', () => {
  it('re-exports every enum and helper', () => {
    for (const name of [
      'AlertLevel',
      'AlertStatus',
      'AlertAction',
      'Priority',
      'NotificationChannelType',
      'TenantTier',
      'Role',
      'Environment',
      'defineEnum',
      'defineOrderedEnum',
      'ALERT_STATUS_TRANSITIONS',
      'TIER_QUOTAS',
      'PRIORITY_SLAS',
      'DEFAULT_LEVEL_PRIORITIES',
      'PROMETHEUS_SEVERITY_ALIASES',
      'PAGERDUTY_SEVERITIES',
      'ALERTA_SEVERITIES',
    ]) {
      expect(enums, name).toHaveProperty(name);
    }
  });
});
