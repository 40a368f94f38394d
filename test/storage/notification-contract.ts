/**
 * Notifications on every engine: an alert tied to a rule with channels is
 * grouped and queued in the outbox after the group wait, as Alertmanager
 * would notify it; changes, repeats and resolutions follow its timers;
 * the outbox is claimed, leased, retried with backoff and given up; a
 * tenant without routes writes no events.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileRouting, compileTree } from '../../src/domain/index.js';
import { FieldCipher, KeyRing } from '../../src/security/index.js';
import {
  createRepositories,
  type Database,
  NotificationGroups,
  NotificationOutbox,
  type Repositories,
} from '../../src/storage/index.js';
import type { SeriesPoint } from '../../src/storage/series/index.js';
import type { EngineFixture } from './engine-contract.js';

const S = 1_000;
const at = (base: number, ms: number): Date => new Date(base + ms);

export function notificationContract(fixture: EngineFixture): void {
  let db: Database;
  let repos: Repositories;
  let groups: NotificationGroups;
  let outbox: NotificationOutbox;
  let n = 0;
  /** The `notified` points of the outbox's deliveries. */
  const notified: SeriesPoint[] = [];

  beforeAll(async () => {
    db = await fixture.open();
    repos = createRepositories(db, { cipher: new FieldCipher(KeyRing.generate('test1')) });
    groups = new NotificationGroups(db, {
      externalURL: 'http://alertbase.test',
      maxAlertsPerMessage: 2,
      compile: compileRouting(() => undefined),
    });
    outbox = new NotificationOutbox(db, {
      leaseMs: 5 * S,
      maxAgeMs: 60 * S,
      events: { record: (points) => notified.push(...points) },
    });
  });
  /** A tenant routed by a tree: `ops` gets everything, `pager` is the escalation policy. */
  const treeTenant = async (extra: Record<string, unknown> = {}) => {
    const id = `ntf-${process.pid}-${++n}`;
    await repos.tenants.create({ id, name: id }, 'admin');
    const ops = await repos.notificationChannels.create(
      id,
      { name: 'ops', config: { type: 'webhook', url: 'http://127.0.0.1:9/ops' } },
      'admin',
    );
    const pager = await repos.notificationChannels.create(
      id,
      { name: 'pager', config: { type: 'webhook', url: 'http://127.0.0.1:9/pager' } },
      'admin',
    );
    await repos.routingTrees.create(
      id,
      {
        route: { receiver: 'ops', group_by: ['alertname'], group_wait: '10s', ...extra },
        receivers: [
          { name: 'ops', channels: [ops.id] },
          { name: 'pager', channels: [pager.id] },
        ],
        escalation: ['pager'],
        timeIntervals: [
          {
            name: 'always',
            time_intervals: [{ times: [{ start_time: '00:00', end_time: '24:00' }] }],
          },
        ],
      } as never,
      'admin',
    );
    return { id, ops: ops.id, pager: pager.id };
  };
  const treeGroups = () =>
    new NotificationGroups(db, {
      externalURL: 'http://alertbase.test',
      maxAlertsPerMessage: 100,
      compile: compileRouting(compileTree),
    });

  it('a new alert makes its tenant due for routing now, earlier than a later due time; an earlier one stays', async () => {
    const t = await treeTenant();
    const dueAt = async (): Promise<number | undefined> =>
      (
        await db.query<{ due_at: Date }>(
          "SELECT due_at FROM scheduler_due WHERE tenant_id = $1 AND kind = 'notify'",
          [t.id],
        )
      ).rows[0]?.due_at.getTime();
    const setDue = (due: Date) =>
      db.withTenant(t.id, (tx) =>
        tx.query(
          `INSERT INTO scheduler_due (tenant_id, kind, due_at) VALUES ($1, 'notify', $2)
           ON CONFLICT (tenant_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at`,
          [t.id, due],
        ),
      );
    const ingest = (instance: string) =>
      repos.alerts.ingest(
        t.id,
        [{ labels: { alertname: 'Due', instance }, level: 'high', priority: 'P2' }],
        'test',
      );
    await setDue(new Date(Date.now() + 3_600_000));
    const before = Date.now();
    await ingest('a');
    const moved = await dueAt();
    expect(moved).toBeGreaterThanOrEqual(before - 1_000);
    expect(moved).toBeLessThanOrEqual(Date.now());
    const earlier = new Date(Date.now() - 60_000);
    await setDue(earlier);
    await ingest('b');
    expect(await dueAt()).toBe(earlier.getTime());
  });

  it('a tree routes, an unacknowledged alert escalates after its SLA (audited), an acknowledged one does not', async () => {
    const t = await treeTenant();
    const g = treeGroups();
    const base = Date.now();
    const [a] = (
      await repos.alerts.ingest(
        t.id,
        [
          { labels: { alertname: 'Down', instance: 'a' }, level: 'critical', priority: 'P1' },
          { labels: { alertname: 'Down', instance: 'b' }, level: 'critical', priority: 'P1' },
        ],
        'test',
      )
    ).items;
    await g.pass(at(base, 11 * S));
    expect((await pending(t.id)).map((q) => [q.channel, q.alerts])).toEqual([
      [t.ops, ['a:firing', 'b:firing']],
    ]);
    if (a === undefined || a.outcome === 'rejected') throw new Error('not stored');
    await repos.alerts.transition(t.id, a.id, 'acknowledge', 'user:1');
    // P1 escalates after 15 minutes: only the unacknowledged alert reaches the pager.
    await g.pass(at(base, 16 * 60 * S));
    const paged = (await pending(t.id)).filter((q) => q.channel === t.pager);
    expect(paged.map((q) => q.alerts)).toEqual([['b:firing']]);
    const audit = await repos.audit.list(t.id, { action: 'escalate' });
    expect(audit.map((e) => e.details)).toEqual([{ step: 1, receiver: 'pager', priority: 'P1' }]);
    // The policy has one step: nothing more after another 15 minutes.
    await g.pass(at(base, 32 * 60 * S));
    expect((await pending(t.id)).filter((q) => q.channel === t.pager)).toHaveLength(1);
  });

  it('a route in its mute time interval sends nothing; inhibited alerts are left out', async () => {
    const muted = await treeTenant({
      routes: [{ matchers: ['alertname="Quiet"'], mute_time_intervals: ['always'] }],
    });
    const g = treeGroups();
    const base = Date.now();
    await repos.alerts.ingest(
      muted.id,
      [{ labels: { alertname: 'Quiet', instance: 'a' }, level: 'high', priority: 'P3' }],
      'test',
    );
    await g.pass(at(base, 11 * S));
    expect(await pending(muted.id)).toEqual([]);
    const t = await treeTenant();
    await repos.inhibitRules.create(
      t.id,
      {
        name: 'critical mutes warning',
        sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }],
        targetMatchers: [{ name: 'severity', value: 'warning', isRegex: false, isEqual: true }],
        equal: ['alertname'],
      } as never,
      'admin',
    );
    await repos.alerts.ingest(
      t.id,
      [
        {
          labels: { alertname: 'Disk', instance: 'a', severity: 'critical' },
          level: 'critical',
          priority: 'P3',
        },
        {
          labels: { alertname: 'Disk', instance: 'b', severity: 'warning' },
          level: 'high',
          priority: 'P3',
        },
      ],
      'test',
    );
    await g.pass(at(base, 11 * S));
    expect((await pending(t.id)).map((q) => q.alerts)).toEqual([['a:firing']]);
  });

  afterAll(async () => {
    await db?.close();
    await fixture.dispose?.();
  });

  /** A tenant with a webhook and a PagerDuty channel, and a rule `HighCPU` notifying both. */
  const tenant = async (channels = true) => {
    const id = `ntf-${process.pid}-${++n}`;
    await repos.tenants.create({ id, name: id }, 'admin');
    const hook = await repos.notificationChannels.create(
      id,
      { name: 'hook', config: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } },
      'admin',
    );
    const pd = await repos.notificationChannels.create(
      id,
      { name: 'pd', config: { type: 'pagerduty', routingKey: 'a'.repeat(32) } },
      'admin',
    );
    await repos.alertRules.create(
      id,
      {
        name: 'HighCPU',
        level: 'high',
        priority: 'P2',
        condition: 'cpu > 80',
        channelIds: channels ? [hook.id, pd.id] : [],
      },
      'admin',
    );
    return { id, hook: hook.id, pd: pd.id };
  };
  const fire = (t: string, instance: string, extra: Record<string, unknown> = {}) =>
    repos.alerts.ingest(
      t,
      [{ labels: { alertname: 'HighCPU', instance }, level: 'high', priority: 'P2', ...extra }],
      'test',
    );
  const pending = async (t: string) =>
    (await outbox.list(t, { state: ['pending'] })).items.map((x) => ({
      channel: x.channelId,
      action: x.action,
      status: x.message.status,
      alerts: (x.message.alerts as { labels: { instance: string }; status: string }[]).map(
        (a) => `${a.labels.instance}:${a.status}`,
      ),
    }));
  const drain = async (t: string, now: Date) => {
    for (const c of await outbox.claim(now, 100)) {
      if (c.tenantId === t)
        await outbox.settle(c, { ok: true, retryable: false, durationMs: 1 }, now);
    }
  };

  it('a new alert is queued to its rule’s channels after the group wait, grouped by alertname', async () => {
    const t = await tenant();
    const base = Date.now();
    await fire(t.id, 'a');
    await fire(t.id, 'b');
    await groups.pass(at(base, 10 * S));
    expect(await pending(t.id)).toEqual([]);
    await groups.pass(at(base, 31 * S));
    const queued = await pending(t.id);
    expect(queued.map((q) => q.channel).sort()).toEqual([t.hook, t.pd].sort());
    for (const q of queued) {
      expect(q).toMatchObject({
        action: 'notify',
        status: 'firing',
        alerts: ['a:firing', 'b:firing'],
      });
    }
    const [one] = (await outbox.list(t.id)).items;
    expect(one?.message).toMatchObject({
      receiver: 'rule:HighCPU',
      groupLabels: { alertname: 'HighCPU' },
      commonLabels: { alertname: 'HighCPU' },
      externalURL: 'http://alertbase.test',
      truncatedAlerts: 0,
    });
    expect(one?.message.groupKey).toMatch(/^rule:.+:\{alertname="HighCPU"\}$/);
  });

  it('changes wait for the group interval; an unchanged group repeats after the repeat interval; resolutions are sent', async () => {
    const t = await tenant();
    const base = Date.now();
    await fire(t.id, 'a');
    await groups.pass(at(base, 31 * S));
    await drain(t.id, at(base, 31 * S));
    await fire(t.id, 'c');
    await groups.pass(at(base, 60 * S));
    expect(await pending(t.id)).toEqual([]);
    await groups.pass(at(base, (31 + 300) * S));
    expect((await pending(t.id)).map((q) => q.alerts)).toEqual([
      ['a:firing', 'c:firing'],
      ['a:firing', 'c:firing'],
    ]);
    await drain(t.id, at(base, 331 * S));
    // Nothing changed: nothing until four hours after the last notification.
    await groups.pass(at(base, (331 + 300) * S));
    expect(await pending(t.id)).toEqual([]);
    await groups.pass(at(base, (331 + 4 * 3600 + 10) * S));
    expect(await pending(t.id)).toHaveLength(2);
    await drain(t.id, at(base, (331 + 4 * 3600 + 10) * S));
    // A resolution: the webhook (send_resolved by default) hears of it; PagerDuty too.
    const open = await repos.alerts.list(t.id, { filter: { status: ['firing'] } });
    const a = open.items.find((x) => x.labels.instance === 'a');
    await repos.alerts.transition(t.id, a?.id ?? '', 'resolve', 'test');
    await groups.pass(at(base, (331 + 4 * 3600 + 400) * S));
    expect((await pending(t.id)).map((q) => q.alerts)).toEqual([
      ['a:resolved', 'c:firing'],
      ['a:resolved', 'c:firing'],
    ]);
  });

  it('an acknowledgement reaches PagerDuty at once, and silenced alerts are not notified', async () => {
    const t = await tenant();
    const base = Date.now();
    const [r] = (await fire(t.id, 'a')).items;
    if (r === undefined || r.outcome === 'rejected') throw new Error('not stored');
    await repos.alerts.transition(t.id, r.id, 'acknowledge', 'user:1');
    await groups.pass(at(base, 1 * S));
    expect(await pending(t.id)).toEqual([
      { channel: t.pd, action: 'acknowledge', status: 'firing', alerts: ['a:firing'] },
    ]);
    const t2 = await tenant();
    await repos.silences.create(
      t2.id,
      {
        matchers: [{ name: 'instance', value: 'x', isRegex: false, isEqual: true }],
        startsAt: new Date(base - S).toISOString(),
        endsAt: new Date(base + 3600 * S).toISOString(),
        createdBy: 'ops',
        comment: 'maintenance',
      },
      'admin',
    );
    await fire(t2.id, 'x');
    await groups.pass(at(base, 40 * S));
    expect(await pending(t2.id)).toEqual([]);
  });

  it('a tenant without routes writes no events; a group larger than the message limit is truncated', async () => {
    const t = await tenant(false);
    await fire(t.id, 'a');
    const { rows } = await db.withTenant(t.id, (tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_events'),
    );
    expect(rows).toEqual([{ n: 0 }]);
    const t2 = await tenant();
    const base = Date.now();
    for (const i of ['a', 'b', 'c']) await fire(t2.id, i);
    await groups.pass(at(base, 31 * S));
    const [first] = (await outbox.list(t2.id)).items;
    expect(first?.message.truncatedAlerts).toBe(1);
    expect(first?.message.alerts).toHaveLength(2);
  });

  it('a delivery becomes notified points, counted per alertname, severity and status; an attempt not delivered does not', async () => {
    const t = await tenant();
    const base = Date.now();
    for (const i of ['a', 'b']) await fire(t.id, i);
    await groups.pass(at(base, 31 * S));
    const claimed = (await outbox.claim(at(base, 31 * S), 100)).filter((c) => c.tenantId === t.id);
    expect(claimed.length).toBeGreaterThan(0);
    const [delivered, ...failed] = claimed as [(typeof claimed)[0], ...typeof claimed];
    notified.length = 0;
    await outbox.settle(delivered, { ok: true, retryable: false, durationMs: 1 }, at(base, 32 * S));
    for (const c of failed) {
      await outbox.settle(
        c,
        { ok: false, retryable: true, error: 'down', durationMs: 1 },
        at(base, 32 * S),
      );
    }
    // Two alerts of one group (alertname HighCPU, no severity label), both firing: one point of 2.
    expect(delivered.message.alerts).toHaveLength(2);
    expect(notified).toEqual([
      {
        kind: 'notified',
        tenantId: t.id,
        time: base + 32 * S,
        rule: null,
        alertname: 'HighCPU',
        severity: null,
        status: 'firing',
        count: 2,
        durationMs: null,
      },
    ]);
    // A late answer to a claim another attempt took over is not the delivery that counts.
    const again = (await outbox.claim(at(base, 40 * S), 100)).filter((c) => c.tenantId === t.id);
    notified.length = 0;
    for (const c of failed) {
      await outbox.settle(c, { ok: true, retryable: false, durationMs: 1 }, at(base, 41 * S));
    }
    expect(notified).toEqual([]);
    for (const c of again) {
      await outbox.settle(c, { ok: true, retryable: false, durationMs: 1 }, at(base, 41 * S));
    }
    expect(notified.reduce((sum, p) => sum + p.count, 0)).toBe(
      again.reduce((sum, c) => sum + c.message.alerts.length, 0),
    );
  });

  it('the outbox: a lost lease is claimed again, failures back off, a 4xx or old age is dead, retry puts it back', async () => {
    const t = await tenant();
    const base = Date.now();
    await fire(t.id, 'a');
    await groups.pass(at(base, 31 * S));
    const first = (await outbox.claim(at(base, 31 * S), 100)).filter((c) => c.tenantId === t.id);
    expect(first).toHaveLength(2);
    // Claimed and never settled (the sender died): taken again once the lease ran out.
    expect((await outbox.claim(at(base, 33 * S), 100)).filter((c) => c.tenantId === t.id)).toEqual(
      [],
    );
    const again = (await outbox.claim(at(base, 37 * S), 100)).filter((c) => c.tenantId === t.id);
    expect(again.map((c) => c.id).sort()).toEqual(first.map((c) => c.id).sort());
    expect(again.map((c) => c.attempt)).toEqual([2, 2]);
    // The first claim's late answer is ignored: the row is the second attempt's.
    await outbox.settle(
      first[0] as (typeof first)[0],
      { ok: true, retryable: false, durationMs: 1 },
      at(base, 37 * S),
    );
    const [x, y] = again as [(typeof again)[0], (typeof again)[0]];
    expect(
      await outbox.settle(
        x,
        { ok: false, retryable: true, status: 503, error: 'busy', durationMs: 3 },
        at(base, 38 * S),
      ),
    ).toBe('pending');
    expect(
      await outbox.settle(
        y,
        { ok: false, retryable: false, status: 400, error: 'bad', durationMs: 3 },
        at(base, 38 * S),
      ),
    ).toBe('dead');
    const retried = await outbox.get(t.id, x.id);
    expect(retried).toMatchObject({ state: 'pending', attempts: 2, lastError: 'busy' });
    expect(retried.attemptLog.map((a) => [a.outcome, a.status])).toEqual([['retry', 503]]);
    // Backoff: two failures → between 1 s and 2 s.
    const wait = retried.nextAttemptAt.getTime() - (base + 38 * S);
    expect(wait).toBeGreaterThanOrEqual(1 * S);
    expect(wait).toBeLessThanOrEqual(2 * S);
    const third = (await outbox.claim(at(base, 41 * S), 100)).filter((c) => c.tenantId === t.id);
    expect(third.map((c) => c.id)).toEqual([x.id]);
    // Past the maximum age: given up.
    expect(
      await outbox.settle(
        third[0] as (typeof third)[0],
        { ok: false, retryable: true, error: 'down', durationMs: 1 },
        at(base, 95 * S),
      ),
    ).toBe('dead');
    expect((await outbox.list(t.id, { state: ['dead'] })).items).toHaveLength(2);
    const back = await outbox.retry(t.id, y.id, 'user:1', at(base, 96 * S));
    expect(back.state).toBe('pending');
    const audit = await repos.audit.list(t.id, { action: 'notification.retry' });
    expect(audit.map((e) => e.entityId)).toEqual([y.id]);
    await expect(outbox.retry(t.id, 'nope', 'user:1')).rejects.toMatchObject({
      code: 'ALERTBASE_RESOURCE_NOT_FOUND',
    });
    // Filters: by channel and by alert.
    const alertId = (await repos.alerts.list(t.id)).items[0]?.id ?? '';
    expect((await outbox.list(t.id, { alertId })).items).toHaveLength(2);
    expect((await outbox.list(t.id, { channelId: t.pd })).items.map((i) => i.channelId)).toEqual([
      t.pd,
    ]);
    const page = await outbox.list(t.id, { limit: 1 });
    expect(page.items).toHaveLength(1);
    const next = await outbox.list(t.id, { limit: 1, cursor: page.nextCursor ?? '' });
    expect(next.items[0]?.id).not.toBe(page.items[0]?.id);
  });
}
