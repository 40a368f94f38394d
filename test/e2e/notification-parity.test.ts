/**
 * Notifications against a real Alertmanager 0.25: the same route tree and
 * timers (imported into alertbase from the same configuration), the same
 * alerts sent to both at the same moments, each notifying its own webhook
 * receiver. The groups, their alerts and the firing/resolved sequence
 * received must be the same, at the same times within a tolerance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBinary, type E2eAlertbase, startAlertbase } from './helpers.js';
import { ALERTMANAGER_BIN, type RunningAlertmanager, startAlertmanager } from './processes.js';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from './webhook-receiver.js';

/** Arrival times may differ by this much (each side's timers and scheduling). */
const TOLERANCE_MS = 900;

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

interface Seen {
  readonly group: string;
  readonly status: string;
  readonly alerts: string[];
  readonly at: number;
}

function seen(requests: readonly ReceivedRequest[], start: number): Seen[] {
  return requests.map((r) => {
    const body = r.body as {
      status: string;
      groupLabels: Record<string, string>;
      alerts: { status: string; labels: Record<string, string> }[];
    };
    return {
      group: JSON.stringify(body.groupLabels),
      status: body.status,
      alerts: body.alerts.map((a) => `${a.labels.instance}:${a.status}`),
      at: r.at - start,
    };
  });
}

await describeWithBinary(
  'notifications: parity with Alertmanager 0.25',
  ALERTMANAGER_BIN,
  (bin) => {
    let am: RunningAlertmanager;
    let ab: E2eAlertbase;
    let amHook: WebhookReceiver;
    let abHook: WebhookReceiver;

    const configOf = (url: string) => ({
      route: {
        receiver: 'hook',
        group_by: ['alertname'],
        group_wait: '1s',
        group_interval: '2s',
        repeat_interval: '5s',
      },
      receivers: [{ name: 'hook', webhook_configs: [{ url, send_resolved: true }] }],
    });

    beforeAll(async () => {
      amHook = await startWebhookReceiver();
      abHook = await startWebhookReceiver();
      am = await startAlertmanager(bin, { config: configOf(`${amHook.url}/am`) });
      ab = await startAlertbase({ NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true' });
      const imported = await fetch(`${ab.url}/v1/routing/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ab.editorKey}`, 'content-type': 'application/yaml' },
        body: JSON.stringify(configOf(`${abHook.url}/ab`)),
      });
      expect(imported.status, await imported.clone().text()).toBe(200);
    }, 60_000);
    afterAll(async () => {
      await Promise.allSettled([am?.close(), ab?.close(), amHook?.close(), abHook?.close()]);
    });

    const sendBoth = async (alerts: readonly Record<string, unknown>[]) => {
      const body = JSON.stringify(alerts);
      const [a, b] = await Promise.all([
        fetch(`${am.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
        fetch(`${ab.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ab.ingestKey}` },
          body,
        }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
    };

    it('the same groups, alerts and firing/resolved sequence, at the same times', async () => {
      const alert = (alertname: string, instance: string, endsAt?: string) => ({
        labels: { alertname, instance, severity: 'critical' },
        annotations: { summary: `${alertname} on ${instance}` },
        ...(endsAt === undefined ? {} : { endsAt }),
      });
      const start = Date.now();
      await sendBoth([alert('Disk', 'a'), alert('Disk', 'b'), alert('CPU', 'c')]);
      // Between two group-interval ticks (1 s, 3 s, 5 s, ...): a new alert, then a resolution.
      await sleepUntil(start + 3_800);
      await sendBoth([alert('Disk', 'd')]);
      await sleepUntil(start + 5_800);
      await sendBoth([alert('Disk', 'a', new Date().toISOString())]);
      await sleepUntil(start + 14_000);

      const fromAm = seen(amHook.received, start);
      const fromAb = seen(abHook.received, start);
      const shape = (s: Seen[]) =>
        s
          .map(({ group, status, alerts }) => ({ group, status, alerts }))
          .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
      // What was received, group by group, in order.
      const byGroup = (s: Seen[]) => {
        const out: Record<string, string[]> = {};
        for (const x of s) {
          const list = out[x.group] ?? [];
          list.push(`${x.status} ${x.alerts.join(',')}`);
          out[x.group] = list;
        }
        return out;
      };
      expect(byGroup(fromAb)).toEqual(byGroup(fromAm));
      expect(shape(fromAb)).toEqual(shape(fromAm));
      expect(fromAm.length).toBeGreaterThanOrEqual(5);
      // Each notification at the same time as its twin.
      for (const group of new Set(fromAm.map((s) => s.group))) {
        const a = fromAm.filter((s) => s.group === group);
        const b = fromAb.filter((s) => s.group === group);
        a.forEach((x, k) => {
          expect(
            Math.abs((b[k]?.at ?? Number.POSITIVE_INFINITY) - x.at),
            `${group} #${k}`,
          ).toBeLessThan(TOLERANCE_MS);
        });
      }
      // The payload's keys are Alertmanager's.
      const keysOf = (r: ReceivedRequest | undefined) => Object.keys(r?.body as object).sort();
      expect(keysOf(abHook.received[0])).toEqual(keysOf(amHook.received[0]));
    }, 60_000);
  },
);
