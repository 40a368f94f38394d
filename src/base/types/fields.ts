/**
 * Field types: the Zod 4 schemas of the values every alertbase model is made
 * of (ids, tenants, labels, timestamps, durations, PromQL conditions).
 *
 * Each one's error message says what was expected, and each converts to JSON
 * Schema for its input side (`z.toJSONSchema(schema, { io: 'input' })`), so
 * models built from them can be exported as JSON Schema and OpenAPI.
 * Where a check cannot be expressed in JSON Schema (PromQL syntax, reserved
 * label names) the JSON Schema is looser than the validation, never stricter.
 *
 * Each schema is also a type of the same name: `TenantId` is the schema and
 * `TenantId` the type of its (parsed) output.
 */

import { z } from 'zod';
import { DURATIONS, LIMITS } from '../constants.js';
import {
  DURATION_PATTERN,
  type DurationParseResult,
  safeParseDuration,
} from '../utils/duration.js';
import { FINGERPRINT_PATTERN } from '../utils/fingerprint.js';
import { UUID_V7_PATTERN } from '../utils/ids.js';
import { dateOfRfc3339, isoString } from '../utils/iso-time.js';
import { lastTextMemo } from '../utils/last-text.js';
import { checkPromql } from '../utils/promql.js';

/** A tenant slug: lowercase letters, digits and `-`, starting with a letter or digit. */
const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A Prometheus label name (the classic, pre-UTF-8 rule). */
const NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A tenant id: a slug of 1 to 63 characters, `^[a-z0-9][a-z0-9-]{0,62}$`, so
 * that it is also a valid DNS label, Postgres role suffix and Redis key tag.
 *
 * @example
 * ```ts
 * TenantId.parse('acme-prod'); // 'acme-prod'
 * TenantId.parse('Acme');      // throws: uppercase
 * ```
 */
export const TenantId = z
  .string({ error: 'expected a tenant id (a string)' })
  .regex(TENANT_ID_PATTERN, {
    error: `expected a tenant id: 1 to ${LIMITS.tenantIdMaxLength} lowercase letters, digits or "-", starting with a letter or digit`,
  })
  .meta({ description: 'Tenant id (lowercase slug)', examples: ['acme-prod'] });
/** A tenant id (see the schema `TenantId`). */
export type TenantId = z.output<typeof TenantId>;

/**
 * An entity id: a UUIDv7 in canonical lowercase form (time-ordered; see
 * `newId()` in `utils`).
 *
 * @example
 * ```ts
 * Id.parse(newId());
 * ```
 */
export const Id = z
  .stringFormat('uuid', UUID_V7_PATTERN, {
    error: 'expected a lowercase UUIDv7 (xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx)',
  })
  .meta({ description: 'Id (UUIDv7)', examples: ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10'] });
/** An entity id (see the schema `Id`). */
export type Id = z.output<typeof Id>;

/**
 * An email address, at most `LIMITS.emailMaxLength` characters.
 *
 * @example
 * ```ts
 * Email.parse('oncall@example.com');
 * ```
 */
export const Email = z
  .email({ error: 'expected an email address such as oncall@example.com' })
  .max(LIMITS.emailMaxLength, {
    error: `expected an email address of at most ${LIMITS.emailMaxLength} characters`,
  })
  .meta({ description: 'Email address', examples: ['oncall@example.com'] });
/** An email address (see the schema `Email`). */
export type Email = z.output<typeof Email>;

/**
 * An absolute `http:` or `https:` URL, at most `LIMITS.urlMaxLength`
 * characters. Other schemes (`javascript:`, `file:`, `ftp:`) are refused.
 *
 * @example
 * ```ts
 * HttpUrl.parse('https://hooks.example.com/alert');
 * HttpUrl.parse('javascript:alert(1)'); // throws
 * ```
 */
export const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' })
  .max(LIMITS.urlMaxLength, {
    error: `expected a URL of at most ${LIMITS.urlMaxLength} characters`,
  })
  .meta({ description: 'HTTP(S) URL', examples: ['https://hooks.example.com/alert'] });
/** An http(s) URL (see the schema `HttpUrl`). */
export type HttpUrl = z.output<typeof HttpUrl>;

const TIMESTAMP_EXPECTED =
  'expected an RFC 3339 date-time with a time zone offset, such as 2026-01-01T00:00:00Z or 2026-01-01T02:00:00.5+02:00, or a Date';

const Rfc3339 = z.iso.datetime({
  offset: true,
  error: (issue) =>
    issue.input instanceof Date ? 'expected a valid Date, got Invalid Date' : TIMESTAMP_EXPECTED,
});

/**
 * A point in time. Accepts a valid `Date`, or an ISO 8601 / RFC 3339
 * date-time string WITH a time zone offset (`Z` or `±hh:mm`), seconds
 * required, any number of fraction digits (`2026-01-01T00:00:00.123456789Z`
 * as Go sends); gives a `Date` (fractions beyond milliseconds are truncated).
 * Impossible dates (`2026-02-30`) and local times without offset are refused.
 * JSON Schema (input): `{ type: 'string', format: 'date-time' }`.
 *
 * @example
 * ```ts
 * Timestamp.parse('2026-01-01T00:00:00.123456789Z'); // Date 2026-01-01T00:00:00.123Z
 * Timestamp.parse(new Date());                       // the same instant, as a new Date
 * Timestamp.parse('2026-01-01T00:00:00');            // throws: no offset
 * ```
 */
export const Timestamp = z
  .preprocess<unknown, typeof Rfc3339, Date | string>(
    // A valid Date goes through the same string check, which keeps the JSON
    // Schema a plain `date-time` string; an Invalid Date is left to fail it.
    (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? isoString(value) : value),
    Rfc3339,
  )
  // JavaScript dates hold milliseconds: a longer fraction (Go and
  // Alertmanager send nanoseconds) is truncated.
  .transform(dateOfRfc3339)
  .meta({
    description: 'RFC 3339 date-time with offset',
    examples: ['2026-01-01T00:00:00Z'],
  });
/** A point in time (see the schema `Timestamp`). */
export type Timestamp = z.output<typeof Timestamp>;

/**
 * A duration string's check and its transform read the same text one after
 * the other: the last text's parse is kept, so it is parsed once.
 */
const durationOf: (text: string) => DurationParseResult = lastTextMemo(safeParseDuration);

const DurationString = z
  .string()
  .check((ctx) => {
    const result = durationOf(ctx.value);
    if (!result.ok) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: result.message,
        params: { code: result.code },
      });
    }
  })
  .meta({ pattern: DURATION_PATTERN.source })
  .transform((text) => {
    const result = durationOf(text);
    /* v8 ignore next -- the check above has refused every string that fails here */
    return result.ok ? result.ms : 0;
  });

const DurationNumber = z
  .number()
  .int({ error: 'expected a whole number of milliseconds' })
  // `abort` makes every refusal one `invalid_union` issue, as for strings
  // (the union passes a non-aborting branch's issues through unwrapped).
  .min(0, { error: 'expected a non-negative number of milliseconds', abort: true })
  .max(DURATIONS.maxDurationMs, {
    error: `expected at most ${DURATIONS.maxDurationMs} milliseconds (about 292 years)`,
    abort: true,
  });

const DURATION_EXPECTED =
  'expected a Prometheus duration such as 30s, 5m or 1h30m, or a non-negative integer of milliseconds';

/**
 * A duration, given as a Prometheus duration string (`30s`, `5m`, `1h30m`,
 * `1d`, `250ms`, `0`) or as a non-negative integer of milliseconds; gives
 * milliseconds. At most `DURATIONS.maxDurationMs` (what Prometheus accepts).
 *
 * A refused value is reported as one `invalid_union` issue whose message is
 * the specific reason for the kind of value given (string or number).
 *
 * @example
 * ```ts
 * DurationMs.parse('1h30m'); // 5400000
 * DurationMs.parse(250);     // 250
 * DurationMs.parse('30m1h'); // throws: units out of order
 * ```
 */
export const DurationMs = z
  .union([DurationString, DurationNumber], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      // Only the branch of the input's own type has something useful to say.
      const branch =
        typeof issue.input === 'string' ? 0 : typeof issue.input === 'number' ? 1 : undefined;
      const inner = branch === undefined ? undefined : issue.errors[branch]?.[0]?.message;
      return inner ?? DURATION_EXPECTED;
    },
  })
  .meta({ description: 'Duration: Prometheus duration or milliseconds', examples: ['5m', 300000] });
/** A duration in milliseconds (see the schema `DurationMs`). */
export type DurationMs = z.output<typeof DurationMs>;

/** A label or annotation name: the Prometheus rule, `__` prefix reserved. */
function nameSchema(kind: 'label' | 'annotation', maxLength: number) {
  return z
    .string({ error: `expected a ${kind} name (a string)` })
    .max(maxLength, { error: `expected a ${kind} name of at most ${maxLength} characters` })
    .regex(NAME_PATTERN, {
      error: `expected a ${kind} name: a letter or "_" followed by letters, digits or "_" (${NAME_PATTERN.source})`,
    })
    .check((ctx) => {
      if (ctx.value.startsWith('__')) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `${kind} names starting with "__" are reserved for internal use`,
          params: { code: 'reserved_name' },
        });
      }
    });
}

/**
 * A Prometheus label name: `^[a-zA-Z_][a-zA-Z0-9_]*$`, at most
 * `LIMITS.labelNameMaxLength` characters. Names starting with `__` are
 * reserved (Prometheus' internal labels) and refused with their own issue
 * (`custom`, `params.code === 'reserved_name'`).
 *
 * @example
 * ```ts
 * LabelName.parse('severity');
 * LabelName.parse('__name__'); // throws: reserved
 * ```
 */
export const LabelName = nameSchema('label', LIMITS.labelNameMaxLength).meta({
  description: 'Label name; names starting with __ are reserved',
  examples: ['severity'],
});
/** A label name (see the schema `LabelName`). */
export type LabelName = z.output<typeof LabelName>;

/**
 * A label value: any string of at most `LIMITS.labelValueMaxLength` characters.
 *
 * @example
 * ```ts
 * LabelValue.parse('critical');
 * ```
 */
export const LabelValue = z
  .string({ error: 'expected a label value (a string)' })
  .max(LIMITS.labelValueMaxLength, {
    error: `expected a label value of at most ${LIMITS.labelValueMaxLength} characters`,
  })
  .meta({ description: 'Label value', examples: ['critical'] });
/** A label value (see the schema `LabelValue`). */
export type LabelValue = z.output<typeof LabelValue>;

/** A key's own issues, put into the record's `invalid_key` message. */
function invalidKeyMessage(
  what: string,
  issue: { readonly issues?: readonly { readonly message: string }[] },
): string {
  const reasons = (issue.issues ?? []).map((i) => i.message);
  return `invalid ${what}: ${reasons.length > 0 ? reasons.join('; ') : 'not allowed'}`;
}

/** A record with at most `max` entries, reporting `too_big` beyond it. */
function maxEntries(what: string, max: number) {
  return (ctx: z.core.ParsePayload<Record<string, string>>): void => {
    const count = Object.keys(ctx.value).length;
    if (count > max) {
      ctx.issues.push({
        code: 'too_big',
        origin: 'object',
        maximum: max,
        inclusive: true,
        input: ctx.value,
        message: `expected at most ${max} ${what}, got ${count}`,
      });
    }
  };
}

/**
 * A label set: `LabelName` → `LabelValue`, at most `LIMITS.maxLabels` labels.
 * A bad name is reported at its key's path (`invalid_key`).
 *
 * @example
 * ```ts
 * LabelSet.parse({ alertname: 'HighCPU', severity: 'critical' });
 * ```
 */
export const LabelSet = z
  .record(LabelName, LabelValue, {
    error: (issue) =>
      issue.code === 'invalid_key'
        ? invalidKeyMessage('label name', issue)
        : issue.code === 'invalid_type'
          ? 'expected a label set (an object of label name to string value)'
          : undefined,
  })
  .check(maxEntries('labels', LIMITS.maxLabels))
  .meta({
    description: 'Labels: name to value',
    maxProperties: LIMITS.maxLabels,
    examples: [{ alertname: 'HighCPU', severity: 'critical' }],
  });
/** A label set (see the schema `LabelSet`). */
export type LabelSet = z.output<typeof LabelSet>;

/**
 * Annotations: annotation name (the label-name rule, `__` prefix reserved) →
 * string of at most `LIMITS.annotationValueMaxLength` characters; at most
 * `LIMITS.maxAnnotations` entries.
 *
 * @example
 * ```ts
 * AnnotationMap.parse({ summary: 'CPU above 80%', runbook_url: 'https://...' });
 * ```
 */
export const AnnotationMap = z
  .record(
    nameSchema('annotation', LIMITS.annotationNameMaxLength),
    z
      .string({ error: 'expected an annotation value (a string)' })
      .max(LIMITS.annotationValueMaxLength, {
        error: `expected an annotation value of at most ${LIMITS.annotationValueMaxLength} characters`,
      }),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? invalidKeyMessage('annotation name', issue)
          : issue.code === 'invalid_type'
            ? 'expected annotations (an object of annotation name to string value)'
            : undefined,
    },
  )
  .check(maxEntries('annotations', LIMITS.maxAnnotations))
  .meta({
    description: 'Annotations: name to text',
    maxProperties: LIMITS.maxAnnotations,
    examples: [{ summary: 'CPU above 80%' }],
  });
/** Annotations (see the schema `AnnotationMap`). */
export type AnnotationMap = z.output<typeof AnnotationMap>;

/**
 * An Alertmanager fingerprint: 16 lowercase hex digits (see `fingerprint()`
 * in `utils`).
 *
 * @example
 * ```ts
 * Fingerprint.parse('cbf29ce484222325');
 * ```
 */
export const Fingerprint = z
  .string({ error: 'expected a fingerprint (a string)' })
  .regex(FINGERPRINT_PATTERN, { error: 'expected a fingerprint: 16 lowercase hex digits' })
  .meta({ description: 'Alertmanager fingerprint', examples: ['cbf29ce484222325'] });
/** A fingerprint (see the schema `Fingerprint`). */
export type Fingerprint = z.output<typeof Fingerprint>;

/**
 * An alert condition: a PromQL expression that Prometheus 2.42 accepts, checked
 * as `promtool check rules` checks it (see `checkPromql`: the grammar, then
 * function and operator types, modifiers, RE2 regexes), at most
 * `LIMITS.conditionMaxLength` characters. A refusal is one `custom` issue
 * whose message names the line and column and whose `params` are
 * `{ code, line, column }` (1-based), `code` being `invalid_promql` (syntax),
 * `promql_type_error`, `invalid_regex` or `invalid_duration` — the codes every
 * entry point reports. An empty expression is `invalid_promql` (line 1, column 1).
 *
 * @example
 * ```ts
 * Condition.parse('rate(http_requests_total{job="api"}[5m]) > 0.1');
 * Condition.parse('cpu_usage >'); // throws: line 1, column 12
 * Condition.parse('rate(up) > 1'); // throws: promql_type_error, line 1, column 6
 * ```
 */
export const Condition = z
  .string({ error: 'expected a PromQL expression (a string)' })
  .max(LIMITS.conditionMaxLength, {
    error: `expected a PromQL expression of at most ${LIMITS.conditionMaxLength} characters`,
    // Do not parse what is already refused.
    abort: true,
  })
  .check((ctx) => {
    const result = checkPromql(ctx.value);
    if (!result.ok) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: result.message,
        params: { code: result.code, line: result.line, column: result.column },
      });
    }
  })
  .meta({ description: 'PromQL expression', examples: ['cpu_usage > 80'] });
/** A PromQL condition (see the schema `Condition`). */
export type Condition = z.output<typeof Condition>;
