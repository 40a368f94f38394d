/**
 * Alert changes become points once committed: ingest (created, resolved,
 * resends per minute) and transitions (acknowledged, resolved, status). The
 * points then answer the statistics on the PostgreSQL store as expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  createTestDatabase,
  type Database,
  type Repositories,
} from '../../src/storage/index.js';
import { createPgSeriesStore, type SeriesPoint } from '../../src/storage/series/index.js';

describe('alert changes as series points', () => {
  let db: Database;
  let repos: Repositories;
  const points: SeriesPoint[] = [];
  const startsAt = new Date(Date.now() - 600_000);

  beforeAll(async () => {
    db = await createTestDatabase();
    repos = createRepositories(db, { alertEvents: { record: (p) => points.push(...p) } });
    await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'admin');
  });
  afterAll(async () => db?.close());

  it('ingest: created once, resends counted per minute, resolution with its duration', async () => {
    const alert = {
      labels: { alertname: 'HighCPU', instance: 'a' },
      level: 'critical',
      priority: 'P1',
      startsAt,
    };
    await repos.alerts.ingest(
      'acme',
      [alert, alert, { ...alert, labels: { alertname: 'Disk' }, level: 'low' }],
      'key:k',
    );
    await repos.alerts.ingest('acme', [alert], 'key:k');
    const endsAt = new Date(Date.now() - 1_000);
    await repos.alerts.ingest('acme', [{ ...alert, endsAt }], 'key:k');
    const created = points.filter((p) => p.kind === 'created');
    expect(created.map((p) => [p.alertname, p.severity, p.status, p.time])).toEqual([
      ['HighCPU', 'critical', 'firing', startsAt.getTime()],
      ['Disk', 'low', 'firing', startsAt.getTime()],
    ]);
    expect(points.filter((p) => p.kind === 'heartbeat').reduce((n, p) => n + p.count, 0)).toBe(2);
    expect(points.filter((p) => p.kind === 'resolved')).toEqual([
      expect.objectContaining({
        alertname: 'HighCPU',
        time: endsAt.getTime(),
        durationMs: endsAt.getTime() - startsAt.getTime(),
      }),
    ]);
  });

  it('transitions: acknowledged with the time to acknowledge, then resolved', async () => {
    points.length = 0;
    const [item] = (
      await repos.alerts.ingest(
        'acme',
        [{ labels: { alertname: 'Mem' }, level: 'high', priority: 'P2', startsAt }],
        'key:k',
      )
    ).items;
    const id = (item as { id: string }).id;
    const acked = await repos.alerts.transition('acme', id, 'acknowledge', 'user:ada');
    const resolved = await repos.alerts.transition('acme', id, 'resolve', 'user:ada');
    expect(points.filter((p) => p.kind === 'status').map((p) => p.status)).toEqual([
      'acknowledged',
      'resolved',
    ]);
    expect(points.find((p) => p.kind === 'acknowledged')).toMatchObject({
      durationMs: (acked.acknowledgedAt as Date).getTime() - startsAt.getTime(),
      severity: 'high',
    });
    expect(points.find((p) => p.kind === 'resolved')).toMatchObject({
      durationMs: (resolved.endsAt as Date).getTime() - startsAt.getTime(),
    });
    // A refused transition records nothing.
    const before = points.length;
    await expect(repos.alerts.transition('acme', id, 'acknowledge', 'user:ada')).rejects.toThrow();
    expect(points).toHaveLength(before);
  });

  it('the points answer the statistics', async () => {
    const store = createPgSeriesStore(db);
    await store.write(points);
    const rows = await store.stats({
      tenantId: 'acme',
      by: 'severity',
      step: '1d',
      from: startsAt.getTime() - 86_400_000,
      to: Date.now() + 1,
    });
    const high = rows.filter((r) => r.key === 'high');
    expect(high.reduce((n, r) => n + r.created, 0)).toBe(1);
    expect(
      high.flatMap((r) => (r.timeToAcknowledge === null ? [] : [r.timeToAcknowledge.count])),
    ).toEqual([1]);
  });

  it('silences: suppressing and releasing an alert are status points', async () => {
    await repos.alerts.ingest(
      'acme',
      [{ labels: { alertname: 'Quiet', instance: 'q' }, level: 'low', priority: 'P4', startsAt }],
      'key:k',
    );
    points.length = 0;
    const silence = await repos.silences.create(
      'acme',
      {
        matchers: [{ name: 'alertname', value: 'Quiet', isRegex: false, isEqual: true }],
        startsAt: new Date(Date.now() - 1_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'ops',
        comment: 'maintenance',
      },
      'user:ada',
    );
    expect(points.map((p) => [p.kind, p.alertname, p.severity, p.status, p.count])).toEqual([
      ['status', 'Quiet', 'low', 'suppressed', 1],
    ]);
    points.length = 0;
    await repos.silences.delete('acme', silence.id, 'user:ada');
    expect(points.map((p) => [p.kind, p.alertname, p.status])).toEqual([
      ['status', 'Quiet', 'firing'],
    ]);
  });
});

describe('heartbeats answered from memory as series points', () => {
  let db: Database;
  let repos: Repositories;
  const points: SeriesPoint[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    repos = createRepositories(db, {
      alertEvents: { record: (p) => points.push(...p) },
      heartbeatWindowMs: 1_000,
    });
    await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'admin');
  });
  afterAll(async () => {
    await repos?.alerts.close();
    await db?.close();
  });

  it('count as the resends written do: one heartbeat per resend, per minute and tags', async () => {
    const alert = {
      labels: { alertname: 'HighCPU', instance: 'a' },
      level: 'critical',
      priority: 'P1',
      startsAt: new Date(Date.now() - 60_000),
    };
    await repos.alerts.ingest('acme', [alert], 'key:k');
    for (let i = 0; i < 3; i++) {
      const { items } = await repos.alerts.ingest('acme', [alert], 'key:k');
      expect(items.map((item) => item.outcome)).toEqual(['deduplicated']);
    }
    // The write-behind has not written them yet: they were answered from the index.
    expect(repos.alerts.pendingHeartbeats).toBe(3);
    const beats = points.filter((p) => p.kind === 'heartbeat');
    expect(beats.reduce((n, p) => n + p.count, 0)).toBe(3);
    expect(beats.every((p) => p.alertname === 'HighCPU' && p.severity === 'critical')).toBe(true);
    expect(points.filter((p) => p.kind === 'created')).toHaveLength(1);
  });
});
