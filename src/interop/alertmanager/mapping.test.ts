import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../base/utils/fingerprint.js';
import {
  FINGERPRINT_MISMATCH,
  fromPostableAlert,
  GO_ZERO_TIME,
  isGoZeroTime,
  optionalGoTime,
  PostableAlert,
  postableToAlerts,
  WebhookAlert,
  WebhookPayload,
  webhookToAlerts,
} from './index.js';

const NOW = new Date('2026-11-28T06:10:00Z');

describe("Go's time", () => {
  it('knows the zero time in the forms Go prints it', () => {
    expect(isGoZeroTime(GO_ZERO_TIME)).toBe(true);
    expect(isGoZeroTime('0001-01-01T00:00:00.000000000Z')).toBe(true);
    expect(isGoZeroTime('0001-01-01T00:00:00+00:00')).toBe(true);
    expect(isGoZeroTime('2026-01-01T00:00:00Z')).toBe(false);
    expect(optionalGoTime(GO_ZERO_TIME)).toBeUndefined();
    expect(optionalGoTime('')).toBeUndefined();
    expect(optionalGoTime(null)).toBeUndefined();
    expect(optionalGoTime(undefined)).toBeUndefined();
    expect(optionalGoTime('2026-11-28T06:00:00.123456789Z')).toBe('2026-11-28T06:00:00.123456789Z');
  });
});

describe('postable alerts', () => {
  it('maps a firing alert: level from severity, priority from level, fingerprint', () => {
    const labels = { alertname: 'Up', severity: 'Warning' };
    const alert = fromPostableAlert(
      PostableAlert.parse({ labels, endsAt: '2026-11-28T06:14:00.5Z', generatorURL: ' ' }),
      { now: NOW, levelPriorities: { medium: 'P2', high: 'P1' } },
    );
    expect(alert).toEqual({
      labels,
      annotations: {},
      level: 'medium',
      priority: 'P2',
      status: 'firing',
      endsAt: '2026-11-28T06:14:00.5Z',
      generatorURL: null,
      fingerprint: fingerprint(labels),
    });
  });

  it('resolves an alert whose endsAt passed; no severity gives the default level', () => {
    const [item] = postableToAlerts(
      [{ labels: { alertname: 'Up' }, endsAt: '2026-11-28T06:09:59Z', startsAt: GO_ZERO_TIME }],
      {
        now: NOW,
        defaultLevel: 'low',
      },
    );
    expect(item?.ok && item.alert).toMatchObject({
      status: 'resolved',
      level: 'low',
      priority: 'P4',
    });
    expect(item?.ok && 'startsAt' in item.alert).toBe(false);
  });

  it('reports bad items on their own, with paths within the alert', () => {
    const items = postableToAlerts([{ labels: { a: 'b' } }, { labels: 'nope' }, 7]);
    expect(items.map((i) => i.ok)).toEqual([true, false, false]);
    const bad = items[1];
    expect(bad?.ok === false && bad.issues.map((i) => i.pointer)).toEqual(['/labels']);
    expect(() => postableToAlerts({ labels: {} })).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_VALIDATION_FAILED' }),
    );
  });
});

describe('webhook payload version 4', () => {
  const payload = (alerts: unknown[], extra: Record<string, unknown> = {}) => ({
    version: '4',
    status: 'firing',
    receiver: 'alertbase',
    alerts,
    ...extra,
  });

  it('maps alerts, trusting their status, and checks their fingerprint', () => {
    const labels = { alertname: 'X' };
    const { payload: envelope, items } = webhookToAlerts(
      payload([
        {
          status: 'resolved',
          labels,
          endsAt: '2026-11-28T06:00:00Z',
          fingerprint: fingerprint(labels).toUpperCase(),
        },
        { status: 'firing', labels, fingerprint: 'ffffffffffffffff' },
        { status: 'firing', labels, fingerprint: '' },
      ]),
    );
    expect(envelope.groupKey).toBe('');
    expect(items[0]?.ok && items[0].alert.status).toBe('resolved');
    const mismatch = items[1];
    expect(mismatch?.ok === false && mismatch.issues[0]?.code).toBe(FINGERPRINT_MISMATCH);
    expect(items[2]?.ok).toBe(true);
  });

  it('refuses another version', () => {
    expect(() => webhookToAlerts(payload([], { version: '3' }))).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_VALIDATION_FAILED' }),
    );
  });

  it('ships examples that validate', () => {
    for (const model of [PostableAlert, WebhookAlert, WebhookPayload]) {
      for (const example of model.examples) expect(model.safeParse(example).success).toBe(true);
    }
  });
});
