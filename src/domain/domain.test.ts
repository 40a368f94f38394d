import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../base/exceptions/index.js';
import { AuditMixin } from '../base/mixins/index.js';
import { type AnyModel, defineModel } from '../base/types/model.js';
import { fingerprint } from '../base/utils/fingerprint.js';
import {
  Alert,
  AlertRule,
  ApiKey,
  AuditEvent,
  NotificationChannel,
  newWebhookSigningSecret,
  Silence,
  Tenant,
} from './index.js';

const MODELS: readonly AnyModel[] = [
  Tenant,
  AlertRule,
  Alert,
  NotificationChannel,
  Silence,
  ApiKey,
  AuditEvent,
];

function codes(fn: () => unknown): [string, string, string?][] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError)
      return err.issues.map((i) =>
        i.branch ? [i.pointer, i.code, i.branch] : [i.pointer, i.code],
      );
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('every domain model', () => {
  it.each(MODELS.map((m) => [m.name, m] as const))(
    '%s ships an example that validates and round-trips',
    (_name, model) => {
      expect(model.examples.length).toBeGreaterThan(0);
      for (const example of model.examples) {
        const instance = model.parse(example);
        const again = model.parse(
          model.dump(instance, { mode: 'json', byAlias: true, revealSecrets: true }),
        );
        // Stored fields only: computed ones such as an open alert's duration depend on the clock.
        const stored = { mode: 'json', revealSecrets: true, computed: false } as const;
        expect(model.dump(again, stored)).toEqual(model.dump(instance, stored));
      }
    },
  );

  it.each(MODELS.map((m) => [m.name, m] as const))(
    '%s has a JSON Schema with its example',
    (_name, model) => {
      const schema = model.toJSONSchema();
      expect(schema.title).toBe(model.name);
      expect(schema.examples).toEqual(model.examples);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    },
  );
});

describe('AlertRule', () => {
  const base = {
    tenantId: 'acme',
    name: 'cpu',
    level: 'high',
    priority: 'p2',
    condition: 'cpu_usage > 80',
  };

  it('is the seed example: lowercase priority accepted, emitted uppercase, for parsed', () => {
    const rule = AlertRule.parse({ ...base, for: '1h30m' });
    expect(rule.priority).toBe('P2');
    expect(rule.for).toBe(5_400_000);
    expect(rule.enabled).toBe(true);
    expect(rule.version).toBe(1);
    expect(rule.deletedAt).toBeNull();
    expect(AlertRule.mixins).toEqual([
      'AuditMixin',
      'MetadataMixin',
      'SoftDeleteMixin',
      'TenantMixin',
      'TimestampMixin',
      'VersionedMixin',
    ]);
  });

  it('rejects a condition that is not PromQL, with its position', () => {
    const result = AlertRule.safeParse({ ...base, condition: 'DROP TABLE alerts' });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error.issues).toEqual([
        expect.objectContaining({
          pointer: '/condition',
          code: 'invalid_promql',
          line: 1,
          column: 6,
        }),
      ]);
    }
  });

  it('rejects label and annotation templates Prometheus cannot parse, with their position', () => {
    const result = AlertRule.safeParse({
      ...base,
      labels: { copy: '{{ $labels.instance }}', bad: 'x {{ humanise $value }}' },
      annotations: { summary: 'plain text }}', run: '{{ exec "id" }}' },
    });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error.issues.map((i) => [i.code, i.pointer, i.line, i.column])).toEqual([
        ['invalid_template', '/labels/bad', 1, 6],
        ['invalid_template', '/annotations/run', 1, 4],
      ]);
    }
  });

  it('rejects duplicate channels, reserved labels and a bad for', () => {
    const id = '0193b6a2-7c4e-7a11-8f00-1a2b3c4d5e6f';
    expect(
      codes(() =>
        AlertRule.parse({
          ...base,
          channelIds: [id, id],
          labels: { __name__: 'x' },
          for: '5 minutes',
        }),
      ).map(([p]) => p),
    ).toEqual(['/for', '/channelIds', '/labels/__name__']);
  });
});

describe('Alert', () => {
  const base = {
    tenantId: 'acme',
    labels: { alertname: 'Up', job: 'api' },
    level: 'critical',
    priority: 'P1',
  };

  it('computes the Alertmanager fingerprint, duration and activity', () => {
    const alert = Alert.parse({
      ...base,
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2026-01-01T00:05:00Z',
    });
    expect(alert.fingerprint).toBe(fingerprint({ alertname: 'Up', job: 'api' }));
    expect(alert.durationMs).toBe(300_000);
    expect(alert.isActive).toBe(true);
    expect(Alert.dump(alert, { byAlias: true, mode: 'json' })).toMatchObject({
      fingerprint: alert.fingerprint,
      duration_ms: 300_000,
      is_active: true,
    });
    expect(Alert.update(alert, { status: 'resolved' }).isActive).toBe(false);
  });

  it('needs at least one label; accepts Go nanosecond timestamps', () => {
    expect(codes(() => Alert.parse({ ...base, labels: {} }))).toEqual([['/labels', 'custom']]);
    const alert = Alert.parse({ ...base, startsAt: '2026-11-28T06:00:00.123456789Z' });
    expect(alert.startsAt.toISOString()).toBe('2026-11-28T06:00:00.123Z');
  });
});

describe('NotificationChannel', () => {
  const slack = {
    tenantId: 'acme',
    name: 'slack',
    config: {
      type: 'slack',
      webhookUrl: 'https://hooks.slack.com/services/T0/B0/secretpart',
      channel: '#ops',
    },
  };

  it('keeps the webhook URL secret', () => {
    const channel = NotificationChannel.parse(slack);
    expect(channel.type).toBe('slack');
    for (const text of [
      JSON.stringify(channel),
      inspect(channel, { depth: 5 }),
      JSON.stringify(NotificationChannel.dump(channel, { mode: 'json' })),
    ]) {
      expect(text).not.toContain('secretpart');
    }
    if (channel.config.type !== 'slack') throw new Error('expected slack');
    expect(channel.config.webhookUrl.reveal()).toBe(slack.config.webhookUrl);
  });

  it("gives every type sendResolved with Alertmanager's defaults", () => {
    const defaults = Object.fromEntries(
      [
        { type: 'webhook', url: 'https://h.example.com/x' },
        { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/a' },
        { type: 'pagerduty', routingKey: 'a'.repeat(32) },
        { type: 'opsgenie', apiKey: 'k' },
        { type: 'teams', webhookUrl: 'https://t.example.com/webhookb2/x' },
        { type: 'email', to: ['a@example.com'] },
      ].map((config) => {
        const c = NotificationChannel.parse({ ...slack, config }).config;
        return [c.type, c.sendResolved];
      }),
    );
    expect(defaults).toEqual({
      webhook: true,
      slack: false,
      pagerduty: true,
      opsgenie: true,
      teams: true,
      email: false,
    });
  });

  it('keeps the new secrets out of every dump: Teams URL, signing secret, SMTP password', () => {
    const signing = newWebhookSigningSecret();
    expect(signing).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    for (const config of [
      { type: 'teams', webhookUrl: 'https://t.example.com/webhookb2/teamssecret' },
      { type: 'webhook', url: 'https://h.example.com/x', signingSecret: signing },
      {
        type: 'email',
        to: ['a@example.com'],
        smtp: { smarthost: 'smtp.example.com:587', authUsername: 'u', authPassword: 'smtppass' },
      },
    ]) {
      const channel = NotificationChannel.parse({ ...slack, config });
      for (const text of [
        JSON.stringify(channel),
        inspect(channel, { depth: 8 }),
        JSON.stringify(NotificationChannel.dump(channel, { mode: 'json' })),
      ]) {
        for (const secret of ['teamssecret', signing, 'smtppass'])
          expect(text).not.toContain(secret);
      }
    }
  });

  it('checks signing secrets, smarthosts and PagerDuty severities', () => {
    const bad = (config: Record<string, unknown>) =>
      codes(() => NotificationChannel.parse({ ...slack, config }));
    const url = 'https://h.example.com/x';
    expect(bad({ type: 'webhook', url, signingSecret: 'secret' })).toEqual([
      ['/config/signingSecret', 'invalid_format', 'type=webhook'],
    ]);
    // 8 bytes: too short a key.
    expect(bad({ type: 'webhook', url, signingSecret: 'whsec_AAAAAAAAAAA=' })).toEqual([
      ['/config/signingSecret', 'custom', 'type=webhook'],
    ]);
    for (const smarthost of [
      'smtp.example.com',
      'smtp.example.com:0',
      'smtp.example.com:70000',
      ':25',
    ]) {
      expect(bad({ type: 'email', to: ['a@example.com'], smtp: { smarthost } })[0]?.[0]).toBe(
        '/config/smtp/smarthost',
      );
    }
    const ok = NotificationChannel.parse({
      ...slack,
      config: { type: 'email', to: ['a@example.com'], smtp: { smarthost: '[::1]:25' } },
    });
    expect(ok.config.type === 'email' && ok.config.smtp?.requireTls).toBe(true);
    expect(bad({ type: 'pagerduty', routingKey: 'a'.repeat(32), severity: 'high' })).toEqual([
      ['/config/severity', 'invalid_value', 'type=pagerduty'],
    ]);
  });

  it('reports the branch tried and the allowed types', () => {
    expect(
      codes(() =>
        NotificationChannel.parse({ ...slack, config: { type: 'pagerduty', routingKey: 'short' } }),
      ),
    ).toEqual([['/config/routingKey', 'invalid_format', 'type=pagerduty']]);
    expect(codes(() => NotificationChannel.parse({ ...slack, config: { type: 'fax' } }))).toEqual([
      ['/config/type', 'invalid_discriminator'],
    ]);
    expect(
      codes(() => NotificationChannel.parse({ ...slack, config: { type: 'email', to: [] } })),
    ).toEqual([['/config/to', 'too_small', 'type=email']]);
  });
});

describe('Silence', () => {
  const base = {
    tenantId: 'acme',
    matchers: [{ name: 'alertname', value: 'Up', isRegex: false }],
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2026-01-01T01:00:00Z',
    createdBy: 'ops',
    comment: 'maintenance',
  };

  it('defaults isEqual and refuses an end before the start (equal times: expired before it started)', () => {
    expect(Silence.parse(base).matchers[0]?.isEqual).toBe(true);
    expect(Silence.parse(base).isActive).toBe(false);
    expect(codes(() => Silence.parse({ ...base, endsAt: '2025-12-31T23:00:00Z' }))).toEqual([
      ['/endsAt', 'ends_before_start'],
    ]);
    expect(Silence.parse({ ...base, endsAt: base.startsAt }).endsAt).toEqual(
      new Date(base.startsAt),
    );
    expect(codes(() => Silence.parse({ ...base, matchers: [] }))).toEqual([
      ['/matchers', 'too_small'],
    ]);
  });

  it("cannot take the AuditMixin: its createdBy is Alertmanager's, a required string", () => {
    expect(() =>
      defineModel('SilenceWithAudit', {
        fields: Silence.shape,
        mixins: [AuditMixin],
        register: false,
      }),
    ).toThrow(expect.objectContaining({ code: 'ALERTBASE_MODEL_DEFINITION_INVALID' }));
  });
});

describe('Tenant, ApiKey, AuditEvent', () => {
  it('tenant settings: time zone and priority overrides are checked', () => {
    const t = Tenant.parse({ id: 'acme', name: 'Acme' });
    expect(t.settings).toEqual({
      timezone: 'UTC',
      levelPriorities: {},
      allowPrivateNetworks: false,
    });
    expect(t.tier).toBe('free');
    // UTC is accepted without Intl; any other zone goes through it.
    for (const timezone of ['UTC', 'Europe/Paris', 'America/New_York']) {
      expect(
        Tenant.parse({ id: 'acme', name: 'Acme', settings: { timezone } }).settings.timezone,
      ).toBe(timezone);
    }
    expect(
      codes(() =>
        Tenant.parse({ id: 'acme', name: 'Acme', settings: { timezone: 'Mars/Olympus' } }),
      ),
    ).toEqual([['/settings/timezone', 'custom']]);
    expect(
      codes(() =>
        Tenant.parse({ id: 'acme', name: 'Acme', settings: { levelPriorities: { info: 'P1' } } }),
      ),
    ).toEqual([['/settings/levelPriorities/info', 'priority_order']]);
  });

  it('api keys hide their hash and know when they are usable', () => {
    const example = ApiKey.examples[0];
    if (example === undefined) throw new Error('no example');
    const key = ApiKey.parse({ ...example, expiresAt: '2020-01-01T00:00:00Z' });
    expect(key.isUsable).toBe(false);
    expect(JSON.stringify(key)).not.toContain(String(example.keyHash));
    expect(ApiKey.parse({ ...example, expiresAt: null }).isUsable).toBe(true);
    expect(
      ApiKey.parse({ ...example, expiresAt: null, revokedAt: '2026-01-01T00:00:00Z' }).isUsable,
    ).toBe(false);
  });

  it('audit events need digests', () => {
    const example = AuditEvent.examples[0];
    if (example === undefined) throw new Error('no example');
    expect(
      codes(() => AuditEvent.parse({ ...example, hash: 'abc', action: 'explode' }))
        .map(([p]) => p)
        .sort(),
    ).toEqual(['/action', '/hash']);
  });
});
