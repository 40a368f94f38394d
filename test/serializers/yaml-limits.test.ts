import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Document, parseDocument, stringify } from 'yaml';
import { DECODE_LIMITS } from '../../src/base/constants.js';
import { SerializationError } from '../../src/base/exceptions/index.js';
import { UniversalSerializer as U } from '../../src/base/serializers/index.js';
import { resolveLimits } from '../../src/base/serializers/limits.js';
import { composeYamlDocument } from '../../src/base/serializers/yaml-compose.js';
import { readDocuments } from '../../src/cli/documents.js';
import { checkRuleFile } from '../../src/interop/prometheus/rule-file.js';

const TOO_LARGE = 'ALERTBASE_SERIALIZATION_TOO_LARGE';

/** Decodes YAML and returns the SerializationError it was refused with. */
function refusal(text: string, limits: Record<string, number> = {}): SerializationError {
  try {
    U.decode(text, 'yaml', undefined, { limits });
  } catch (error) {
    if (error instanceof SerializationError) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

/** `depth` containers nested in one of YAML's styles, a scalar innermost. */
type Style = 'flow-seq' | 'flow-map' | 'block-seq' | 'block-map' | 'compact-seq';
function nested(depth: number, style: Style): string {
  switch (style) {
    case 'flow-seq':
      return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    case 'flow-map':
      return `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'compact-seq':
      return `${'- '.repeat(depth)}1\n`;
    case 'block-seq': {
      let text = '';
      for (let i = 0; i < depth; i++)
        text += `${' '.repeat(i * 2)}-${i === depth - 1 ? ' 1' : ''}\n`;
      return text;
    }
    case 'block-map': {
      let text = '';
      for (let i = 0; i < depth; i++)
        text += `${' '.repeat(i)}k${i}:${i === depth - 1 ? ' 1' : ''}\n`;
      return text;
    }
  }
}
const STYLES: readonly Style[] = ['flow-seq', 'flow-map', 'compact-seq', 'block-seq', 'block-map'];

describe('YAML limits are counted while the text is read', () => {
  it.each([
    ['flow-seq', 100_000],
    ['flow-map', 100_000],
    ['compact-seq', 100_000],
    ['block-map', 4_000],
  ] as const)('nesting %s %i deep is refused just past the limit', (style, depth) => {
    const text = nested(depth, style);
    const error = refusal(text);
    expect(error.code).toBe(TOO_LARGE);
    expect(error.context).toMatchObject({
      unit: 'levels of nesting',
      limit: DECODE_LIMITS.maxDepth,
    });
    // Refused where level 64 + a few opens, not after reading the whole text.
    const perLevel = nested(2, style).length - nested(1, style).length;
    const levels = style === 'block-map' ? 80 : DECODE_LIMITS.maxDepth + 5;
    const bound = style === 'block-map' ? (levels * (levels + 8)) / 2 : levels * perLevel;
    expect(error.context.offset as number).toBeLessThan(bound);
    expect(error.context.line).toBeTypeOf('number');
  });

  it.each(STYLES)(
    '%s: the deepest document the limit allows is read, one level more is not',
    (style) => {
      for (const maxDepth of [1, 8, DECODE_LIMITS.maxDepth]) {
        const limits = { maxDepth };
        expect(() =>
          U.decode(nested(maxDepth, style), 'yaml', undefined, { limits }),
        ).not.toThrow();
        const error = refusal(nested(maxDepth + 1, style), limits);
        expect(error.context).toMatchObject({ unit: 'levels of nesting', limit: maxDepth });
      }
    },
  );

  it('a mapping of 40,000 keys (390 KB) is refused at the key limit, a few keys past it', () => {
    let text = '';
    for (let i = 0; i < 40_000; i++) text += `k${i}: 1\n`;
    const error = refusal(text);
    expect(error.context).toMatchObject({
      unit: 'keys in an object',
      limit: DECODE_LIMITS.maxKeys,
    });
    // Line 10,002 at the latest: the 10,001st key plus the comment slack.
    expect(error.context.line as number).toBeLessThanOrEqual(DECODE_LIMITS.maxKeys + 2);
    expect(error.context.line as number).toBeGreaterThan(DECODE_LIMITS.maxKeys);
  });

  it('the key limit allows exactly its count, in block and flow mappings', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const block = keys.map((k) => `${k}: 1`).join('\n');
    const flow = `{${keys.map((k) => `${k}: 1`).join(', ')}}`;
    for (const text of [block, flow, `# head\n${block}\n# tail\n`]) {
      expect(
        Object.keys(U.decode(text, 'yaml', undefined, { limits: { maxKeys: 50 } }) as object),
      ).toHaveLength(50);
      expect(
        refusal(`${text.startsWith('{') ? `{k50: 0, ${text.slice(1)}` : `k50: 0\n${text}`}`, {
          maxKeys: 50,
        }).context,
      ).toMatchObject({
        unit: 'keys in an object',
      });
    }
  });

  it('items of one sequence and values of one document break their limits while read', () => {
    const items = `[${Array.from({ length: 30 }, (_, i) => i).join(', ')}]`;
    expect(U.decode(items, 'yaml', undefined, { limits: { maxItems: 30 } })).toHaveLength(30);
    expect(refusal(items, { maxItems: 29 }).context).toMatchObject({ unit: 'items in an array' });
    const block = Array.from({ length: 30 }, (_, i) => `- ${i}`).join('\n');
    expect(refusal(block, { maxItems: 29 }).context).toMatchObject({ unit: 'items in an array' });
    const values = Array.from({ length: 40 }, (_, i) => `k${i}: v${i}`).join('\n');
    // 80 scalars: 40 keys, each standing for its value as the other decoders count.
    expect(U.decode(values, 'yaml', undefined, { limits: { maxNodes: 40 } })).toMatchObject({
      k39: 'v39',
    });
    expect(refusal(values, { maxNodes: 39 }).context).toMatchObject({
      unit: 'values in a document',
      limit: 39,
    });
  });

  it('duplicate keys are still refused, with where the second one is', () => {
    const error = refusal('a: 1\nb:\n  c: 2\n  c: 3\n');
    expect(error.code).toBe('ALERTBASE_SERIALIZATION_FAILED');
    expect(error.context).toMatchObject({ yamlCode: 'DUPLICATE_KEY', line: 4, column: 3 });
    expect(refusal('{x: 1, "x": 2}').context).toMatchObject({ yamlCode: 'DUPLICATE_KEY' });
  });

  it('the rule-file check and the command line report the limit as an issue with its line', () => {
    const deep = `groups:\n  - name: g\n    rules: ${nested(100, 'flow-seq')}\n`;
    const checked = checkRuleFile(deep);
    expect(checked.valid).toBe(false);
    expect(checked.errors[0]).toMatchObject({ code: 'too_large', line: 3 });
    expect(() => readDocuments(nested(100, 'compact-seq'), 'yaml')).toThrow(
      expect.objectContaining({ line: 1 }),
    );
  });
});

describe('composeYamlDocument reads what the yaml package reads', () => {
  const limits = resolveLimits();
  const json = fc.jsonValue({ maxDepth: 5 });
  type Outcome = { value: unknown; error?: { code: string; at: number } };
  function outcome(doc: Document.Parsed | undefined): Outcome {
    if (doc === undefined) return { value: null };
    const error = doc.errors[0];
    if (error !== undefined)
      return { value: undefined, error: { code: error.code, at: error.pos[0] } };
    try {
      return { value: doc.toJS() };
    } catch (cause) {
      // An alias without its anchor: the package throws when it builds the value.
      return { value: `throws: ${(cause as Error).message}` };
    }
  }
  /** The package's own parse of a text, as value and first error. */
  const reference = (text: string) =>
    outcome(parseDocument(text, { strict: true, uniqueKeys: true, schema: 'core' }));
  const ours = (text: string) => outcome(composeYamlDocument(text, limits, { strict: true }));

  it('the same value or the same first error, on written and mutated documents', () => {
    fc.assert(
      fc.property(
        json,
        fc.boolean(),
        fc.nat(),
        fc.constantFrom('none', 'duplicate-line', 'drop-char', 'swap-lines'),
        (value, flow, seed, mutation) => {
          let text = stringify(value, { collectionStyle: flow ? 'flow' : 'block' });
          const lines = text.split('\n');
          const at = lines.length === 0 ? 0 : seed % lines.length;
          if (mutation === 'duplicate-line') lines.splice(at, 0, lines[at] ?? '');
          if (mutation === 'swap-lines' && at + 1 < lines.length) {
            const next = lines[at + 1] ?? '';
            lines[at + 1] = lines[at] ?? '';
            lines[at] = next;
          }
          text = lines.join('\n');
          if (mutation === 'drop-char' && text.length > 0) {
            const i = seed % text.length;
            text = text.slice(0, i) + text.slice(i + 1);
          }
          const expected = reference(text);
          const actual = ours(text);
          expect(actual.value).toEqual(expected.value);
          expect(actual.error?.code).toBe(expected.error?.code);
          if (expected.error !== undefined && actual.error !== undefined) {
            // The package places a duplicate key where the previous entry
            // ended (the line break and indentation before the key); the
            // linear check places it on the key itself.
            expect(actual.error.at).toBeGreaterThanOrEqual(expected.error.at);
            expect(text.slice(expected.error.at, actual.error.at).trim()).toBe('');
          }
        },
      ),
      { numRuns: 1_000 },
    );
  }, 60_000);
});
