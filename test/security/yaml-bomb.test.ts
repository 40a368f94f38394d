/**
 * YAML aliases and merge keys: one budget (`DECODE_LIMITS.maxYamlAliases`
 * nodes copied) on every YAML path — request bodies, `POST /v1/rules/import`,
 * `alertbase validate` and the configuration file — reported with the
 * position of the alias that crossed it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODE_LIMITS } from '../../src/base/constants.js';
import { ConfigError, SerializationError } from '../../src/base/exceptions/index.js';
import { UniversalSerializer } from '../../src/base/serializers/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { checkRuleFile } from '../../src/interop/prometheus/index.js';
import { call, setup, type TestApp } from '../server/helpers.js';
import { aliasBomb, mergeBomb } from './payloads.js';

const EXCESS = 'ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING';

/** Runs `fn`, returning its error and the milliseconds it took. */
function timed(fn: () => unknown): { error: unknown; ms: number } {
  const start = performance.now();
  try {
    fn();
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
  return { error: undefined, ms: performance.now() - start };
}

describe('YAML expansion budget: the decoders', () => {
  it('refuses a merge-key bomb with the position of the alias that crossed the budget', () => {
    const { error, ms } = timed(() => UniversalSerializer.decode(mergeBomb(5, 9), 'yaml'));
    expect(error).toBeInstanceOf(SerializationError);
    const e = error as SerializationError;
    expect(e.code).toBe(EXCESS);
    expect(e.status).toBe(400);
    expect(e.context).toMatchObject({ format: 'yaml', limit: DECODE_LIMITS.maxYamlAliases });
    // Level 4 (line 5) is the first whose copies pass 10,000 nodes.
    expect(e.context.line).toBe(5);
    expect(e.context.column).toBeTypeOf('number');
    expect(ms).toBeLessThan(1_000); // hang guard only
  });

  it('refuses a billion-laughs alias bomb', () => {
    const { error } = timed(() => UniversalSerializer.decode(aliasBomb(9, 9), 'yaml'));
    expect((error as SerializationError).code).toBe(EXCESS);
  });

  it('counts nodes exactly: the budget is accepted, one node more is refused', () => {
    // `*a` copies the sequence and its 3 items: 4 nodes each.
    const text = 'a: &a [1, 2, 3]\nb: [*a, *a]\n';
    const limits = { maxYamlAliases: 8 };
    expect(UniversalSerializer.decode(text, 'yaml', undefined, { limits })).toEqual({
      a: [1, 2, 3],
      b: [
        [1, 2, 3],
        [1, 2, 3],
      ],
    });
    const { error } = timed(() =>
      UniversalSerializer.decode(text, 'yaml', undefined, { limits: { maxYamlAliases: 7 } }),
    );
    expect((error as SerializationError).code).toBe(EXCESS);
    expect((error as SerializationError).context).toMatchObject({ line: 2, column: 9, limit: 7 });
  });

  it('counts empty mappings (merging many `{}` is not free)', () => {
    const text = `arr: &arr [${Array(200).fill('{}').join(', ')}]\ntargets:\n${'  - <<: *arr\n'.repeat(60)}`;
    const { error } = timed(() => UniversalSerializer.decode(text, 'yaml'));
    expect((error as SerializationError).code).toBe(EXCESS);
  });

  it('refuses an alias that names its own ancestor, and one that names nothing', () => {
    const cycle = timed(() => UniversalSerializer.decode('a: &a [*a]\n', 'yaml'));
    expect((cycle.error as SerializationError).code).toBe(EXCESS);
    const unknown = timed(() => UniversalSerializer.decode('a: *nowhere\n', 'yaml'));
    expect((unknown.error as SerializationError).code).toBe('ALERTBASE_SERIALIZATION_FAILED');
  });

  it('the rule-file check reports a finding with line and column, and keeps merge keys working', () => {
    const bomb = checkRuleFile(`${mergeBomb(5, 9)}\ngroups: []\n`);
    expect(bomb.valid).toBe(false);
    expect(bomb.errors).toHaveLength(1);
    expect(bomb.errors[0]).toMatchObject({ code: 'excessive_aliasing', line: 5 });
    const fine = checkRuleFile(
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - alert: A',
        '        expr: up',
        '        labels: &l',
        '          severity: critical',
        '      - alert: B',
        '        expr: up',
        '        labels:',
        '          <<: *l',
        '          team: db',
        '',
      ].join('\n'),
    );
    expect(fine.valid).toBe(true);
    expect(fine.file?.groups[0]?.rules[1]).toMatchObject({
      labels: { severity: 'critical', team: 'db' },
    });
  });
});

describe('YAML expansion budget: HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => t.close());

  it('POST /v1/rules/import: a merge-key bomb is a 400 with its position, and the service stays live', async () => {
    const body = `${mergeBomb(5, 10)}\ngroups: []\n`;
    expect(body.length).toBeLessThan(600);
    const start = performance.now();
    const r = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: body,
      contentType: 'application/yaml',
    });
    // A hang guard only (this body held the event loop for 19 s); the bench measures CPU.
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(EXCESS);
    expect(r.body).toMatchObject({ line: 5 });
    const live = await call(t.app, 'GET', '/health/live');
    expect(live.status).toBe(200);
  });

  it('any YAML body (POST /v1/rules) is held to the same budget', async () => {
    const r = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      raw: `name: x\n${aliasBomb(9, 9)}\n`,
      contentType: 'application/yaml',
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(EXCESS);
    expect(r.body.line).toBeTypeOf('number');
  });
});

describe('YAML expansion budget: the command and the configuration file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-yaml-bomb-'));
  });

  it('alertbase validate reports the excess as a finding with its position (no stack trace)', async () => {
    await writeFile(join(dir, 'bomb.yml'), `${mergeBomb(5, 9)}\ngroups: []\n`);
    const io: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      cwd: dir,
      env: {},
      stdout: { write: (s: string) => (io.out += s) },
      stderr: { write: (s: string) => (io.err += s) },
    };
    const code = await runCli(['validate', 'bomb.yml', '--format', 'json'], io);
    expect(code).toBe(1);
    expect(io.err).not.toMatch(/ReferenceError|at .*\.js:\d+/);
    const report = JSON.parse(io.out) as {
      files: { issues: { message: string; line: number; column: number }[] }[];
    };
    const issue = report.files[0]?.issues[0];
    expect(issue?.message).toContain('document contains excessive aliasing');
    expect(issue?.line).toBe(5);
  });

  it('the configuration file: ALERTBASE_CONFIG_INVALID naming the file, line and column', async () => {
    await writeFile(
      join(dir, 'alertbase.yaml'),
      `${mergeBomb(5, 9).replaceAll(/^/gm, '  ')}\n`.replace(/^/, 'base_schema:\n'),
    );
    let caught: unknown;
    try {
      await loadConfig({ env: {}, cwd: dir });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('ALERTBASE_CONFIG_INVALID');
    expect((caught as ConfigError).context).toMatchObject({ line: 6 });
    expect(String((caught as ConfigError).context.source)).toContain('alertbase.yaml:6:');
  });
});
