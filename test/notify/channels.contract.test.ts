/**
 * The contract every channel type keeps, run against a real receiver per
 * type on loopback: an HTTP server for webhook, Slack, PagerDuty, Opsgenie
 * and Teams, an SMTP server (`smtp-server`) for e-mail. Each case sends
 * through `senderFor(config).send(...)`, as the delivery workers do.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/base/utils/fingerprint.js';
import { ChannelConfig } from '../../src/domain/notification-channel.js';
import {
  type DeliveryContext,
  type NotificationMessage,
  type NotifiedAlert,
  senderFor,
} from '../../src/notify/index.js';
import {
  type HttpReceiver,
  mailHeaders,
  type ReceiverMode,
  type RecordedRequest,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from './receivers.js';

const TOKEN = 'bearer-token-s3cr3t-value';
const SIGNING_SECRET = `whsec_${Buffer.from('a-32-byte-signing-key-for-tests!').toString('base64')}`;
const ROUTING_KEY = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey12';
const GENIE_KEY = 'genie-key-0f3a9c7e-s3cr3t';
const SMTP_PASSWORD = 'smtp-pa55word-s3cr3t';

const labelsA = {
  alertname: 'HighCPUUsage',
  instance: 'web-1:9100',
  job: 'node',
  severity: 'critical',
};
const labelsB = {
  alertname: 'HighCPUUsage',
  instance: 'web-2:9100',
  job: 'node',
  severity: 'warning',
  priority: 'p2',
};

function alert(labels: Record<string, string>, status: 'firing' | 'resolved'): NotifiedAlert {
  return {
    status,
    labels,
    annotations: {
      summary: `CPU usage is 93% on ${labels.instance}`,
      description: 'Above 80% for 5 minutes.',
    },
    startsAt: '2026-11-28T06:00:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-28T06:30:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu_usage+%3E+80',
    fingerprint: fingerprint(labels),
  };
}

function message(
  status: 'firing' | 'resolved',
  action: 'notify' | 'acknowledge' = 'notify',
): NotificationMessage {
  return {
    id: `ntf-${status}-${action}-0193a6f0`,
    tenantId: 'acme',
    receiver: 'infra',
    action,
    status,
    groupKey: '{}:{alertname="HighCPUUsage"}',
    groupLabels: { alertname: 'HighCPUUsage' },
    commonLabels: { alertname: 'HighCPUUsage', job: 'node' },
    commonAnnotations: { description: 'Above 80% for 5 minutes.' },
    externalURL: 'http://alertbase.example:8080',
    truncatedAlerts: 0,
    alerts: [alert(labelsA, status), alert(labelsB, status)],
  };
}

const ctx = (over: Partial<DeliveryContext> = {}): DeliveryContext => ({
  signal: new AbortController().signal,
  timeoutMs: 5_000,
  now: new Date(),
  allowPrivateNetworks: true,
  ...over,
});

const json = (r: RecordedRequest | undefined): Record<string, unknown> => {
  if (r === undefined) throw new Error('no request recorded');
  return JSON.parse(r.body) as Record<string, unknown>;
};

/** What a receiver got, whichever kind it is. */
type Received =
  | readonly RecordedRequest[]
  | readonly { readonly raw: string; readonly to: readonly string[] }[];

/** One channel type in the contract suite. */
interface Driver {
  readonly type: ChannelConfig['type'];
  start(): Promise<void>;
  stop(): Promise<void>;
  setMode(mode: ReceiverMode): void;
  /** Everything received since the last reset. */
  received(): Received;
  reset(): void;
  /** The channel's configuration (raw input), pointing at the receiver. */
  config(over?: Record<string, unknown>): Record<string, unknown>;
  /** A URL-bearing config field to point at `localhost` (for the SSRF case), or the SMTP host. */
  localhostConfig(): Record<string, unknown>;
  /** The secrets of the configuration, none of which may appear in a result. */
  readonly secrets: readonly string[];
  /** Status of a delivered attempt: the vendor's success answer, or 250 for SMTP. */
  readonly okStatus: number;
  /** Status and retry-after of the transient, rate-limited and permanent modes. */
  readonly failures: Readonly<
    Record<'transient' | 'rate-limited' | 'permanent', { status: number; retryAfterMs?: number }>
  >;
  /** Requests (or mails) one notification of two alerts makes. */
  readonly requestsPerMessage: number;
  /** Does the type forward an acknowledgement? */
  readonly forwardsAcknowledge: boolean;
  /** Does the type send resolved alerts by default? */
  readonly sendResolvedDefault: boolean;
  checkFiring(received: Received, m: NotificationMessage): void;
  checkResolved(received: Received, m: NotificationMessage): void;
  checkAcknowledge(received: Received, m: NotificationMessage): void;
}

const HTTP_FAILURES = {
  transient: { status: 500 },
  'rate-limited': { status: 429, retryAfterMs: 7_000 },
  permanent: { status: 400 },
} as const;

/** A driver over an HTTP receiver. */
function httpDriver(
  spec: Omit<
    Driver,
    'start' | 'stop' | 'setMode' | 'received' | 'reset' | 'config' | 'failures' | 'localhostConfig'
  > & {
    readonly ok: { status: number; body: string; contentType?: string };
    config(origin: string, over: Record<string, unknown>): Record<string, unknown>;
  },
): Driver {
  let receiver: HttpReceiver | undefined;
  const origin = (): string => {
    if (receiver === undefined) throw new Error('receiver not started');
    return receiver.origin;
  };
  return {
    ...spec,
    failures: HTTP_FAILURES,
    async start() {
      receiver = await startHttpReceiver(spec.ok);
    },
    async stop() {
      await receiver?.close();
    },
    setMode(mode) {
      if (receiver !== undefined) receiver.mode = mode;
    },
    received: () => receiver?.requests ?? [],
    reset() {
      receiver?.requests.splice(0);
    },
    config: (over = {}) => spec.config(origin(), over),
    localhostConfig: () => spec.config(origin().replace('127.0.0.1', 'localhost'), {}),
  };
}

const requestsOf = (received: Received): readonly RecordedRequest[] =>
  received.filter((r): r is RecordedRequest => 'headers' in r);

/** Independent Standard Webhooks verification, per the specification. */
function verifySignature(r: RecordedRequest, secret: string): boolean {
  const id = String(r.headers['webhook-id']);
  const timestamp = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${r.body}`)
    .digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

const webhook = httpDriver({
  type: 'webhook',
  ok: { status: 200, body: '' },
  config: (origin, over) => ({
    type: 'webhook',
    url: `${origin}/hook`,
    bearerToken: TOKEN,
    signingSecret: SIGNING_SECRET,
    ...over,
  }),
  secrets: [TOKEN, SIGNING_SECRET],
  okStatus: 200,
  requestsPerMessage: 1,
  forwardsAcknowledge: false,
  sendResolvedDefault: true,
  checkFiring(received, m) {
    const [r] = requestsOf(received);
    expect(r?.method).toBe('POST');
    expect(r?.path).toBe('/hook');
    expect(r?.headers['content-type']).toBe('application/json');
    expect(r?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r?.headers['webhook-id']).toBe(m.id);
    // Alertmanager's webhook payload version 4, exactly.
    expect(json(r)).toEqual({
      receiver: 'infra',
      status: 'firing',
      alerts: m.alerts.map((a) => ({
        status: 'firing',
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
      })),
      groupLabels: m.groupLabels,
      commonLabels: m.commonLabels,
      commonAnnotations: m.commonAnnotations,
      externalURL: m.externalURL,
      version: '4',
      groupKey: m.groupKey,
      truncatedAlerts: 0,
    });
    if (r === undefined) return;
    expect(verifySignature(r, SIGNING_SECRET)).toBe(true);
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(r.headers[h]),
      ]),
    );
    expect(new Webhook(SIGNING_SECRET).verify(r.body, headers)).toEqual(JSON.parse(r.body));
  },
  checkResolved(received) {
    const body = json(requestsOf(received)[0]);
    expect(body.status).toBe('resolved');
    expect((body.alerts as { status: string }[]).map((a) => a.status)).toEqual([
      'resolved',
      'resolved',
    ]);
  },
  checkAcknowledge(received) {
    expect(received).toEqual([]);
  },
});

const slack = httpDriver({
  type: 'slack',
  ok: { status: 200, body: 'ok', contentType: 'text/plain' },
  config: (origin, over) => ({
    type: 'slack',
    webhookUrl: `${origin}/services/T000/B000/slack-url-s3cr3t`,
    channel: '#ops',
    ...over,
  }),
  secrets: ['slack-url-s3cr3t'],
  okStatus: 200,
  requestsPerMessage: 1,
  forwardsAcknowledge: true,
  sendResolvedDefault: false,
  checkFiring(received) {
    const [r] = requestsOf(received);
    expect(r?.path).toBe('/services/T000/B000/slack-url-s3cr3t');
    const body = json(r);
    expect(body.channel).toBe('#ops');
    expect(body.text).toBe('[FIRING:2] HighCPUUsage (node)');
    const [attachment] = body.attachments as Record<string, unknown>[];
    expect(attachment?.color).toBe('#C62828');
    expect(attachment?.title).toBe('[FIRING:2] HighCPUUsage (node)');
    expect(attachment?.title_link).toBe('http://alertbase.example:8080');
    expect(attachment?.text).toContain('*Firing:* CPU usage is 93% on web-1:9100');
    expect(attachment?.text).toContain('CPU usage is 93% on web-2:9100');
  },
  checkResolved(received) {
    const body = json(requestsOf(received)[0]);
    expect(body.text).toBe('[RESOLVED] HighCPUUsage (node)');
    expect((body.attachments as Record<string, unknown>[])[0]?.color).toBe('#2E7D32');
  },
  checkAcknowledge(received) {
    const body = json(requestsOf(received)[0]);
    expect(body.text).toBe('[ACKNOWLEDGED] HighCPUUsage (node): acknowledged in alertbase');
    expect(body.channel).toBe('#ops');
  },
});

const pagerduty = httpDriver({
  type: 'pagerduty',
  ok: {
    status: 202,
    body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
  },
  config: (origin, over) => ({
    type: 'pagerduty',
    routingKey: ROUTING_KEY,
    url: `${origin}/v2/enqueue`,
    ...over,
  }),
  secrets: [ROUTING_KEY],
  okStatus: 202,
  requestsPerMessage: 2,
  forwardsAcknowledge: true,
  sendResolvedDefault: true,
  checkFiring(received, m) {
    const requests = requestsOf(received);
    expect(requests.map((r) => r.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [a, b] = requests.map(json);
    expect(a).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: m.alerts[0]?.fingerprint,
      payload: {
        summary: 'CPU usage is 93% on web-1:9100',
        source: 'web-1:9100',
        severity: 'critical',
        timestamp: '2026-11-28T06:00:00Z',
        component: 'node',
        group: 'HighCPUUsage',
        custom_details: {
          labels: labelsA,
          annotations: m.alerts[0]?.annotations,
          tenant: 'acme',
          receiver: 'infra',
        },
      },
      client: 'alertbase',
      client_url: 'http://alertbase.example:8080',
      links: [{ href: m.alerts[0]?.generatorURL, text: 'Source' }],
    });
    expect(b?.dedup_key).toBe(m.alerts[1]?.fingerprint);
    expect(b?.payload).toMatchObject({ severity: 'warning' });
  },
  checkResolved(received, m) {
    expect(requestsOf(received).map(json)).toEqual(
      m.alerts.map((a) => ({
        routing_key: ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: a.fingerprint,
      })),
    );
  },
  checkAcknowledge(received, m) {
    expect(requestsOf(received).map(json)).toEqual(
      m.alerts.map((a) => ({
        routing_key: ROUTING_KEY,
        event_action: 'acknowledge',
        dedup_key: a.fingerprint,
      })),
    );
  },
});

const opsgenie = httpDriver({
  type: 'opsgenie',
  ok: { status: 202, body: '{"result":"Request will be processed","took":0.2,"requestId":"r"}' },
  config: (origin, over) => ({
    type: 'opsgenie',
    apiKey: GENIE_KEY,
    apiUrl: origin,
    responders: ['ops', 'oncall@example.com'],
    ...over,
  }),
  secrets: [GENIE_KEY],
  okStatus: 202,
  requestsPerMessage: 2,
  forwardsAcknowledge: true,
  sendResolvedDefault: true,
  checkFiring(received, m) {
    const requests = requestsOf(received);
    expect(requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/v2/alerts', `GenieKey ${GENIE_KEY}`],
      ['/v2/alerts', `GenieKey ${GENIE_KEY}`],
    ]);
    const [a, b] = requests.map(json);
    expect(a).toMatchObject({
      message: 'CPU usage is 93% on web-1:9100',
      alias: m.alerts[0]?.fingerprint,
      responders: [
        { type: 'team', name: 'ops' },
        { type: 'user', username: 'oncall@example.com' },
      ],
      tags: ['alertname=HighCPUUsage'],
      details: labelsA,
      entity: 'web-1:9100',
      source: 'alertbase',
      priority: 'P1',
    });
    expect(String(a?.description)).toContain('Above 80% for 5 minutes.');
    // The priority label wins over the severity (warning would be P3).
    expect(b).toMatchObject({ alias: m.alerts[1]?.fingerprint, priority: 'P2' });
  },
  checkResolved(received, m) {
    const requests = requestsOf(received);
    expect(requests.map((r) => r.path)).toEqual(
      m.alerts.map((a) => `/v2/alerts/${a.fingerprint}/close?identifierType=alias`),
    );
    expect(json(requests[0])).toEqual({ source: 'alertbase', note: 'Resolved' });
  },
  checkAcknowledge(received, m) {
    expect(requestsOf(received).map((r) => r.path)).toEqual(
      m.alerts.map((a) => `/v2/alerts/${a.fingerprint}/acknowledge?identifierType=alias`),
    );
  },
});

const teams = httpDriver({
  type: 'teams',
  ok: { status: 200, body: '1', contentType: 'text/plain' },
  config: (origin, over) => ({
    type: 'teams',
    webhookUrl: `${origin}/webhookb2/teams-url-s3cr3t`,
    ...over,
  }),
  secrets: ['teams-url-s3cr3t'],
  okStatus: 200,
  requestsPerMessage: 1,
  forwardsAcknowledge: true,
  sendResolvedDefault: true,
  checkFiring(received) {
    const body = json(requestsOf(received)[0]);
    expect(body.type).toBe('message');
    const [attachment] = body.attachments as Record<string, unknown>[];
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment?.content as Record<string, unknown>;
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [{ type: 'Action.OpenUrl', url: 'http://alertbase.example:8080' }],
    });
    const texts = (card.body as { type: string; text: string }[]).map((b) => b.text);
    expect(texts[0]).toBe('[FIRING:2] HighCPUUsage (node)');
    expect(texts).toContain('**Firing:** CPU usage is 93% on web-2:9100');
  },
  checkResolved(received) {
    const body = json(requestsOf(received)[0]);
    const card = (body.attachments as { content: { body: { text: string; color: string }[] } }[])[0]
      ?.content;
    expect(card?.body[0]).toMatchObject({ text: '[RESOLVED] HighCPUUsage (node)', color: 'Good' });
  },
  checkAcknowledge(received) {
    const body = json(requestsOf(received)[0]);
    const card = (body.attachments as { content: { body: { text: string }[] } }[])[0]?.content;
    expect(card?.body.map((b) => b.text)).toEqual([
      '[ACKNOWLEDGED] HighCPUUsage (node)',
      'Acknowledged in alertbase.',
    ]);
  },
});

function emailDriver(): Driver {
  let receiver: SmtpReceiver | undefined;
  const port = (): number => {
    if (receiver === undefined) throw new Error('receiver not started');
    return receiver.port;
  };
  const smtp = (host: string) => ({
    smarthost: `${host}:${port()}`,
    authUsername: 'alertbase',
    authPassword: SMTP_PASSWORD,
    requireTls: false,
  });
  const mails = (received: Received) =>
    received.filter((m): m is { raw: string; to: readonly string[] } => 'raw' in m);
  return {
    type: 'email',
    async start() {
      receiver = await startSmtpReceiver();
    },
    async stop() {
      await receiver?.close();
    },
    setMode(mode) {
      if (receiver !== undefined) receiver.mode = mode;
    },
    received: () => receiver?.mails ?? [],
    reset() {
      receiver?.mails.splice(0);
      receiver?.logins.splice(0);
    },
    config: (over = {}) => ({
      type: 'email',
      to: ['oncall@example.com', 'sre@example.com'],
      from: 'alertbase@example.com',
      subjectPrefix: '[acme]',
      smtp: smtp('127.0.0.1'),
      ...over,
    }),
    localhostConfig: () => ({
      type: 'email',
      to: ['oncall@example.com'],
      from: 'alertbase@example.com',
      smtp: smtp('localhost'),
    }),
    secrets: [SMTP_PASSWORD],
    okStatus: 250,
    failures: {
      transient: { status: 451 },
      'rate-limited': { status: 452 },
      permanent: { status: 535 },
    },
    requestsPerMessage: 1,
    forwardsAcknowledge: false,
    sendResolvedDefault: false,
    checkFiring(received, m) {
      const [mail] = mails(received);
      expect(mail?.to).toEqual(['oncall@example.com', 'sre@example.com']);
      const headers = mailHeaders(mail?.raw ?? '');
      expect(headers.subject).toBe('[acme] [FIRING:2] HighCPUUsage (node)');
      expect(headers.from).toBe('alertbase@example.com');
      expect(headers['message-id']).toBe(`<${m.id}@alertbase.notify>`);
      expect(headers['x-alertbase-notification-id']).toBe(m.id);
      expect(mail?.raw).toContain('multipart/alternative');
      expect(mail?.raw).toContain('CPU usage is 93% on web-1:9100');
      expect(receiver?.logins).toEqual([`alertbase:${SMTP_PASSWORD}`]);
    },
    checkResolved(received) {
      const [mail] = mails(received);
      expect(mailHeaders(mail?.raw ?? '').subject).toBe('[acme] [RESOLVED] HighCPUUsage (node)');
    },
    checkAcknowledge(received) {
      expect(received).toEqual([]);
    },
  };
}

const DRIVERS: readonly Driver[] = [webhook, slack, pagerduty, opsgenie, teams, emailDriver()];

describe.each(DRIVERS)('channel contract: $type', (driver) => {
  beforeAll(() => driver.start());
  afterAll(() => driver.stop());
  beforeEach(() => {
    driver.reset();
    driver.setMode('ok');
  });

  const parse = (over: Record<string, unknown> = {}): ChannelConfig =>
    ChannelConfig.parse(driver.config({ sendResolved: true, ...over }));
  const send = (config: ChannelConfig, m: NotificationMessage, c: DeliveryContext = ctx()) =>
    senderFor(config).send(config, m, c);

  it('delivers a firing notification in the shape the vendor documents', async () => {
    const m = message('firing');
    const result = await send(parse(), m);
    expect(result).toEqual({
      ok: true,
      retryable: false,
      status: driver.okStatus,
      requests: driver.requestsPerMessage,
    });
    expect(driver.received()).toHaveLength(driver.requestsPerMessage);
    driver.checkFiring(driver.received(), m);
  });

  it('delivers a resolved notification', async () => {
    const m = message('resolved');
    const result = await send(parse(), m);
    expect(result.ok).toBe(true);
    driver.checkResolved(driver.received(), m);
  });

  it(`sendResolved defaults to ${driver.sendResolvedDefault}; off, resolved alerts are left out`, async () => {
    const defaults = ChannelConfig.parse(driver.config());
    expect(defaults.sendResolved).toBe(driver.sendResolvedDefault);
    const off = parse({ sendResolved: false });
    expect(await send(off, message('resolved'))).toEqual({
      ok: true,
      retryable: false,
      skipped: true,
      requests: 0,
    });
    expect(driver.received()).toEqual([]);
    // A group with one firing and one resolved alert: only the firing one goes out.
    const mixed = message('firing');
    const one = {
      ...mixed,
      alerts: [mixed.alerts[0] as NotifiedAlert, alert(labelsB, 'resolved')],
    };
    const result = await send(off, one);
    expect(result.ok).toBe(true);
    expect(result.requests).toBe(1);
  });

  it(`an acknowledgement is ${driver.forwardsAcknowledge ? 'forwarded' : 'skipped'}`, async () => {
    const m = message('firing', 'acknowledge');
    const result = await send(parse(), m);
    expect(result.ok).toBe(true);
    expect(result.skipped === true).toBe(!driver.forwardsAcknowledge);
    driver.checkAcknowledge(driver.received(), m);
  });

  it.each(['transient', 'rate-limited'] as const)('%s failure → retryable', async (mode) => {
    driver.setMode(mode);
    const result = await send(parse(), message('firing'));
    const expected = driver.failures[mode];
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      status: expected.status,
      code:
        driver.type === 'email'
          ? 'ALERTBASE_DELIVERY_SMTP_REPLY'
          : 'ALERTBASE_DELIVERY_HTTP_STATUS',
      requests: 1,
    });
    expect(result.retryAfterMs).toBe(expected.retryAfterMs);
  });

  it('permanent failure → not retryable, and no secret in the result', async () => {
    driver.setMode('permanent');
    const result = await send(parse(), message('firing'));
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      status: driver.failures.permanent.status,
    });
    // The receiver echoed the request (or the password) back: it is masked.
    expect(result.error).toContain('**********');
    const text = JSON.stringify(result);
    for (const secret of driver.secrets) expect(text).not.toContain(secret);
  });

  it('no answer within the timeout → retryable timeout', async () => {
    driver.setMode('hang');
    const started = Date.now();
    const result = await send(parse(), message('firing'), ctx({ timeoutMs: 300 }));
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      code: 'ALERTBASE_DELIVERY_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('an aborted attempt ends at once, retryable', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await send(parse(), message('firing'), ctx({ signal: controller.signal }));
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      code: 'ALERTBASE_DELIVERY_ABORTED',
    });
    expect(driver.received()).toEqual([]);
  });

  it('refuses loopback by name unless private networks are allowed; nothing is sent', async () => {
    const config = ChannelConfig.parse(driver.localhostConfig());
    const result = await send(config, message('firing'), ctx({ allowPrivateNetworks: false }));
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      code: 'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
    });
    expect(result.error).toContain('localhost');
    expect(driver.received()).toEqual([]);
    const allowed = await send(config, message('firing'), ctx({ allowPrivateNetworks: true }));
    expect(allowed.ok).toBe(true);
  });
});
