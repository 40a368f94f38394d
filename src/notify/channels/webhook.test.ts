import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelConfig, newWebhookSigningSecret } from '../../domain/notification-channel.js';
import type { NotificationMessage } from '../types.js';
import { standardWebhookHeaders, webhookSender } from './webhook.js';

describe('standardWebhookHeaders', () => {
  it("matches the Standard Webhooks specification's test vector", () => {
    expect(
      standardWebhookHeaders(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        new Date(1614265330 * 1000),
        '{"test": 2432232314}',
      ),
    ).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });
});

describe('webhook retries', () => {
  const seen: Record<string, string | string[] | undefined>[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.end());
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}/h`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const message: NotificationMessage = {
    id: 'ntf-42',
    tenantId: 'acme',
    receiver: 'r',
    action: 'notify',
    status: 'firing',
    groupKey: '{}',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    truncatedAlerts: 0,
    alerts: [],
  };
  const ctx = (now: Date) => ({
    signal: new AbortController().signal,
    timeoutMs: 5_000,
    now,
    allowPrivateNetworks: true,
  });

  it('keeps webhook-id across retries; the timestamp and signature follow the attempt', async () => {
    const config = ChannelConfig.parse({
      type: 'webhook',
      url,
      signingSecret: newWebhookSigningSecret(),
    });
    if (config.type !== 'webhook') throw new Error('expected a webhook');
    seen.splice(0);
    await webhookSender.send(config, message, ctx(new Date('2026-12-01T00:00:00Z')));
    await webhookSender.send(config, message, ctx(new Date('2026-12-01T00:05:00Z')));
    expect(seen.map((h) => h['webhook-id'])).toEqual(['ntf-42', 'ntf-42']);
    expect(seen.map((h) => h['webhook-timestamp'])).toEqual(['1796083200', '1796083500']);
    expect(seen[0]?.['webhook-signature']).not.toEqual(seen[1]?.['webhook-signature']);
  });

  it('unsigned, it still sends the idempotency key and no signature', async () => {
    const config = ChannelConfig.parse({ type: 'webhook', url });
    if (config.type !== 'webhook') throw new Error('expected a webhook');
    seen.splice(0);
    await webhookSender.send(config, message, ctx(new Date()));
    expect(seen[0]?.['webhook-id']).toBe('ntf-42');
    expect(seen[0]?.['webhook-signature']).toBeUndefined();
    expect(seen[0]?.authorization).toBeUndefined();
  });
});
