import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateReport } from './commands/validate.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

interface Captured extends CliIo {
  out: string;
  err: string;
}

function capture(cwd: string, env: Record<string, string> = {}): Captured {
  const io: Captured = {
    out: '',
    err: '',
    cwd,
    env,
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s) },
  };
  return io;
}

let dir: string;
const examples = join(import.meta.dirname, '../../examples');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-cli-'));
  await writeFile(
    join(dir, 'rule.yaml'),
    [
      'kind: AlertRule',
      'tenant_id: Acme',
      'name: ""',
      'level: urgent',
      'priority: p2',
      'condition: cpu_usage >',
      'colour: red',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'broken.json'), '{"kind": "Alert",\n "labels": {}, ');
  await writeFile(
    join(dir, 'multi.yaml'),
    'kind: Tenant\nid: a\nname: A\n---\nkind: Tenant\nid: B!\nname: B\n---\nkind: Nope\n---\n- 1\n---\nname: x\n',
  );
  await writeFile(
    join(dir, 'rules.yml'),
    'groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: rate(x[5m]\n',
  );
  await writeFile(
    join(dir, 'warn.yaml'),
    [
      'kind: AlertRule',
      'tenant_id: acme',
      'name: cpu',
      'level: critical',
      'priority: P1',
      'condition: sum(rate(x[30d]))',
      'annotations:',
      '  summary: "<script>alert(1)</script>"',
      '',
    ].join('\n'),
  );
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'nested', 'tenant.json'), '{"id": "t1", "name": "T"}');
  await writeFile(join(dir, 'notes.txt'), 'not a document');
});

async function validateJson(
  args: string[],
  cwd = dir,
): Promise<{ code: number; report: ValidateReport }> {
  const io = capture(cwd);
  const code = await runCli(['validate', '--format', 'json', ...args], io);
  return { code, report: JSON.parse(io.out) as ValidateReport };
}

describe('alertbase validate', () => {
  it('accepts the shipped examples (what npm start runs)', async () => {
    const { code, report } = await validateJson([examples]);
    expect(code).toBe(0);
    expect(report.summary.files).toBeGreaterThanOrEqual(5);
    expect(report.summary.errors).toBe(0);
    expect(report.files.every((f) => f.valid)).toBe(true);
  });

  it('recognises an Alertmanager configuration and checks it as the import reads it', async () => {
    const shipped = await validateJson([join(examples, 'alertmanager.yml')]);
    expect(shipped.code).toBe(0);
    expect(shipped.report.files[0]?.issues).toEqual([]);
    await writeFile(
      join(dir, 'am-bad.yml'),
      [
        'route:',
        '  receiver: ops',
        '  routes:',
        '    - receiver: nobody',
        'receivers: [{name: ops}]',
        'templates: [x.tmpl]',
        '',
      ].join('\n'),
    );
    const bad = await validateJson([join(dir, 'am-bad.yml')]);
    expect(bad.code).toBe(1);
    expect(
      bad.report.files[0]?.issues.map((i) => [i.code, i.level, i.severity, i.path, i.line]),
    ).toEqual([
      ['unsupported_setting', 'semantic', 'warning', '/templates', 6],
      ['unknown_receiver', 'semantic', 'error', '/route/routes/0/receiver', 4],
    ]);
    const forced = await validateJson(['--kind', 'alertmanager-config', join(dir, 'am-bad.yml')]);
    expect(forced.report.files[0]?.issues).toHaveLength(2);
    await writeFile(
      join(dir, 'am-broken.yml'),
      'route: {receiver: x}\nreceivers: [{name: x}]\nx: &a [*a]\n',
    );
    const broken = await validateJson([
      '--kind',
      'alertmanager-config',
      join(dir, 'am-broken.yml'),
    ]);
    expect(broken.report.files[0]?.issues.map((i) => [i.code, i.level, i.line])).toEqual([
      // The document reader refuses the alias cycle before the import sees it.
      ['invalid_yaml', 'syntax', 3],
    ]);
  });

  it('validates a RoutingTree document with its own checks', async () => {
    await writeFile(
      join(dir, 'tree.yaml'),
      [
        'kind: RoutingTree',
        'tenant_id: acme',
        'route:',
        '  receiver: ops',
        '  routes:',
        '    - receiver: ops',
        '    - matchers: [\'team="db"\']',
        'receivers:',
        '  - name: ops',
        '',
      ].join('\n'),
    );
    const { report } = await validateJson([join(dir, 'tree.yaml')]);
    expect(report.files[0]?.issues.map((i) => [i.code, i.severity, i.path, i.line])).toEqual([
      ['consistency_skipped', 'info', '', 1],
      ['unreachable_route', 'warning', '/route/routes/1', 7],
      ['receiver_without_channels', 'warning', '/receivers/0/channels', 9],
    ]);
  });

  it('reports every issue with code, path, line and column, and exits 1', async () => {
    const { code, report } = await validateJson([join(dir, 'rule.yaml')]);
    expect(code).toBe(1);
    const issues = report.files[0]?.issues.map((i) => [i.line, i.code, i.path]);
    expect(issues).toEqual([
      [2, 'invalid_format', '/tenant_id'],
      [3, 'too_small', '/name'],
      [4, 'invalid_value', '/level'],
      [6, 'invalid_promql', '/condition'],
      [7, 'unrecognized_key', '/colour'],
    ]);
    expect(report.summary).toEqual({ files: 1, errors: 5, warnings: 0 });
  });

  it('reports a syntax error with its position', async () => {
    const { code, report } = await validateJson([join(dir, 'broken.json')]);
    expect(code).toBe(1);
    expect(report.files[0]?.issues).toEqual([
      expect.objectContaining({ code: 'invalid_json', line: 2 }),
    ]);
  });

  it('validates each document of a YAML stream, prefixing paths with the index', async () => {
    const { report } = await validateJson([join(dir, 'multi.yaml')]);
    expect(report.files[0]?.issues.map((i) => [i.code, i.path, i.line])).toEqual([
      ['consistency_skipped', '/0', 1],
      ['invalid_format', '/1/id', 6],
      ['unknown_kind', '/2/kind', 9],
      ['invalid_document', '/3', 11],
      ['unknown_kind', '/4', 13],
    ]);
  });

  it('recognises a Prometheus rule file and checks it as promtool does', async () => {
    const { code, report } = await validateJson([join(dir, 'rules.yml')]);
    expect(code).toBe(1);
    expect(report.files[0]?.issues.map((i) => [i.code, i.level, i.path, i.line, i.column])).toEqual(
      [['invalid_promql', 'semantic', '/groups/0/rules/0/expr', 5, 15]],
    );
    const forced = await validateJson([
      '--kind',
      'prometheus-rules',
      join(examples, 'prometheus-rules.yml'),
    ]);
    expect(forced.code).toBe(0);
  });

  it('runs the five levels: warnings do not fail, --strict makes them errors, --level stops early', async () => {
    const relaxed = await validateJson([join(dir, 'warn.yaml')]);
    expect(relaxed.code).toBe(0);
    const findings = relaxed.report.files[0]?.issues.map((i) => [
      i.level,
      i.severity,
      i.code,
      i.path,
      i.line,
    ]);
    expect(findings).toEqual([
      ['consistency', 'info', 'consistency_skipped', '', 1],
      ['performance', 'warning', 'promql_range_too_large', '/condition', 6],
      ['security', 'warning', 'script_injection', '/annotations/summary', 8],
    ]);
    expect(relaxed.report.summary).toEqual({ files: 1, errors: 0, warnings: 2 });
    const strict = await validateJson(['--strict', join(dir, 'warn.yaml')]);
    expect(strict.code).toBe(1);
    expect(strict.report.summary).toEqual({ files: 1, errors: 2, warnings: 0 });
    const early = await validateJson(['--level', 'semantic', join(dir, 'warn.yaml')]);
    expect(early.report.files[0]?.issues).toEqual([]);
  });

  it('--level accepts every level of the framework', async () => {
    const { VALIDATION_LEVELS } = await import('../base/validators/index.js');
    for (const level of VALIDATION_LEVELS) {
      const { code } = await validateJson(['--level', level, join(examples, 'tenant.yaml')]);
      expect(code, level).toBe(0);
    }
  });

  it('--max-errors caps the findings and says how many more there were', async () => {
    const { report } = await validateJson(['--max-errors', '2', join(dir, 'rule.yaml')]);
    const issues = report.files[0]?.issues ?? [];
    expect(issues.filter((i) => i.code !== 'more_issues')).toHaveLength(2);
    expect(issues.find((i) => i.code === 'more_issues')?.message).toMatch(/^3 more errors/);
  });

  it('writes SARIF 2.1.0', async () => {
    const io = capture(dir);
    expect(await runCli(['validate', '--format', 'sarif', 'rule.yaml'], io)).toBe(1);
    const sarif = JSON.parse(io.out) as {
      version: string;
      runs: {
        tool: { driver: { name: string } };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run?.tool.driver.name).toBe('alertbase');
    expect(
      run?.results.map((r) => [
        r.ruleId,
        r.level,
        r.locations[0]?.physicalLocation.region?.startLine,
      ]),
    ).toEqual([
      ['invalid_format', 'error', 2],
      ['too_small', 'error', 3],
      ['invalid_value', 'error', 4],
      ['invalid_promql', 'error', 6],
      ['unrecognized_key', 'error', 7],
    ]);
    expect(run?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('rule.yaml');
  });

  it('shows a progress bar on a terminal for many files, and colours', async () => {
    const many = join(dir, 'many');
    await mkdir(many);
    for (let i = 0; i < 25; i++)
      await writeFile(join(many, `t${i}.yaml`), `kind: Tenant\nid: t${i}\nname: T${i}\n`);
    const io = capture(dir);
    const tty: Captured = {
      ...io,
      stderr: { write: (t: string) => (tty.err += t), isTTY: true },
      stdout: { write: (t: string) => (tty.out += t), isTTY: true },
    };
    expect(await runCli(['validate', 'many'], tty)).toBe(0);
    expect(tty.err).toContain('] 25/25');
    expect(tty.out).toContain('\u001b[');
    expect(tty.out).toContain('25 file(s), 0 error(s), 0 warning(s)');
  });

  it('walks folders, and --kind names the model of kind-less documents', async () => {
    const { report } = await validateJson(['--kind', 'tenant', 'nested'], dir);
    expect(report.files.map((f) => [f.path, f.valid])).toEqual([['nested/tenant.json', true]]);
  });

  it('prints a readable text report', async () => {
    const io = capture(dir);
    expect(await runCli(['validate', 'rule.yaml'], io)).toBe(1);
    expect(io.out).toContain('rule.yaml:4:1 syntax error invalid_value /level');
    expect(io.out).toContain('1 file(s), 5 error(s), 0 warning(s)');
  });

  it('a syntax error says "syntax" once, on one line, and a YAML one ends with its source line', async () => {
    await writeFile(join(dir, 'flow.yaml'), 'kind: Alert\nlabels: [a\n  b: c\n');
    const yaml = capture(dir);
    expect(await runCli(['validate', 'flow.yaml'], yaml)).toBe(1);
    const finding = yaml.out.split('\n').find((line) => line.includes('flow.yaml:'));
    expect(finding).toBe(
      '  flow.yaml:2:10 syntax error invalid_yaml Implicit keys of flow sequence pairs need to be on a single line: "labels: [a"',
    );
    await writeFile(join(dir, 'token.json'), '{"kind": "Alert",\n "x": }');
    const json = capture(dir);
    expect(await runCli(['validate', 'token.json'], json)).toBe(1);
    const lines = json.out.split('\n').filter((line) => line.includes('invalid_json'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}token\.json:\d+:\d+ syntax error invalid_json \S/);
    expect(json.out).not.toContain('syntax_error');
  });

  it('prints paths as given, and a folder under the name it was given', async () => {
    const { report } = await validateJson(['./nested/../rule.yaml', './nested/'], dir);
    expect(report.files.map((f) => f.path)).toEqual([
      './nested/../rule.yaml',
      './nested/tenant.json',
    ]);
  });

  it('an empty file is valid but reported as empty', async () => {
    await writeFile(join(dir, 'empty.yml'), '');
    await writeFile(join(dir, 'comments.yaml'), '# nothing yet\n---\n');
    const { code, report } = await validateJson(['empty.yml', 'comments.yaml'], dir);
    expect(code).toBe(0);
    expect(
      report.files.map((f) => [f.path, f.valid, f.issues.map((i) => [i.code, i.severity])]),
    ).toEqual([
      ['empty.yml', true, [['empty_file', 'info']]],
      ['comments.yaml', true, [['empty_file', 'info']]],
    ]);
    const io = capture(dir);
    expect(await runCli(['validate', 'empty.yml'], io)).toBe(0);
    expect(io.out).toContain(
      'empty.yml:1:1 syntax info empty_file the file holds no document: nothing was checked',
    );
  });

  it('a folder with no document to check is a usage error (exit 2), so a mistyped CI path cannot pass', async () => {
    await mkdir(join(dir, 'no-documents'));
    await writeFile(join(dir, 'no-documents', 'README.txt'), 'nothing to check');
    const io = capture(dir);
    expect(await runCli(['validate', 'no-documents'], io)).toBe(2);
    expect(io.err).toContain('no JSON or YAML file to check in no-documents');
    expect(io.out).toBe('');
  });

  it('exits 2 with a one-line reason for usage errors and unreadable paths', async () => {
    for (const args of [
      ['validate', 'missing.yaml'],
      ['validate', 'notes.txt'],
      ['validate', '--format', 'xml', 'rule.yaml'],
      ['nope'],
    ]) {
      const io = capture(dir);
      expect(await runCli(args, io)).toBe(2);
      expect(io.err.length).toBeGreaterThan(0);
    }
  });
});

describe('alertbase config', () => {
  it('prints the effective configuration with sources and masked secrets', async () => {
    const io = capture(dir, {
      DATABASE_URL: 'postgres://app:hunter2@db.example/alerts',
      MAX_VALIDATION_ERRORS: '7',
    });
    expect(await runCli(['config'], io)).toBe(0);
    expect(io.out).not.toContain('hunter2');
    expect(io.out).toMatch(/^validation\.maxErrors\s+7\s+env:MAX_VALIDATION_ERRORS$/m);
    expect(io.out).toMatch(
      /^storage\.databaseUrl\s+postgres:\/\/app:\*\*\*\*@db\.example\/alerts\s+env:DATABASE_URL$/m,
    );
  });

  it('says what the configuration sets in motion: store, caches, limits', async () => {
    const io = capture(dir, {
      DATABASE_URL: 'postgres://app:hunter2@db.example/alerts',
      REDIS_URL: 'redis://:s3cret@cache.example:6379/0',
      MAX_MEMORY_USAGE_MB: '1024',
      ENABLE_QUERY_CACHE: 'false',
      VALIDATION_CACHE_TTL: '0',
      MONGODB_URL: 'mongodb://m.example/db',
      INFLUXDB_URL: 'http://admin:influxpw@influx.example:8086/alerts',
    });
    expect(await runCli(['config'], io)).toBe(0);
    expect(io.out).not.toContain('influxpw');
    expect(io.out).toMatch(/^ {2}time series\s+InfluxDB at influx\.example:8086\/alerts$/m);
    expect(io.out).not.toContain('s3cret');
    expect(io.out).toMatch(/^ {2}database\s+PostgreSQL server at db\.example\/alerts$/m);
    expect(io.out).toMatch(/^ {2}L1 cache\s+in process: 10000 entries, 256 MiB, 300 s$/m);
    expect(io.out).toMatch(/^ {2}L2 cache\s+Redis at cache\.example:6379\/0$/m);
    expect(io.out).toMatch(/^ {2}query cache\s+off$/m);
    expect(io.out).toMatch(/^ {2}rate limits\s+counted in Redis at cache\.example:6379\/0$/m);
    expect(io.out).toMatch(/^ {2}validation\s+cache off$/m);
    expect(io.out).toMatch(/^ {2}back-pressure\s+503 past 1024 MiB of heap$/m);
    expect(io.out).toMatch(/^ {2}payload archive\s+MongoDB at m\.example\/db$/m);
  });

  it('names the payload archive as off when ARCHIVE_ENABLED=false', async () => {
    const io = capture(dir, { ARCHIVE_ENABLED: 'false', MONGODB_URL: 'mongodb://m.example/db' });
    expect(await runCli(['config'], io)).toBe(0);
    expect(io.out).toMatch(/^ {2}payload archive\s+off \(ARCHIVE_ENABLED=false\)$/m);
  });

  it('without Redis: L2 off, limits in each process', async () => {
    const io = capture(dir);
    expect(await runCli(['config'], io)).toBe(0);
    expect(io.out).toMatch(/^ {2}L2 cache\s+off \(REDIS_URL not set\)$/m);
    expect(io.out).toMatch(/^ {2}rate limits\s+counted in each process$/m);
    expect(io.out).toMatch(
      /^ {2}time series\s+PostgreSQL: the alert_series table \(INFLUXDB_URL not set\)$/m,
    );
    expect(io.out).toMatch(
      /^ {2}payload archive\s+PostgreSQL: the payload_archive table \(MONGODB_URL not set\)$/m,
    );
    expect(io.out).toMatch(/^ {2}database\s+PGlite in /m);
    expect(io.out).toMatch(/^ {2}modules\s+loaded on first use$/m);
  });

  it('prints the host and masks the admin key', async () => {
    const io = capture(dir, {
      HOST: '0.0.0.0',
      ALERTBASE_ADMIN_KEY: 'Platform-K3y-1-Zq7Xv2Lm9Pw4,Platform-K3y-2-Zq7Xv2Lm9Pw4',
    });
    expect(await runCli(['config'], io)).toBe(0);
    expect(io.out).not.toContain('Platform-K3y');
    expect(io.out).toMatch(/^server\.host\s+0\.0\.0\.0\s+env:HOST$/m);
    expect(io.out).toMatch(/^server\.adminKey\s+\*{10}\s+env:ALERTBASE_ADMIN_KEY$/m);
  });

  it('exits 2 with the error code for a bad configuration', async () => {
    const io = capture(dir, { MAX_VALIDATION_ERRORS: 'ten' });
    expect(await runCli(['config'], io)).toBe(2);
    expect(io.err).toContain('ALERTBASE_CONFIG_INVALID');
  });

  it('prints help and version with exit 0', async () => {
    const io = capture(dir);
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out.trim()).toBe('0.1.0');
  });
});
