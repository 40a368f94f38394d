/**
 * A real Alertmanager (Debian's 0.25) notifies alertbase: a webhook receiver
 * at `/v1/webhooks/alertmanager` with `http_config: { authorization: {
 * credentials: <key> } }` and `send_resolved: true`. Alerts posted to
 * Alertmanager's own API must be stored by alertbase with Alertmanager's
 * fingerprint, and their resolution must follow.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fingerprint } from '../../src/base/utils/fingerprint.js';
import {
  describeWithBinary,
  type E2eAlertbase,
  listAlerts,
  startAlertbase,
  type WireAlert,
} from './helpers.js';
import {
  ALERTMANAGER_BIN,
  type RunningAlertmanager,
  startAlertmanager,
  waitFor,
} from './processes.js';

const ALERT_NAME = 'AlertbaseE2EWebhook';
/** One alert with a generator URL, one without (Alertmanager then sends `""`). */
const WITH_URL = { alertname: ALERT_NAME, instance: 'e2e-a:9100', severity: 'warning' };
const WITHOUT_URL = { alertname: ALERT_NAME, instance: 'e2e-b:9100', severity: 'warning' };
const GENERATOR_URL = 'http://prometheus.e2e.test:9090/graph?g0.expr=up+%3D%3D+0';

/** An alert as Alertmanager's `GET /api/v2/alerts` returns it. */
interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly status: { readonly state: string };
}

await describeWithBinary(
  'real Alertmanager 0.25 → alertbase /v1/webhooks/alertmanager',
  ALERTMANAGER_BIN,
  (bin) => {
    let ab: E2eAlertbase | undefined;
    let am: RunningAlertmanager | undefined;
    const startsAt = new Date(Date.now() - 60_000);

    beforeAll(async () => {
      ab = await startAlertbase();
      am = await startAlertmanager(bin, {
        webhook: { url: `${ab.url}/v1/webhooks/alertmanager`, bearer: ab.ingestKey },
      });
    });

    afterAll(async () => {
      await am?.close();
      await ab?.close();
    });

    const log = (): string => am?.process.log() ?? '';
    const stored = (): Promise<WireAlert[]> => {
      if (ab === undefined) throw new Error('alertbase did not start');
      return listAlerts(ab, `label=${encodeURIComponent(`alertname=${ALERT_NAME}`)}`);
    };
    const postToAlertmanager = async (alerts: readonly object[]): Promise<number> => {
      const res = await fetch(`${am?.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      await res.arrayBuffer();
      return res.status;
    };
    const byInstance = (items: readonly WireAlert[], instance: string): WireAlert | undefined =>
      items.find((a) => a.labels.instance === instance);

    it('stores the notification with Alertmanager fingerprints', async () => {
      const status = await postToAlertmanager([
        {
          labels: WITH_URL,
          annotations: { summary: 'host a down' },
          startsAt: startsAt.toISOString(),
          generatorURL: GENERATOR_URL,
        },
        {
          labels: WITHOUT_URL,
          annotations: { summary: 'host b down' },
          startsAt: startsAt.toISOString(),
        },
      ]);
      expect(status).toBe(200);

      const res = await fetch(
        `${am?.url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${ALERT_NAME}"`)}`,
      );
      const theirs = (await res.json()) as GettableAlert[];
      expect(theirs).toHaveLength(2);

      const items = await waitFor(
        'both alerts in GET /v1/alerts',
        async () => {
          const found = await stored();
          return found.length >= 2 ? found : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250, log },
      );
      expect(items).toHaveLength(2);
      for (const their of theirs) {
        const ours = byInstance(items, their.labels.instance ?? '');
        expect(ours?.labels).toEqual(their.labels);
        // Alertmanager's own fingerprint is ours, and both are the label hash.
        expect(ours?.fingerprint).toBe(their.fingerprint);
        expect(ours?.fingerprint).toBe(fingerprint(their.labels));
        expect(ours?.starts_at).toBe(startsAt.toISOString());
      }
      expect(byInstance(items, WITH_URL.instance)).toMatchObject({
        tenant_id: 'e2e',
        status: 'firing',
        level: 'medium',
        annotations: { summary: 'host a down' },
        // Alertmanager sends endsAt as Go's zero time while firing: no end.
        ends_at: null,
        generator_url: GENERATOR_URL,
      });
      // Alertmanager sends "" for a missing generatorURL: none.
      expect(byInstance(items, WITHOUT_URL.instance)?.generator_url).toBeNull();
    });

    it('stores the resolution Alertmanager sends (send_resolved)', async () => {
      const before = await stored();
      const endsAt = new Date(Date.now() - 1_000);
      const status = await postToAlertmanager([
        {
          labels: WITH_URL,
          annotations: { summary: 'host a down' },
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          generatorURL: GENERATOR_URL,
        },
      ]);
      expect(status).toBe(200);
      const items = await waitFor(
        'the resolution in GET /v1/alerts',
        async () => {
          const found = await stored();
          return byInstance(found, WITH_URL.instance)?.status === 'resolved' ? found : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250, log },
      );
      // The same rows: a resolution is not a new alert.
      expect(items.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
      const resolved = byInstance(items, WITH_URL.instance);
      expect(resolved?.fingerprint).toBe(fingerprint(WITH_URL));
      expect(resolved?.ends_at).toBe(endsAt.toISOString());
      expect(byInstance(items, WITHOUT_URL.instance)?.status).toBe('firing');
    });
  },
);
