import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

const line = (text: string, series: string): string | undefined =>
  text.split('\n').find((l) => l.startsWith(`${series} `));

describe('createMetrics', () => {
  it('records the cache and notification hooks by tier, channel type and result', async () => {
    const m = createMetrics({ maxMemoryUsageMb: 64, processMetrics: false });
    m.cacheLookup('l1', true);
    m.cacheLookup('l1', true);
    m.cacheLookup('l2', false);
    m.notification('slack', 'sent');
    m.notification('webhook', 'failed');
    m.notificationQueueAge(42);
    const text = await m.registry.metrics();
    expect(line(text, 'alertbase_cache_lookups_total{tier="l1",result="hit"}')).toMatch(/ 2$/);
    expect(line(text, 'alertbase_cache_lookups_total{tier="l2",result="miss"}')).toMatch(/ 1$/);
    expect(line(text, 'alertbase_notifications_total{channel_type="slack",result="sent"}')).toMatch(
      / 1$/,
    );
    expect(
      line(text, 'alertbase_notifications_total{channel_type="webhook",result="failed"}'),
    ).toMatch(/ 1$/);
    expect(line(text, 'alertbase_notification_queue_oldest_age_seconds')).toMatch(/ 42$/);
    expect(line(text, 'alertbase_memory_limit_bytes')).toMatch(/ 67108864$/);
    // Without process metrics: no process_ or nodejs_ series.
    expect(text).not.toMatch(/^process_|^nodejs_/m);
  });

  it('counts only positive ingest outcomes, and validation by model, level and code', async () => {
    const m = createMetrics({ maxMemoryUsageMb: 64, processMetrics: false, tenantLimit: 1 });
    m.ingest('acme', { created: 2, rejected: 0 });
    m.ingest('globex', { deduplicated: 1 });
    m.validation('AlertRule', 'syntax', 0.001);
    m.validationIssue('AlertRule', 'ends_before_starts');
    const text = await m.registry.metrics();
    expect(line(text, 'alertbase_ingest_alerts_total{tenant="acme",outcome="created"}')).toMatch(
      / 2$/,
    );
    expect(text).not.toContain('outcome="rejected"');
    expect(
      line(text, 'alertbase_ingest_alerts_total{tenant="other",outcome="deduplicated"}'),
    ).toMatch(/ 1$/);
    expect(
      line(text, 'alertbase_validation_issues_total{model="AlertRule",code="ends_before_starts"}'),
    ).toMatch(/ 1$/);
    expect(
      line(text, 'alertbase_validation_duration_seconds_count{model="AlertRule",level="syntax"}'),
    ).toMatch(/ 1$/);
  });

  it('keeps two registries apart (two apps in one process)', async () => {
    const a = createMetrics({ maxMemoryUsageMb: 1 });
    const b = createMetrics({ maxMemoryUsageMb: 1 });
    a.httpRequest('/x', 'GET', 200, 0.01);
    expect(await b.registry.metrics()).not.toContain('route="/x"');
    expect(await a.registry.metrics()).toContain('route="/x"');
  });
});
