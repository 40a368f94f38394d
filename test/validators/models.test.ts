import { describe, expect, it } from 'vitest';
import { TenantIsolationError } from '../../src/base/exceptions/index.js';
import {
  BusinessRuleValidator,
  ConsistencyValidator,
  composeValidators,
  createValidator,
  PerformanceValidator,
  SecurityValidator,
  ValidationResult,
} from '../../src/base/validators/index.js';
import { Alert } from '../../src/domain/alert.js';
import { AlertRule } from '../../src/domain/alert-rule.js';
import { NotificationChannel } from '../../src/domain/notification-channel.js';
import { Tenant } from '../../src/domain/tenant.js';

const rule = {
  tenantId: 'acme',
  name: 'High CPU Usage',
  level: 'high',
  priority: 'p2',
  condition: 'cpu_usage > 80',
  for: '5m',
  labels: { team: 'infra' },
  annotations: { summary: 'CPU usage is {{ $value }}% on {{ $labels.instance }}' },
};
const tenant = Tenant.parse({ id: 'acme', name: 'Acme', tier: 'free' });

describe('the five levels over the real models', () => {
  const validator = createValidator({ model: AlertRule, cache: false });

  it('a good rule passes every level (consistency reported as skipped without a lookup)', async () => {
    const r = await validator.validate(rule, { tenant });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.infos.map((i) => i.code)).toEqual(['consistency_skipped']);
    expect(r.isValid()).toBe(true);
  });

  it('syntax issues carry the model codes, wire-name paths and PromQL positions; later levels do not run', async () => {
    const r = await validator.validate({
      ...rule,
      condition: 'cpu_usage >',
      extra: 1,
      description: '<script>',
    });
    expect(r.errors.map((e) => [e.code, e.level, e.path]).sort()).toEqual([
      ['invalid_promql', 'syntax', '/condition'],
      ['unrecognized_key', 'syntax', '/extra'],
    ]);
    expect(r.errors.find((e) => e.code === 'invalid_promql')).toMatchObject({
      line: 1,
      column: 12,
    });
    expect(r.warnings).toEqual([]);
  });

  it('semantic checks read the parsed instance and point at wire names', async () => {
    const r = await validator.validate({ ...rule, level: 'critical', priority: 'P5', for: '2d' });
    expect(r.errors.map((e) => [e.code, e.level, e.path])).toEqual([
      ['for_too_long', 'semantic', '/for'],
      ['level_priority_mismatch', 'semantic', '/priority'],
    ]);
    const snake = await createValidator({ model: Alert, cache: false }).validate({
      tenant_id: 'acme',
      labels: { alertname: 'X' },
      level: 'high',
      priority: 'P2',
      starts_at: '2026-01-02T00:00:00Z',
      ends_at: '2026-01-01T00:00:00Z',
    });
    expect(snake.errors.map((e) => [e.code, e.path])).toEqual([['ends_before_starts', '/ends_at']]);
  });

  it('a template error in an annotation is found (the AlertRule model refuses it)', async () => {
    const r = await validator.validate({ ...rule, annotations: { summary: 'CPU {{ $value' } });
    expect(r.errors[0]).toMatchObject({
      code: 'invalid_template',
      level: 'syntax',
      path: '/annotations/summary',
    });
  });

  it('status transitions of an alert against the stored version', async () => {
    const v = createValidator({ model: Alert, cache: false });
    const alert = {
      tenantId: 'acme',
      labels: { alertname: 'X' },
      level: 'high',
      priority: 'P2',
      status: 'acknowledged',
    };
    const bad = await v.validate(alert, { previous: { status: 'resolved' } });
    expect(bad.errors.map((e) => [e.code, e.path])).toEqual([
      ['invalid_status_transition', '/status'],
    ]);
    const ok = await v.validate(alert, { previous: { status: 'firing' } });
    expect(ok.isValid()).toBe(true);
  });

  it('security: secrets, SSRF in a webhook channel and a generator URL; tenant isolation', async () => {
    const secret = await validator.validate({ ...rule, labels: { key: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(secret.errors[0]).toMatchObject({
      code: 'secret_detected',
      level: 'security',
      path: '/labels/key',
      sensitivity: 'high',
    });
    const channel = await createValidator({ model: NotificationChannel, cache: false }).validate({
      tenantId: 'acme',
      name: 'ops',
      config: { type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' },
    });
    expect(channel.errors.map((e) => [e.code, e.path])).toEqual([
      ['ssrf_cloud_metadata', '/config/url'],
    ]);
    const alert = await createValidator({ model: Alert, cache: false }).validate(
      {
        tenantId: 'acme',
        labels: { alertname: 'X' },
        level: 'high',
        priority: 'P2',
        generatorURL: 'http://2130706433/graph',
      },
      { tenant },
    );
    // A generator URL is a link alertbase never requests: a warning, and the alert is valid.
    expect(alert.errors).toEqual([]);
    expect(alert.warnings.map((e) => [e.code, e.path])).toEqual([
      ['ssrf_loopback', '/generatorURL'],
    ]);
    const allowed = Tenant.parse({
      id: 'acme',
      name: 'Acme',
      settings: { allowPrivateNetworks: true },
    });
    const ok = await createValidator({ model: Alert, cache: false }).validate(
      {
        tenantId: 'acme',
        labels: { alertname: 'X' },
        level: 'high',
        priority: 'P2',
        generatorURL: 'http://10.0.0.1/graph',
      },
      { tenant: allowed },
    );
    expect(ok.isValid()).toBe(true);
    await expect(
      validator.validate({ ...rule, tenantId: 'globex' }, { tenant }),
    ).rejects.toBeInstanceOf(TenantIsolationError);
  });

  it('labels named constructor and prototype (legal in Prometheus) pass every level', async () => {
    const r = await validator.validate({ ...rule, labels: { constructor: 'x', prototype: 'y' } });
    expect(r.errors).toEqual([]);
  });

  it('consistency with a lookup: channels of the tenant, unique names, the free tier quota', async () => {
    const ok = '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10';
    const other = '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d11';
    const lookup = {
      findEntities: (_k: string, ids: readonly string[]) =>
        ids.filter((i) => i === ok).map((id) => ({ id, tenantId: 'acme' })),
      findIdByName: () => undefined,
      countEntities: () => 50,
    };
    const r = await validator.validate({ ...rule, channelIds: [ok, other] }, { tenant, lookup });
    expect(r.errors.map((e) => [e.code, e.level, e.path])).toEqual([
      ['unknown_reference', 'consistency', '/channelIds/1'],
      ['quota_exceeded', 'consistency', ''],
    ]);
  });
});

describe('the seed validator classes', () => {
  it("the seed's CustomValidator works as written", async () => {
    class CustomValidator extends composeValidators(BusinessRuleValidator, SecurityValidator) {
      validateAlertCondition(condition: string): ValidationResult {
        // Custom business logic validation
        const result = new ValidationResult();
        if (condition.toUpperCase().includes('DROP TABLE')) {
          result.addError('SQL injection attempt detected');
        }
        return result;
      }
    }
    const v = new CustomValidator({ model: AlertRule, cache: false });
    const r = v.validateAlertCondition('cpu_usage > 80; drop table users');
    expect(r.isValid()).toBe(false);
    expect(r.errors[0]).toMatchObject({ code: 'custom', level: 'semantic' });
    expect(v.validateAlertCondition('cpu_usage > 80').isValid()).toBe(true);
    // And the composed class has both parents' methods and both levels' checks.
    expect(v.validateCondition('cpu_usage >').errors[0]).toMatchObject({ code: 'invalid_promql' });
    expect(v.scanText('<script>x</script>').warnings[0]).toMatchObject({
      code: 'script_injection',
    });
    expect(v.checks().map((c) => c.level)).toEqual(
      expect.arrayContaining(['syntax', 'semantic', 'security']),
    );
    expect(v.checks().some((c) => c.level === 'performance')).toBe(false);
    const full = await v.validate({ ...rule, description: "'; DROP TABLE users; --" });
    expect(full.warnings.map((w) => w.code)).toEqual(['sql_injection']);
    expect(CustomValidator.name).toBe('CustomValidator');
  });

  it('the better form: the condition is parsed, free text is scanned', () => {
    class CustomValidator extends composeValidators(BusinessRuleValidator, SecurityValidator) {
      validateAlertCondition(condition: string): ValidationResult {
        return new ValidationResult()
          .merge(this.validateCondition(condition))
          .merge(this.scanText(condition, 'condition'));
      }
    }
    const r = new CustomValidator().validateAlertCondition('up; DROP TABLE users');
    expect(r.errors.map((e) => e.code)).toEqual(['invalid_promql']);
  });

  it('BusinessRuleValidator one-value methods', () => {
    const v = new BusinessRuleValidator();
    expect(v.validateTimeRange('2026-01-02', '2026-01-01').errors[0]?.code).toBe(
      'ends_before_starts',
    );
    expect(v.validateForDuration('25h').errors[0]?.code).toBe('for_too_long');
    expect(v.validateLevelPriority('critical', 'P4').errors[0]?.code).toBe(
      'level_priority_mismatch',
    );
    expect(
      v
        .validateLevelPriority('critical', 'P4', { critical: 'P4', high: 'P4', medium: 'P4' })
        .isValid(),
    ).toBe(true);
    expect(v.validateStatusTransition('resolved', 'acknowledged').errors[0]?.code).toBe(
      'invalid_status_transition',
    );
    expect(v.validateStatusTransition('suppressed', 'acknowledged', 'acknowledged').isValid()).toBe(
      true,
    );
    expect(v.validateLabelNames({ __x: 'y' }).errors[0]?.code).toBe('reserved_label_name');
    expect(v.validateTemplates({ s: '{{ x' }).errors[0]?.code).toBe('invalid_template');
    expect(v.runChecks(['no.such-check'], {}).findings()).toEqual([]);
  });

  it('SecurityValidator one-value methods', () => {
    const v = new SecurityValidator({ maxErrors: 5, strict: true });
    expect(v.validateUrl('http://localhost/').errors[0]?.code).toBe('ssrf_localhost_name');
    expect(v.validateUrl('http://localhost/', { allowPrivateNetworks: true }).isValid()).toBe(true);
    expect(v.detectSecrets({ k: '-----BEGIN PRIVATE KEY-----' }).errors[0]?.sensitivity).toBe(
      'critical',
    );
    expect(
      v.checkForbiddenKeys(JSON.parse('{"__proto__":1}') as Record<string, unknown>).errors[0]
        ?.code,
    ).toBe('forbidden_key');
    expect(v.scanText('<script>').errors[0]).toMatchObject({
      code: 'script_injection',
      promoted: true,
    });
    expect(() => v.assertSameTenant({ tenantId: 'b' }, 'a')).toThrow(TenantIsolationError);
    expect(() => v.assertSameTenant({ tenantId: 'a' }, 'a')).not.toThrow();
  });

  it('PerformanceValidator and ConsistencyValidator', async () => {
    const p = new PerformanceValidator({ performance: { limits: { maxLabels: 1 } } });
    expect(p.promqlComplexity('sum(rate(x[5m]))')).toMatchObject({
      selectors: 1,
      maxRangeMs: 300_000,
    });
    expect(p.validateLimits({ labels: { a: '1', b: '2' } }).errors[0]?.code).toBe(
      'too_many_labels',
    );
    const c = new ConsistencyValidator({ model: AlertRule, cache: false, extraChecks: [] });
    const r = await c.validate(rule, { tenant });
    expect(r.infos.map((i) => i.code)).toEqual(['consistency_skipped']);
    expect(c.validator).toBe(c.validator);
    // An asynchronous check cannot run synchronously.
    expect(
      c.runChecks(['consistency.unique-name'], { name: 'x' }, { tenant }).errors[0]?.code,
    ).toBe('check_failed');
  });

  it('composing all four gives every level', async () => {
    const All = composeValidators(
      BusinessRuleValidator,
      SecurityValidator,
      PerformanceValidator,
      ConsistencyValidator,
    );
    const v = new All({ model: AlertRule, cache: false });
    expect(new Set(v.checks().map((c) => c.level)).size).toBe(5);
    expect(v.validator.checks.list()).toHaveLength(v.validator.checks.names.length);
    const r = await v.validate(rule);
    expect(r.isValid()).toBe(true);
    expect(All.name).toBe(
      'BusinessRuleValidator+SecurityValidator+PerformanceValidator+ConsistencyValidator',
    );
  });
});

describe('wiring the Go template parser of src/interop/prometheus', () => {
  it('parseGoTemplate is a TemplateChecker as it is', async () => {
    const { parseGoTemplate } = await import('../../src/base/prometheus/go-template.js');
    const v = createValidator({
      model: AlertRule,
      cache: false,
      checkOptions: { semantic: { templateChecker: parseGoTemplate } },
    });
    const r = await v.validate({ ...rule, annotations: { summary: '{{ humanise $value }}' } });
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([
      ['invalid_template', '/annotations/summary'],
    ]);
    expect((await v.validate(rule)).isValid()).toBe(true);
  });
});
