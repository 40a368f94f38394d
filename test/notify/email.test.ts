/**
 * E-mail specifics, against a real SMTP server (`smtp-server`) on loopback:
 * the deployment's default server, TLS required by default, configuration
 * errors, and a refused recipient.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/base/types/secret.js';
import { ChannelConfig } from '../../src/domain/notification-channel.js';
import {
  type DeliveryContext,
  type NotificationMessage,
  senderFor,
} from '../../src/notify/index.js';
import { mailHeaders, type SmtpReceiver, startSmtpReceiver } from './receivers.js';

const message: NotificationMessage = {
  id: 'mail/1',
  tenantId: 'acme',
  receiver: 'mail',
  action: 'notify',
  status: 'firing',
  groupKey: '{}',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull' },
  commonAnnotations: {},
  externalURL: '',
  truncatedAlerts: 3,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull' },
      annotations: { summary: 'Disk <full> & more' },
      startsAt: '2026-11-28T06:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '0123456789abcdef',
    },
  ],
};

let smtp: SmtpReceiver;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
});
afterAll(() => smtp.close());
beforeEach(() => {
  smtp.mode = 'ok';
  smtp.mails.splice(0);
  smtp.logins.splice(0);
});

const ctx = (over: Partial<DeliveryContext> = {}): DeliveryContext => ({
  signal: new AbortController().signal,
  timeoutMs: 5_000,
  now: new Date(),
  allowPrivateNetworks: true,
  ...over,
});
const send = (config: Record<string, unknown>, c: DeliveryContext = ctx()) => {
  const parsed = ChannelConfig.parse(config);
  return senderFor(parsed).send(parsed, message, c);
};

describe('e-mail channel', () => {
  it("uses the deployment's default server and sender when the channel has none", async () => {
    const result = await send(
      { type: 'email', to: ['oncall@example.com'] },
      ctx({
        smtp: {
          smarthost: `127.0.0.1:${smtp.port}`,
          from: 'default@example.com',
          authUsername: 'deploy',
          authPassword: new Secret('deploy-pass'),
          requireTls: false,
        },
      }),
    );
    expect(result).toEqual({ ok: true, retryable: false, status: 250, requests: 1 });
    expect(smtp.logins).toEqual(['deploy:deploy-pass']);
    const [mail] = smtp.mails;
    expect(mail?.from).toBe('default@example.com');
    const headers = mailHeaders(mail?.raw ?? '');
    expect(headers.subject).toBe('[FIRING:1] DiskFull');
    // Message-ID is made of the notification id, the same on every retry.
    expect(headers['message-id']).toBe('<mail-1@alertbase.notify>');
    // HTML is escaped; the left-out alerts are counted.
    expect(mail?.raw).toContain('Disk &lt;full&gt; &amp; more');
    expect(mail?.raw).toContain('and 3 more alerts');
  });

  it('requires TLS by default: a server without STARTTLS gets nothing', async () => {
    const result = await send({
      type: 'email',
      to: ['oncall@example.com'],
      from: 'a@example.com',
      smtp: { smarthost: `127.0.0.1:${smtp.port}` },
    });
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      code: 'ALERTBASE_DELIVERY_NETWORK',
    });
    expect(smtp.mails).toEqual([]);
  });

  it('without a server or a sender anywhere, the channel cannot send (not retryable)', async () => {
    expect(await send({ type: 'email', to: ['oncall@example.com'] })).toMatchObject({
      ok: false,
      retryable: false,
      code: 'ALERTBASE_DELIVERY_CONFIG',
    });
    expect(
      await send({
        type: 'email',
        to: ['oncall@example.com'],
        smtp: { smarthost: `127.0.0.1:${smtp.port}`, requireTls: false },
      }),
    ).toMatchObject({ ok: false, retryable: false, code: 'ALERTBASE_DELIVERY_CONFIG' });
    expect(smtp.mails).toEqual([]);
  });

  it('a refused recipient (550) is not retried', async () => {
    smtp.mode = 'rejected';
    const result = await send({
      type: 'email',
      to: ['nobody@example.com'],
      from: 'a@example.com',
      smtp: { smarthost: `127.0.0.1:${smtp.port}`, requireTls: false },
    });
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      status: 550,
      code: 'ALERTBASE_DELIVERY_SMTP_REPLY',
    });
  });

  it('an unreachable server is retryable', async () => {
    const result = await send({
      type: 'email',
      to: ['oncall@example.com'],
      from: 'a@example.com',
      smtp: { smarthost: '127.0.0.1:1', requireTls: false },
    });
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      code: 'ALERTBASE_DELIVERY_NETWORK',
    });
  });
});
