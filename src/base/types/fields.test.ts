import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ZodType, z } from 'zod';
import { DURATIONS, LIMITS } from '../constants.js';
import { formatDuration } from '../utils/duration.js';
import { fingerprint } from '../utils/fingerprint.js';
import { newId } from '../utils/ids.js';
import {
  AnnotationMap,
  Condition,
  DurationMs,
  Email,
  Fingerprint,
  HttpUrl,
  Id,
  LabelName,
  LabelSet,
  LabelValue,
  TenantId,
  Timestamp,
} from './fields.js';

/** The issues of a failed parse (the test fails if the parse succeeds). */
function issuesOf(schema: ZodType, value: unknown): z.core.$ZodIssue[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.error?.issues ?? [];
}

const ALL = {
  TenantId,
  Id,
  Email,
  HttpUrl,
  Timestamp,
  DurationMs,
  LabelName,
  LabelValue,
  LabelSet,
  AnnotationMap,
  Fingerprint,
  Condition,
};

describe('JSON Schema', () => {
  it.each(Object.entries(ALL))('%s converts to JSON Schema (input)', (_name, schema) => {
    const json = z.toJSONSchema(schema, { io: 'input' });
    expect(json).toBeTypeOf('object');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('describes Timestamp input as a date-time string', () => {
    expect(z.toJSONSchema(Timestamp, { io: 'input' })).toMatchObject({
      type: 'string',
      format: 'date-time',
    });
  });

  it('describes DurationMs input as a duration string or integer milliseconds', () => {
    const json = z.toJSONSchema(DurationMs, { io: 'input' }) as { anyOf: unknown[] };
    expect(json.anyOf).toEqual([
      expect.objectContaining({ type: 'string', pattern: expect.any(String) }),
      expect.objectContaining({ type: 'integer', minimum: 0, maximum: DURATIONS.maxDurationMs }),
    ]);
  });

  it('carries the limits and patterns', () => {
    expect(z.toJSONSchema(Id, { io: 'input' })).toMatchObject({ type: 'string', format: 'uuid' });
    expect(z.toJSONSchema(LabelSet, { io: 'input' })).toMatchObject({
      type: 'object',
      maxProperties: LIMITS.maxLabels,
      propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
      additionalProperties: { type: 'string', maxLength: LIMITS.labelValueMaxLength },
    });
    expect(z.toJSONSchema(Fingerprint, { io: 'input' })).toMatchObject({
      pattern: '^[0-9a-f]{16}$',
    });
    expect(z.toJSONSchema(Condition, { io: 'input' })).toMatchObject({
      maxLength: LIMITS.conditionMaxLength,
    });
  });
});

describe('TenantId', () => {
  it.each(['acme', 'acme-prod', '0', 'a'.repeat(63), '1-2-3'])('accepts %s', (value) => {
    expect(TenantId.parse(value)).toBe(value);
  });

  it.each(['', 'Acme', '-acme', 'acme_prod', 'a'.repeat(64), 'acme prod', 'ü'])(
    'refuses %j',
    (value) => {
      expect(issuesOf(TenantId, value)[0]?.code).toBe('invalid_format');
    },
  );

  it('refuses a non-string', () => {
    expect(issuesOf(TenantId, 42)[0]?.code).toBe('invalid_type');
  });
});

describe('Id', () => {
  it('accepts a new id', () => {
    const id = newId();
    expect(Id.parse(id)).toBe(id);
  });

  it.each([
    '0190A4B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B',
    '550e8400-e29b-41d4-a716-446655440000',
    'not-an-id',
    '',
  ])('refuses %j', (value) => {
    expect(issuesOf(Id, value)[0]?.code).toBe('invalid_format');
  });
});

describe('Email', () => {
  it('accepts an address', () => {
    expect(Email.parse('oncall@example.com')).toBe('oncall@example.com');
  });

  it.each(['oncall', 'a@b', '@example.com', 'a b@example.com'])('refuses %j', (value) => {
    expect(issuesOf(Email, value)[0]?.code).toBe('invalid_format');
  });

  it('refuses an address longer than the limit', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`;
    expect(long.length).toBeGreaterThan(LIMITS.emailMaxLength);
    expect(issuesOf(Email, long).map((i) => i.code)).toContain('too_big');
  });
});

describe('HttpUrl', () => {
  it.each([
    'http://alertmanager:9093/api/v2/alerts',
    'https://hooks.example.com/x?y=1',
    'http://127.0.0.1',
  ])('accepts %s', (value) => {
    expect(HttpUrl.parse(value)).toBe(value);
  });

  it.each(['javascript:alert(1)', 'ftp://example.com', 'file:///etc/passwd', 'example.com', ''])(
    'refuses %j',
    (value) => {
      expect(issuesOf(HttpUrl, value)[0]?.code).toBe('invalid_format');
    },
  );

  it('refuses a URL longer than the limit', () => {
    const long = `https://example.com/${'a'.repeat(LIMITS.urlMaxLength)}`;
    expect(issuesOf(HttpUrl, long).map((i) => i.code)).toContain('too_big');
  });
});

describe('Timestamp', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.500Z'],
    ['2026-01-01T00:00:00.123456789Z', '2026-01-01T00:00:00.123Z'],
    ['2026-01-01T02:00:00.999999+02:00', '2026-01-01T00:00:00.999Z'],
    ['2025-12-31T19:00:00-05:00', '2026-01-01T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ])('parses %s', (text, iso) => {
    const date = Timestamp.parse(text);
    expect(date).toBeInstanceOf(Date);
    expect(date.toISOString()).toBe(iso);
  });

  it('accepts a Date', () => {
    const date = new Date('2026-01-01T00:00:00.123Z');
    expect(Timestamp.parse(date).getTime()).toBe(date.getTime());
  });

  it.each([
    '2026-01-01T00:00:00',
    '2026-01-01',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00Z',
    'yesterday',
    '',
  ])('refuses %j', (text) => {
    expect(issuesOf(Timestamp, text)[0]?.code).toBe('invalid_format');
  });

  it('refuses an Invalid Date and non-strings', () => {
    const [issue] = issuesOf(Timestamp, new Date(Number.NaN));
    expect(issue?.code).toBe('invalid_type');
    expect(issue?.message).toContain('Invalid Date');
    expect(issuesOf(Timestamp, 1_767_225_600_000)[0]?.code).toBe('invalid_type');
  });
});

describe('DurationMs', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['250ms', 250],
    [0, 0],
    [1_500, 1_500],
    [DURATIONS.maxDurationMs, DURATIONS.maxDurationMs],
  ])('parses %j as %d ms', (input, ms) => {
    expect(DurationMs.parse(input)).toBe(ms);
  });

  it.each(['30m1h', '5', '', '1.5h', -1, 1.5, DURATIONS.maxDurationMs + 1, true, null])(
    'refuses %j',
    (input) => {
      const issues = issuesOf(DurationMs, input);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.code).toBe('invalid_union');
    },
  );

  it('says why, for the kind of value given', () => {
    expect(issuesOf(DurationMs, '30m1h')[0]?.message).toContain('largest to smallest');
    expect(issuesOf(DurationMs, -1)[0]?.message).toContain('non-negative');
    expect(issuesOf(DurationMs, true)[0]?.message).toContain('Prometheus duration');
  });

  it('accepts what formatDuration prints (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DURATIONS.maxDurationMs }), (ms) => {
        expect(DurationMs.parse(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('LabelName', () => {
  it.each(['job', 'alertname', '_private', 'a1', 'A_B'])('accepts %s', (name) => {
    expect(LabelName.parse(name)).toBe(name);
  });

  it.each(['', '1abc', 'a-b', 'a.b', 'ü', 'a b'])('refuses %j', (name) => {
    expect(issuesOf(LabelName, name)[0]?.code).toBe('invalid_format');
  });

  it.each(['__name__', '__tenant', '__'])(
    'refuses the reserved name %j with its own issue',
    (name) => {
      const issues = issuesOf(LabelName, name);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ code: 'custom', params: { code: 'reserved_name' } });
      expect(issues[0]?.message).toContain('reserved');
    },
  );

  it('refuses a name longer than the limit', () => {
    expect(issuesOf(LabelName, 'a'.repeat(LIMITS.labelNameMaxLength + 1))[0]?.code).toBe('too_big');
  });
});

describe('LabelValue', () => {
  it('accepts any string up to the limit', () => {
    expect(LabelValue.parse('')).toBe('');
    expect(LabelValue.parse('x'.repeat(LIMITS.labelValueMaxLength))).toHaveLength(
      LIMITS.labelValueMaxLength,
    );
    expect(issuesOf(LabelValue, 'x'.repeat(LIMITS.labelValueMaxLength + 1))[0]?.code).toBe(
      'too_big',
    );
    expect(issuesOf(LabelValue, 1)[0]?.code).toBe('invalid_type');
  });
});

describe('LabelSet', () => {
  it('accepts labels', () => {
    const labels = { alertname: 'HighCPU', severity: 'critical', constructor: 'ok' };
    expect(LabelSet.parse(labels)).toEqual(labels);
  });

  it('reports a bad name at its key, with the reason', () => {
    const issues = issuesOf(LabelSet, { ok: 'x', 'bad-name': 'y', __reserved: 'z' });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['invalid_key', ['bad-name']],
      ['invalid_key', ['__reserved']],
    ]);
    expect(issues[1]?.message).toContain('reserved');
  });

  it('reports a bad value at its key', () => {
    const issues = issuesOf(LabelSet, { job: 1 });
    expect(issues.map((i) => [i.code, i.path])).toEqual([['invalid_type', ['job']]]);
  });

  it('refuses more labels than the limit', () => {
    const labels = Object.fromEntries(
      Array.from({ length: LIMITS.maxLabels + 1 }, (_, i) => [`l${i}`, 'v']),
    );
    const issues = issuesOf(LabelSet, labels);
    expect(issues).toEqual([
      expect.objectContaining({ code: 'too_big', maximum: LIMITS.maxLabels }),
    ]);
  });

  it('refuses a non-object', () => {
    expect(issuesOf(LabelSet, ['a'])[0]?.code).toBe('invalid_type');
  });
});

describe('AnnotationMap', () => {
  it('accepts annotations', () => {
    const annotations = { summary: 'CPU above 80%', runbook_url: 'https://runbooks/x' };
    expect(AnnotationMap.parse(annotations)).toEqual(annotations);
  });

  it('applies the name rule, the value limit and the count limit', () => {
    expect(issuesOf(AnnotationMap, { 'run-book': 'x' })[0]?.code).toBe('invalid_key');
    expect(
      issuesOf(AnnotationMap, { summary: 'x'.repeat(LIMITS.annotationValueMaxLength + 1) })[0],
    ).toMatchObject({ code: 'too_big', path: ['summary'] });
    const many = Object.fromEntries(
      Array.from({ length: LIMITS.maxAnnotations + 1 }, (_, i) => [`a${i}`, 'v']),
    );
    expect(issuesOf(AnnotationMap, many)[0]?.code).toBe('too_big');
    expect(issuesOf(AnnotationMap, 'text')[0]?.code).toBe('invalid_type');
  });
});

describe('Fingerprint', () => {
  it('accepts a computed fingerprint and refuses others', () => {
    const fp = fingerprint({ alertname: 'x' });
    expect(Fingerprint.parse(fp)).toBe(fp);
    expect(issuesOf(Fingerprint, fp.toUpperCase())[0]?.code).toBe('invalid_format');
    expect(issuesOf(Fingerprint, 'abc')[0]?.code).toBe('invalid_format');
  });
});

describe('Condition', () => {
  it.each([
    'cpu_usage > 80',
    'rate(http_requests_total{job="api"}[5m]) > 0.1',
    'sum by (job) (up) == 0',
  ])('accepts %s', (expr) => {
    expect(Condition.parse(expr)).toBe(expr);
  });

  it.each([
    ['cpu_usage >', 1, 12],
    ['rate(x[5m]', 1, 11],
    ['DROP TABLE alerts', 1, 6],
    ['sum(', 1, 5],
    ['up\n  and foo{', 2, 11],
    ['', 1, 1],
  ] as const)('refuses %j with the position (line %i, column %i)', (expr, line, column) => {
    const issues = issuesOf(Condition, expr);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      code: 'custom',
      params: { code: 'invalid_promql', line, column },
    });
    if (expr !== '') expect(issues[0]?.message).toContain(`line ${line}, column ${column}`);
  });

  it.each([
    ['rate(up) > 1', 'promql_type_error', 1, 6],
    ['up{job=~"(?=api)"}', 'invalid_regex', 1, 4],
    ['rate(x[0s])', 'invalid_duration', 1, 8],
  ] as const)('refuses %j as promtool does, with the code %s', (expr, code, line, column) => {
    const issues = issuesOf(Condition, expr);
    expect(issues).toMatchObject([{ code: 'custom', params: { code, line, column } }]);
  });

  it('refuses an over-long expression without parsing it', () => {
    const issues = issuesOf(Condition, 'a'.repeat(LIMITS.conditionMaxLength + 1));
    expect(issues.map((i) => i.code)).toEqual(['too_big']);
  });

  it('refuses a non-string', () => {
    expect(issuesOf(Condition, 80)[0]?.code).toBe('invalid_type');
  });
});

describe('types', () => {
  it('infers input and output types', () => {
    expectTypeOf<z.input<typeof Timestamp>>().toEqualTypeOf<Date | string>();
    expectTypeOf<z.output<typeof Timestamp>>().toEqualTypeOf<Date>();
    expectTypeOf<z.input<typeof DurationMs>>().toEqualTypeOf<string | number>();
    expectTypeOf<z.output<typeof DurationMs>>().toEqualTypeOf<number>();
    expectTypeOf<z.output<typeof LabelSet>>().toEqualTypeOf<Record<string, string>>();
  });
});
