import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkRuleFile,
  PROMETHEUS_TEMPLATE_FUNCTIONS_2_42,
} from '../../../src/interop/prometheus/index.js';

/**
 * The rule file corpus: `valid/*.yml` must be accepted; each
 * `invalid/<code>--<fault>.yml` has one fault and must be refused with `<code>`
 * as its first error. Checked as Prometheus 2.42 would (its template functions).
 */
const CORPUS = join(import.meta.dirname, 'corpus');
const files = (kind: 'valid' | 'invalid'): string[] =>
  readdirSync(join(CORPUS, kind))
    .filter((f) => f.endsWith('.yml'))
    .sort();
const check = (kind: string, file: string) =>
  checkRuleFile(readFileSync(join(CORPUS, kind, file), 'utf8'), {
    templateFunctions: PROMETHEUS_TEMPLATE_FUNCTIONS_2_42,
  });

describe('rule file corpus (no promtool needed)', () => {
  it('has at least 30 valid and 50 invalid files', () => {
    expect(files('valid').length).toBeGreaterThanOrEqual(30);
    expect(files('invalid').length).toBeGreaterThanOrEqual(50);
  });

  it.each(files('valid'))('accepts valid/%s', (file) => {
    const result = check('valid', file);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.file).toBeDefined();
  });

  it.each(files('invalid'))('refuses invalid/%s with the code in its name', (file) => {
    const code = file.split('--')[0];
    const result = check('invalid', file);
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.code).toBe(code);
    // One fault per file.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBeGreaterThan(0);
  });
});

/** Where promtool is: on PATH, or absent. */
function findPromtool(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return found.error === undefined && found.status === 0 ? 'promtool' : undefined;
}

const promtool = findPromtool();
if (promtool === undefined) {
  if (process.env.CI === 'true') {
    throw new Error('promtool is required in CI (Debian package "prometheus") but is not on PATH');
  }
  process.stderr.write(
    'skipping the promtool agreement test: promtool is not on PATH (apt-get install prometheus)\n',
  );
}

/**
 * The first line promtool names in its output, if any: `file: L:C: ...` of
 * rule checks and `line L: ...` of strict YAML decoding. `0:0` means none,
 * and go-yaml's syntax errors name a line that is not where the fault is.
 */
function promtoolLine(output: string): number | undefined {
  const body = output.split('\n').slice(2).join('\n');
  if (/yaml: line \d+:/.test(body)) return undefined;
  const positioned = /^\S+: (\d+):(\d+): /m.exec(body);
  if (positioned !== null) return Number(positioned[1]) > 0 ? Number(positioned[1]) : undefined;
  const decoded = /^ {2}line (\d+): /m.exec(body);
  return decoded === null ? undefined : Number(decoded[1]);
}

describe.skipIf(promtool === undefined && process.env.CI !== 'true')(
  'agreement with promtool check rules',
  () => {
    const all = [
      ...files('valid').map((f) => ['valid', f] as const),
      ...files('invalid').map((f) => ['invalid', f] as const),
    ];
    it.each(all)('%s/%s: same verdict and line', (kind, file) => {
      const path = join(CORPUS, kind, file);
      let output = '';
      let accepted = true;
      try {
        output = execFileSync('promtool', ['check', 'rules', path], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        accepted = false;
        const e = err as { stdout?: string; stderr?: string };
        output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      const ours = check(kind, file);
      expect(ours.valid, output).toBe(accepted);
      if (!accepted) {
        const line = promtoolLine(output);
        if (line !== undefined) expect(ours.errors[0]?.line, output).toBe(line);
      }
    });
  },
);
