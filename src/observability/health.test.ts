import { describe, expect, it } from 'vitest';
import {
  checkDatabase,
  checkMemory,
  checkResponseTime,
  checkUptime,
  type HealthCheck,
  healthReport,
  type NamedCheck,
} from './health.js';
import { createResponseTimeWindow } from './response-times.js';

const now = () => new Date('2026-12-02T10:00:00.000Z');
const check = (status: HealthCheck['status'], critical: boolean, key = 'x:y'): NamedCheck => ({
  key,
  critical,
  check: { componentType: 'component', observedValue: 1, observedUnit: 'ms', status, time: '' },
});

describe('healthReport', () => {
  it('fails only for a critical failure; anything else not passing is warn', () => {
    expect(healthReport([check('pass', true), check('pass', false)]).status).toBe('pass');
    expect(healthReport([check('pass', true), check('warn', false)]).status).toBe('warn');
    expect(healthReport([check('pass', true), check('fail', false)]).status).toBe('warn');
    expect(healthReport([check('warn', false), check('fail', true)]).status).toBe('fail');
    expect(healthReport([check('fail', true), check('warn', false)]).status).toBe('fail');
  });

  it('groups checks by key, as the draft does', () => {
    const report = healthReport([check('pass', false, 'a:b'), check('warn', false, 'a:b')], {
      description: 'd',
    });
    expect(report.checks['a:b']).toHaveLength(2);
    expect(report.description).toBe('d');
  });
});

describe('checks', () => {
  it('database: pass with its round trip, fail (critical) when it does not answer', async () => {
    const ok = await checkDatabase({ query: async () => ({}) }, now);
    expect(ok).toMatchObject({
      key: 'database:responseTime',
      critical: true,
      check: { status: 'pass', observedUnit: 'ms', time: '2026-12-02T10:00:00.000Z' },
    });
    expect(ok.check.observedValue).toBeGreaterThanOrEqual(0);
    const down = await checkDatabase({ query: () => new Promise(() => {}) }, now, 10);
    expect(down.check.status).toBe('fail');
    expect(down.check.output).toContain('10 ms');
  });

  it('memory: warn from 90% of the limit, in MiB', () => {
    const mib = 1024 * 1024;
    expect(checkMemory(100, now, 89 * mib).check).toMatchObject({
      status: 'pass',
      observedValue: 89,
      observedUnit: 'MiB',
    });
    const high = checkMemory(100, now, 95 * mib);
    expect(high.check.status).toBe('warn');
    expect(high.check.output).toContain('95%');
    expect(high.critical).toBe(false);
    expect(checkMemory(100, now).check.observedValue).toBeGreaterThan(0);
  });

  it('response time: pass with nothing recorded, warn when p95 is over the threshold', () => {
    const w = createResponseTimeWindow(() => 0);
    expect(checkResponseTime(w, 100, now).check).toMatchObject({
      status: 'pass',
      observedValue: 0,
    });
    for (let i = 0; i < 10; i++) w.record(50);
    expect(checkResponseTime(w, 100, now).check.status).toBe('pass');
    for (let i = 0; i < 10; i++) w.record(400);
    const slow = checkResponseTime(w, 100, now);
    expect(slow.check.status).toBe('warn');
    expect(slow.check.observedValue).toBeGreaterThan(400);
    expect(slow.check.output).toContain('RESPONSE_TIME_THRESHOLD_MS');
  });

  it('uptime: pass, in seconds', () => {
    expect(checkUptime(now).check).toMatchObject({ status: 'pass', observedUnit: 's' });
  });
});
