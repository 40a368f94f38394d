import { describe, expect, it } from 'vitest';
import { metricsKeyCheck } from './metrics-key.js';

describe('metricsKeyCheck', () => {
  it('allows everything without a key', () => {
    expect(metricsKeyCheck(undefined)(undefined)).toBe(true);
  });
  it('needs Bearer <key> exactly', () => {
    const allowed = metricsKeyCheck('k-1');
    expect(allowed('Bearer k-1')).toBe(true);
    expect(allowed('bearer k-1 ')).toBe(true);
    expect(allowed('Bearer k-2')).toBe(false);
    expect(allowed('Bearer k-1x')).toBe(false);
    expect(allowed('k-1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
  });
});
