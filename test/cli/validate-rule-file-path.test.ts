/**
 * `alertbase validate` reads a plain Prometheus rule file's YAML once
 * (`plainRuleFile`); every other file takes the general reading, which
 * composes the documents, classifies them and hands a rule file to
 * `checkRuleFile`. Differential: over the rule file corpus and variants of
 * each file made to sit at the edges of "plain" (a kind, a second document,
 * an Alertmanager shape, merge keys, flow style, broken YAML), whenever the
 * one-reading path answers, the general path takes the rule checker too and
 * gives the same result.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isAlertmanagerConfig,
  isPrometheusRuleFile,
  plainRuleFile,
} from '../../src/cli/commands/validate.js';
import { readDocuments } from '../../src/cli/documents.js';
import { checkRuleFile, type RuleFileCheckResult } from '../../src/interop/prometheus/index.js';

const CORPUS = join(import.meta.dirname, '../interop/prometheus/corpus');
const corpus = ['valid', 'invalid'].flatMap((kind) =>
  readdirSync(join(CORPUS, kind))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => ({ name: `${kind}/${f}`, text: readFileSync(join(CORPUS, kind, f), 'utf8') })),
);

/** The general reading's verdict: the rule checker's result, or `undefined` when it takes another way. */
function generalPath(text: string, kind: string | undefined): RuleFileCheckResult | undefined {
  let docs: ReturnType<typeof readDocuments>;
  try {
    docs = readDocuments(text, 'yaml');
  } catch {
    return undefined;
  }
  if (docs.length === 0 || docs.every((doc) => doc.value === null)) return undefined;
  if (isAlertmanagerConfig(docs, kind)) return undefined;
  return isPrometheusRuleFile(docs, kind) ? checkRuleFile(text) : undefined;
}

const VARIANTS: ReadonlyArray<readonly [string, (text: string) => string]> = [
  ['as is', (t) => t],
  ['with a kind', (t) => `kind: AlertRule\n${t}`],
  ['after another document', (t) => `groups: []\n---\n${t}`],
  ['shaped like an Alertmanager configuration', (t) => `${t}\nroute: {}\nreceivers: []\n`],
  ['with a merge key', (t) => `base: &b {x: 1}\n${t}\nother:\n  <<: *b\n`],
  [
    'in flow style',
    (t) =>
      `{groups: ${JSON.stringify([{ name: 'g', rules: [] }])}, x: ${JSON.stringify(t.length)}}`,
  ],
  ['with broken YAML', (t) => `${t}\n  : : [\n`],
  ['with a duplicate key', (t) => `${t}\ngroups: []\n`],
  ['with a non-scalar key', (t) => `${t}\n? [a, b]\n: 1\n`],
];

describe('validate: the one-reading path of a plain rule file', () => {
  it('takes the one-reading path for the plain files of the corpus', async () => {
    let plain = 0;
    for (const { text } of corpus)
      if ((await plainRuleFile(text, undefined)) !== undefined) plain++;
    // Every corpus file is block style with a top-level `groups:`; only YAML
    // that does not compose (or aliases past the budget) goes the general way.
    expect(plain).toBeGreaterThan(corpus.length * 0.8);
  });

  for (const [variant, make] of VARIANTS) {
    it(`agrees with the general reading on every corpus file ${variant}`, async () => {
      let answered = 0;
      for (const { name, text } of corpus) {
        const input = make(text);
        for (const kind of [undefined, 'prometheus-rules', 'AlertRule']) {
          const fast = await plainRuleFile(input, kind);
          if (fast === undefined) continue;
          answered++;
          expect({ name, kind, result: generalPath(input, kind) }).toEqual({
            name,
            kind,
            result: fast,
          });
        }
      }
      // The variants that are plainly not plain are never answered by the one-reading
      // path; a duplicate `groups:` appended after a block scalar is part of the scalar.
      if (variant === 'as is') expect(answered).toBeGreaterThan(corpus.length * 0.8);
      else if (variant !== 'with a duplicate key') expect(answered).toBe(0);
    });
  }
});
