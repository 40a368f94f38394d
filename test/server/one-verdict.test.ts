/**
 * One verdict at every door: each rule of the corpus goes through
 * `POST /v1/rules`, `POST /v1/rules/validate`, `POST /v1/rules/import`,
 * `alertbase validate` (as a Prometheus rule file and as an AlertRule
 * document) and `AlertRule.parse`, and every door gives the corpus' verdict
 * with the same error codes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ValidateReport } from '../../src/cli/commands/validate.js';
import { runCli } from '../../src/cli/program.js';
import { AlertRule } from '../../src/domain/index.js';
import { VERDICT_CORPUS, type VerdictCase } from '../verdict/corpus.js';
import { call, setup, type TestApp } from './helpers.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await setup();
  dir = await mkdtemp(join(tmpdir(), 'alertbase-verdict-'));
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sorted distinct codes: what a door's verdict is compared by. */
const codesOf = (issues: readonly { code?: unknown }[]): string[] =>
  [...new Set(issues.map((i) => String(i.code)))].sort();

const labelsOf = (c: VerdictCase) => ({ severity: 'critical', ...c.labels });

/** The rule as the API and the library take it. */
const ruleBody = (c: VerdictCase, name: string) => ({
  name,
  level: 'critical',
  priority: 'p1',
  condition: c.expr,
  labels: labelsOf(c),
  annotations: { ...c.annotations },
});

/** The rule as a Prometheus rule file. */
const ruleFile = (c: VerdictCase, name: string): string =>
  stringify({
    groups: [
      {
        name: 'verdict',
        rules: [
          {
            alert: name,
            expr: c.expr,
            labels: labelsOf(c),
            ...(c.annotations === undefined ? {} : { annotations: c.annotations }),
          },
        ],
      },
    ],
  });

type Door = (c: VerdictCase, name: string) => Promise<string[]>;

const DOORS: Readonly<Record<string, Door>> = {
  'AlertRule.parse': async (c, name) => {
    const parsed = AlertRule.safeParse({ tenantId: 'acme', ...ruleBody(c, name) });
    return parsed.success ? [] : codesOf(parsed.error.issues);
  },
  'POST /v1/rules': async (c, name) => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: ruleBody(c, name),
    });
    if (res.status === 201) return [];
    expect(res.status).toBe(422);
    return codesOf(res.body.errors as { code: string }[]);
  },
  'POST /v1/rules/validate': async (c, name) => {
    const res = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: ruleBody(c, name),
    });
    expect(res.status).toBe(200);
    const errors = res.body.errors as { code: string }[];
    expect(res.body.valid).toBe(errors.length === 0);
    return codesOf(errors);
  },
  'POST /v1/rules/import': async (c, name) => {
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: ruleFile(c, name),
      contentType: 'application/yaml',
    });
    if (res.status === 422) return codesOf(res.body.errors as { code: string }[]);
    expect(res.status).toBe(200);
    const items = (res.body.items ?? []) as { result: string; errors?: { code: string }[] }[];
    return codesOf(items.flatMap((i) => i.errors ?? []));
  },
  'alertbase validate (rule file)': async (c, name) => {
    const file = join(dir, `${name}.rules.yml`);
    await writeFile(file, ruleFile(c, name));
    return cliCodes(file);
  },
  'alertbase validate (AlertRule)': async (c, name) => {
    const file = join(dir, `${name}.rule.yaml`);
    await writeFile(
      file,
      stringify({ kind: 'AlertRule', tenant_id: 'acme', ...ruleBody(c, name) }),
    );
    return cliCodes(file);
  },
};

async function cliCodes(file: string): Promise<string[]> {
  let out = '';
  const code = await runCli(['validate', '--format', 'json', file], {
    cwd: dir,
    env: {},
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
  });
  const report = JSON.parse(out) as ValidateReport;
  const errors = report.files.flatMap((f) => f.issues.filter((i) => i.severity === 'error'));
  expect(code).toBe(errors.length === 0 ? 0 : 1);
  return codesOf(errors);
}

describe('one verdict at every door', () => {
  it.each(VERDICT_CORPUS.map((c, i) => [c.about, i, c] as const))(
    '%s: the same verdict and codes everywhere',
    async (_about, index, c) => {
      const verdicts: Record<string, string[]> = {};
      let door = 0;
      for (const [name, run] of Object.entries(DOORS)) {
        verdicts[name] = await run(c, `Verdict${index}d${door++}`);
      }
      const expected = [...c.codes].sort();
      expect(verdicts).toEqual(Object.fromEntries(Object.keys(DOORS).map((d) => [d, expected])));
    },
  );
});

describe('what is stored can be exported and imported again', () => {
  it('exports every stored corpus rule and re-imports the export with no refusal', async () => {
    const listed = await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer });
    const stored = listed.body.items ?? [];
    // The valid corpus rules, stored by POST /v1/rules and by the import.
    const valid = VERDICT_CORPUS.filter((c) => c.codes.length === 0).length;
    expect(stored).toHaveLength(valid * 2);
    const exported = await call(t.app, 'GET', '/v1/rules/export', { key: t.keys.viewer });
    expect(exported.status).toBe(200);
    const again = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: exported.raw.body,
      contentType: 'application/yaml',
    });
    expect(again.status).toBe(200);
    expect(again.body.counts).toEqual({ created: 0, updated: stored.length, rejected: 0 });
  });
});
