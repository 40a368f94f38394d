import { describe, expect, it } from 'vitest';
import { readDocuments } from './documents.js';
import { processIo } from './io.js';
import { createLocator } from './source-map.js';

describe('createLocator', () => {
  const yaml = [
    'kind: Silence',
    'matchers:',
    '  - name: alertname',
    '    value: Up',
    '  - { name: "0bad", value: x }',
    'comment: hi',
    '',
  ].join('\n');

  it('finds keys in mappings and items in sequences', () => {
    const locate = createLocator(yaml);
    expect(locate(['kind'])).toEqual({ line: 1, column: 1 });
    expect(locate(['matchers', 0, 'value'])).toEqual({ line: 4, column: 5 });
    expect(locate(['matchers', 1])).toEqual({ line: 5, column: 5 });
    expect(locate(['matchers', 1, 'name'])).toEqual({ line: 5, column: 7 });
  });

  it('falls back to the nearest parent for missing paths', () => {
    const locate = createLocator(yaml);
    expect(locate(['matchers', 7, 'name'])).toEqual({ line: 3, column: 3 });
    expect(locate(['nothing'])).toEqual({ line: 1, column: 1 });
    expect(locate(['comment', 'deeper'])).toEqual({ line: 6, column: 1 });
  });

  it('reads JSON as YAML for positions', () => {
    const locate = createLocator('{\n  "a": {\n    "b": [1, 2]\n  }\n}');
    expect(locate(['a', 'b', 1])).toEqual({ line: 3, column: 14 });
  });
});

describe('readDocuments', () => {
  it('reports YAML syntax errors with their position', () => {
    expect(() => readDocuments('a: 1\nb: [1, 2\n', 'yaml')).toThrow(
      expect.objectContaining({ name: 'DocumentSyntaxError', line: 3 }),
    );
    expect(() => readDocuments('a: 1\na: 2\n', 'yaml')).toThrow(
      expect.objectContaining({ line: 2, column: 1 }),
    );
  });

  it('keeps the line where each document of a stream starts (its --- marker)', () => {
    const docs = readDocuments('a: 1\n---\nb: 2\n---\nc: 3\n', 'yaml');
    expect(docs.map((d) => [d.index, d.firstLine, d.value])).toEqual([
      [0, 1, { a: 1 }],
      [1, 2, { b: 2 }],
      [2, 4, { c: 3 }],
    ]);
  });
});

describe('processIo', () => {
  it('uses the process streams, directory and environment', () => {
    const io = processIo();
    expect(io.stdout).toBe(process.stdout);
    expect(io.cwd).toBe(process.cwd());
    expect(io.env).toBe(process.env);
  });
});
