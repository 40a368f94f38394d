/**
 * Differential check against a real Alertmanager 0.25: what it posts to a
 * webhook receiver for one alert, and what alertbase's webhook channel posts
 * for the same group, have the same keys, in the same order, with the same
 * types; fed Alertmanager's own values, alertbase's payload is equal to it.
 * (Timing parity belongs to the routing suite.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChannelConfig } from '../../src/domain/notification-channel.js';
import { type NotificationMessage, senderFor } from '../../src/notify/index.js';
import { describeWithBinary } from '../e2e/helpers.js';
import {
  ALERTMANAGER_BIN,
  type RunningAlertmanager,
  startAlertmanager,
  waitFor,
} from '../e2e/processes.js';
import { type HttpReceiver, startHttpReceiver } from './receivers.js';

/** The shape of a JSON value: key names in order and value types, recursively. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return typeof value;
}

interface AmPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: NotificationMessage['alerts'];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: string;
  groupKey: string;
  truncatedAlerts: number;
}

await describeWithBinary(
  'webhook payload parity with Alertmanager 0.25',
  ALERTMANAGER_BIN,
  (bin) => {
    let amReceiver: HttpReceiver | undefined;
    let ourReceiver: HttpReceiver | undefined;
    let am: RunningAlertmanager | undefined;

    beforeAll(async () => {
      amReceiver = await startHttpReceiver({ status: 200, body: '' });
      ourReceiver = await startHttpReceiver({ status: 200, body: '' });
      am = await startAlertmanager(bin, {
        webhook: { url: `${amReceiver.origin}/am`, bearer: 'parity-token' },
      });
    }, 30_000);

    afterAll(async () => {
      await am?.close();
      await amReceiver?.close();
      await ourReceiver?.close();
    });

    it('same keys, order and types; equal when fed the same values', async () => {
      const res = await fetch(`${am?.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: { alertname: 'ParityCheck', instance: 'web-1:9100', severity: 'warning' },
            annotations: { summary: 'Parity <check> & more', description: 'one alert' },
            generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
            startsAt: new Date(Date.now() - 60_000).toISOString(),
          },
        ]),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      const request = await waitFor(
        'Alertmanager to notify the webhook',
        async () => amReceiver?.requests[0],
        {
          timeoutMs: 20_000,
          log: () => am?.process.log() ?? '',
        },
      );
      expect(request.headers.authorization).toBe('Bearer parity-token');
      expect(request.headers['content-type']).toBe('application/json');
      const theirs = JSON.parse(request.body) as AmPayload;
      expect(theirs.version).toBe('4');

      const config = ChannelConfig.parse({
        type: 'webhook',
        url: `${ourReceiver?.origin}/ours`,
        bearerToken: 'parity-token',
      });
      const message: NotificationMessage = {
        id: 'parity-1',
        tenantId: 'acme',
        receiver: theirs.receiver,
        action: 'notify',
        status: theirs.status,
        groupKey: theirs.groupKey,
        groupLabels: theirs.groupLabels,
        commonLabels: theirs.commonLabels,
        commonAnnotations: theirs.commonAnnotations,
        externalURL: theirs.externalURL,
        truncatedAlerts: theirs.truncatedAlerts,
        alerts: theirs.alerts,
      };
      const result = await senderFor(config).send(config, message, {
        signal: new AbortController().signal,
        timeoutMs: 5_000,
        now: new Date(),
        allowPrivateNetworks: true,
      });
      expect(result.ok).toBe(true);
      const ours = JSON.parse(ourReceiver?.requests[0]?.body ?? 'null') as unknown;
      expect(shape(ours)).toEqual(shape(theirs));
      expect(ours).toEqual(theirs);
      expect(ourReceiver?.requests[0]?.headers.authorization).toBe('Bearer parity-token');
    }, 30_000);
  },
);
