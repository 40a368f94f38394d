/**
 * Model validation against the peers: `Alert` and `AlertRule`, a valid payload
 * and an invalid one with eight faults, each peer returning its full issue list.
 *
 * - alertbase: `Model.safeParse` with the model's compiled parser (generated
 *   straight-line code for the whole model, Zod for what it does not know),
 *   plus alias handling, issue mapping, a frozen instance with computed fields.
 *   One more row per case times it against the regular parser (compilation
 *   `off`: the `z.compile`d Zod schema), which must give the same result.
 * - zod: the same field schemas in a plain, uncompiled `z.strictObject`.
 * - ajv: compiled from the model's own `toJSONSchema({ io: 'input' })`, `allErrors`, ajv-formats.
 * - typebox, arktype, valibot: hand-written schemas of the same shape and constraints.
 *
 * Before timing, every validator must accept the valid payload and report the
 * faults of the invalid one at exactly the expected fields, so no contender
 * wins by checking less. What a peer cannot express is listed in `bench/README.md`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatRegistry, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { type Type as ArkTypeOf, type Traversal, type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import { LIMITS } from '../src/base/constants.js';
import { AlertLevel, AlertStatus, Priority } from '../src/base/enums/index.js';
import { setModelCompilation } from '../src/base/types/compiler/settings.js';
import type { AnyModel } from '../src/base/types/model.js';
import { DURATION_PATTERN } from '../src/base/utils/duration.js';
import { UUID_V7_PATTERN } from '../src/base/utils/ids.js';
import { Alert, AlertRule } from '../src/domain/index.js';
import { type BenchRow, benchRow, measureThroughput, vsBest } from './lib.js';

const SUITE = 'models';

// ---------------------------------------------------------------------------
// Constraints shared by the hand-written peer schemas (mirroring src/base/types/fields.ts).

/** Label and annotation names: the Prometheus rule, at most 128 characters, `__` prefix reserved. */
const NAME_RE = new RegExp(`^(?!__)[a-zA-Z_][a-zA-Z0-9_]{0,${LIMITS.labelNameMaxLength - 1}}$`);
const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const UUID_RE = UUID_V7_PATTERN;
const DURATION_RE = DURATION_PATTERN;
/** Zod's own RFC 3339 regex (the one `Timestamp` uses), so every peer checks the same thing. */
const DATETIME_RE = z.regexes.datetime({ offset: true, local: false, precision: null });
const MAX_DURATION_MS = 9_223_372_036_854;

const LEVELS = AlertLevel.values;
const PRIORITIES = [...Priority.values, ...Priority.values.map((p) => p.toLowerCase())];
const STATUSES = AlertStatus.values;

/** Zod's `z.url({ protocol: /^https?$/ })`, as a predicate. */
function isHttpUrl(text: string): boolean {
  if (text.length > LIMITS.urlMaxLength) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const unique = (items: readonly string[]): boolean => new Set(items).size === items.length;

// ---------------------------------------------------------------------------
// Payloads.

const ID_1 = '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10';
const ID_2 = '01950b2e-7a3d-7f00-8a1b-0c2d3e4f5a6b';
const ID_3 = '01950b2e-7a3e-7a11-b222-333344445555';

const VALID_ALERT = {
  tenantId: 'acme-prod',
  ruleId: ID_1,
  labels: {
    alertname: 'HighCPUUsage',
    instance: 'web-1:9100',
    job: 'node',
    severity: 'warning',
    team: 'infra',
  },
  annotations: {
    summary: 'CPU usage is 93% on web-1:9100',
    runbook_url: 'https://runbooks.example.com/cpu',
  },
  level: 'high',
  priority: 'P2',
  status: 'firing',
  startsAt: '2026-11-28T06:00:00.123456789Z',
  endsAt: null,
  generatorURL: 'http://prometheus.example.com/graph?g0.expr=cpu_usage+%3E+80',
  value: 93.4,
  lastReceivedAt: '2026-11-28T06:00:30Z',
};

/** Eight faults, one per field, each expressible by every peer. */
const INVALID_ALERT = {
  tenantId: 'Acme Corp', // pattern
  labels: { alertname: 'HighCPUUsage', 'bad-label': 'x' }, // label name regex on a record key
  level: 'severe', // enum
  priority: 'P7', // enum
  startsAt: '2026-11-28 06:00:00', // not RFC 3339
  generatorURL: 'prometheus.example.com/graph', // not an absolute URL
  duplicateCount: -1, // minimum
  severity: 'critical', // unknown key
};
const ALERT_FAULTS = [
  'duplicateCount',
  'generatorURL',
  'labels',
  'level',
  'priority',
  'severity',
  'startsAt',
  'tenantId',
];

const VALID_RULE = {
  tenantId: 'acme-prod',
  name: 'High error rate on the API',
  description: 'More than 10% of API requests fail with a 5xx status.',
  level: 'critical',
  priority: 'p2',
  condition:
    'sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{job="api"}[5m])) > 0.1',
  for: '5m',
  keepFiringFor: '1m30s',
  group: 'api.rules',
  channelIds: [ID_2, ID_3],
  enabled: true,
  labels: { team: 'api', service: 'checkout' },
  annotations: {
    summary: 'Error rate is {{ $value | humanizePercentage }} on {{ $labels.job }}',
    runbook_url: 'https://runbooks.example.com/api-errors',
  },
  tags: ['api', 'slo'],
};

/** Eight faults, one per field, each expressible by every peer (the condition stays valid). */
const INVALID_RULE = {
  tenantId: 'Acme Corp', // pattern
  name: '', // minimum length
  level: 'urgent', // enum
  priority: 'P9', // enum
  condition: 'cpu_usage > 80',
  for: '5 minutes', // duration pattern
  channelIds: [ID_2, 'not-a-uuid'], // uuid pattern in an array
  labels: { team: 'api', '1bad-name': 'x' }, // label name regex on a record key
  colour: 'red', // unknown key
};
const RULE_FAULTS = [
  'channelIds',
  'colour',
  'for',
  'labels',
  'level',
  'name',
  'priority',
  'tenantId',
];

// ---------------------------------------------------------------------------
// Contenders.

/** One validator: `check` is what is timed and returns the full issue list on failure. */
interface Contender {
  readonly name: string;
  readonly check: (input: unknown) => unknown;
  /** Top-level fields with issues (for the fairness check), or `null` when valid. */
  readonly faultFields: (input: unknown) => string[] | null;
}

const versions = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'),
) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const versionOf = (pkg: string): string =>
  versions.dependencies[pkg] ?? versions.devDependencies[pkg] ?? '?';

const sortedUnique = (keys: readonly string[]): string[] => [...new Set(keys)].sort();

function alertbaseContender(model: AnyModel): Contender {
  return {
    name: 'alertbase',
    check: (input) => {
      const r = model.safeParse(input);
      return r.success ? r.data : r.error.issues;
    },
    faultFields: (input) => {
      const r = model.safeParse(input);
      return r.success ? null : sortedUnique(r.error.issues.map((i) => String(i.path[0])));
    },
  };
}

function zodContender(model: AnyModel): Contender {
  const compiled = model.schema;
  if (!(compiled instanceof z.ZodObject)) throw new Error(`${model.name}.schema is not an object`);
  // The same field schemas, in a plain object schema that `z.compile` has not seen.
  const raw = z.strictObject(compiled.shape);
  return {
    name: `zod ${versionOf('zod')} (uncompiled)`,
    check: (input) => {
      const r = raw.safeParse(input);
      return r.success ? r.data : r.error.issues;
    },
    faultFields: (input) => {
      const r = raw.safeParse(input);
      if (r.success) return null;
      return sortedUnique(
        r.error.issues.flatMap((i) =>
          i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [String(i.path[0])],
        ),
      );
    },
  };
}

// ajv-formats is CommonJS (`module.exports = plugin`): Node hands the function itself to a
// default import, while TypeScript (NodeNext) types that import as the module object.
const addFormats = addFormatsModule as unknown as FormatsPlugin;

function ajvContender(model: AnyModel): Contender {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(model.toJSONSchema({ io: 'input' }));
  const fieldOf = (e: ErrorObject): string => {
    const top = e.instancePath.split('/')[1];
    if (top !== undefined) return top;
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return extra ?? `(root:${e.keyword})`;
  };
  return {
    name: `ajv ${versionOf('ajv')}`,
    check: (input) => (validate(input) ? true : validate.errors),
    faultFields: (input) =>
      validate(input) ? null : sortedUnique((validate.errors ?? []).map(fieldOf)),
  };
}

let typeboxFormatsRegistered = false;
function registerTypeboxFormats(): void {
  if (typeboxFormatsRegistered) return;
  FormatRegistry.Set('uuid', (value) => UUID_RE.test(value));
  FormatRegistry.Set('date-time', (value) => DATETIME_RE.test(value));
  FormatRegistry.Set('http-url', isHttpUrl);
  typeboxFormatsRegistered = true;
}

function typeboxContender(schema: TSchema): Contender {
  registerTypeboxFormats();
  const compiled = TypeCompiler.Compile(schema);
  return {
    name: `typebox ${versionOf('@sinclair/typebox')} (compiled)`,
    check: (input) => (compiled.Check(input) ? true : [...compiled.Errors(input)]),
    faultFields: (input) =>
      compiled.Check(input)
        ? null
        : sortedUnique([...compiled.Errors(input)].map((e) => e.path.split('/')[1] ?? '(root)')),
  };
}

function arktypeContender(schema: ArkTypeOf<unknown>): Contender {
  return {
    name: `arktype ${versionOf('arktype')}`,
    check: (input) => {
      const out = schema(input);
      return out instanceof type.errors ? out.summary : out;
    },
    faultFields: (input) => {
      const out = schema(input);
      return out instanceof type.errors
        ? sortedUnique(out.map((e) => String(e.path[0] ?? '(root)')))
        : null;
    },
  };
}

type AnyValibotSchema = v.GenericSchema<unknown, unknown>;

function valibotContender(schema: AnyValibotSchema): Contender {
  const config = { abortEarly: false } as const;
  return {
    name: `valibot ${versionOf('valibot')}`,
    check: (input) => {
      const r = v.safeParse(schema, input, config);
      return r.success ? r.output : r.issues;
    },
    faultFields: (input) => {
      const r = v.safeParse(schema, input, config);
      if (r.success) return null;
      return sortedUnique(r.issues.map((i) => String(i.path?.[0]?.key ?? '(root)')));
    },
  };
}

// ---------------------------------------------------------------------------
// TypeBox schemas.

const tb = {
  nullable: <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]),
  id: () => Type.String({ format: 'uuid' }),
  timestamp: () => Type.String({ format: 'date-time' }),
  actor: () => Type.String({ minLength: 1, maxLength: LIMITS.nameMaxLength }),
  duration: () =>
    Type.Union([
      Type.String({ pattern: DURATION_RE.source }),
      Type.Integer({ minimum: 0, maximum: MAX_DURATION_MS }),
    ]),
  labels: (minProperties: number) =>
    Type.Record(
      Type.String({ pattern: NAME_RE.source }),
      Type.String({ maxLength: LIMITS.labelValueMaxLength }),
      { additionalProperties: false, minProperties, maxProperties: LIMITS.maxLabels },
    ),
  annotations: () =>
    Type.Record(
      Type.String({ pattern: NAME_RE.source }),
      Type.String({ maxLength: LIMITS.annotationValueMaxLength }),
      { additionalProperties: false, maxProperties: LIMITS.maxAnnotations },
    ),
  mixinFields: () => ({
    tenantId: Type.String({ pattern: TENANT_RE.source }),
    createdAt: Type.Optional(Type.String({ format: 'date-time' })),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  }),
};

const typeboxAlert = Type.Object(
  {
    id: Type.Optional(tb.id()),
    ruleId: Type.Optional(tb.nullable(tb.id())),
    labels: tb.labels(1),
    annotations: Type.Optional(tb.annotations()),
    level: Type.Union(LEVELS.map((l) => Type.Literal(l))),
    priority: Type.Union(PRIORITIES.map((p) => Type.Literal(p))),
    status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    previousStatus: Type.Optional(tb.nullable(Type.Union(STATUSES.map((s) => Type.Literal(s))))),
    startsAt: Type.Optional(tb.timestamp()),
    endsAt: Type.Optional(tb.nullable(tb.timestamp())),
    generatorURL: Type.Optional(tb.nullable(Type.String({ format: 'http-url' }))),
    value: Type.Optional(tb.nullable(Type.Number())),
    duplicateCount: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    lastReceivedAt: Type.Optional(tb.timestamp()),
    acknowledgedBy: Type.Optional(tb.nullable(tb.actor())),
    acknowledgedAt: Type.Optional(tb.nullable(tb.timestamp())),
    ...tb.mixinFields(),
  },
  { additionalProperties: false },
);

const typeboxRule = Type.Object(
  {
    id: Type.Optional(tb.id()),
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameMaxLength }),
    description: Type.Optional(
      tb.nullable(Type.String({ maxLength: LIMITS.descriptionMaxLength })),
    ),
    level: Type.Union(LEVELS.map((l) => Type.Literal(l))),
    priority: Type.Union(PRIORITIES.map((p) => Type.Literal(p))),
    condition: Type.String({ maxLength: LIMITS.conditionMaxLength }),
    for: Type.Optional(tb.duration()),
    keepFiringFor: Type.Optional(tb.duration()),
    group: Type.Optional(tb.nullable(tb.actor())),
    channelIds: Type.Optional(
      Type.Array(tb.id(), { maxItems: LIMITS.maxChannelsPerRule, uniqueItems: true }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    createdBy: Type.Optional(tb.nullable(tb.actor())),
    updatedBy: Type.Optional(tb.nullable(tb.actor())),
    labels: Type.Optional(tb.labels(0)),
    annotations: Type.Optional(tb.annotations()),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagMaxLength }), {
        maxItems: LIMITS.maxTags,
      }),
    ),
    deletedAt: Type.Optional(tb.nullable(tb.timestamp())),
    deletedBy: Type.Optional(tb.nullable(tb.actor())),
    ...tb.mixinFields(),
  },
  { additionalProperties: false },
);

// ---------------------------------------------------------------------------
// ArkType schemas.

const akName = type.string.matching(NAME_RE);
const akId = type.string.matching(UUID_RE);
const akTimestamp = type.string.matching(DATETIME_RE);
const akActor = type.string.moreThanLength(0).atMostLength(LIMITS.nameMaxLength);
const akDuration = type.string
  .matching(DURATION_RE)
  .or(type.number.divisibleBy(1).atLeast(0).atMost(MAX_DURATION_MS));
const akLevel = type.enumerated(...LEVELS);
const akPriority = type.enumerated(...PRIORITIES);
const akStatus = type.enumerated(...STATUSES);
const akHttpUrl = type.string.narrow(
  (s, ctx) => isHttpUrl(s) || ctx.mustBe('an absolute http(s) URL'),
);
const akEntries = (min: number, max: number, what: string) => (o: object, ctx: Traversal) => {
  const n = Object.keys(o).length;
  return (n >= min && n <= max) || ctx.mustBe(`${min} to ${max} ${what}`);
};
const akLabels = (min: number) =>
  type
    .Record(akName, type.string.atMostLength(LIMITS.labelValueMaxLength))
    .onUndeclaredKey('reject')
    .narrow(akEntries(min, LIMITS.maxLabels, 'labels'));
const akAnnotations = type
  .Record(akName, type.string.atMostLength(LIMITS.annotationValueMaxLength))
  .onUndeclaredKey('reject')
  .narrow(akEntries(0, LIMITS.maxAnnotations, 'annotations'));
const akVersion = type.number.divisibleBy(1).atLeast(1).atMost(Number.MAX_SAFE_INTEGER);

const arktypeAlert = type({
  'id?': akId,
  'ruleId?': akId.or('null'),
  labels: akLabels(1),
  'annotations?': akAnnotations,
  level: akLevel,
  priority: akPriority,
  'status?': akStatus,
  'previousStatus?': akStatus.or('null'),
  'startsAt?': akTimestamp,
  'endsAt?': akTimestamp.or('null'),
  'generatorURL?': akHttpUrl.or('null'),
  'value?': 'number | null',
  'duplicateCount?': type.number.divisibleBy(1).atLeast(0).atMost(Number.MAX_SAFE_INTEGER),
  'lastReceivedAt?': akTimestamp,
  'acknowledgedBy?': akActor.or('null'),
  'acknowledgedAt?': akTimestamp.or('null'),
  tenantId: type.string.matching(TENANT_RE),
  'createdAt?': akTimestamp,
  'updatedAt?': akTimestamp,
  'version?': akVersion,
}).onUndeclaredKey('reject');

const arktypeRule = type({
  'id?': akId,
  name: akActor,
  'description?': type.string.atMostLength(LIMITS.descriptionMaxLength).or('null'),
  level: akLevel,
  priority: akPriority,
  condition: type.string.atMostLength(LIMITS.conditionMaxLength),
  'for?': akDuration,
  'keepFiringFor?': akDuration,
  'group?': akActor.or('null'),
  'channelIds?': akId
    .array()
    .atMostLength(LIMITS.maxChannelsPerRule)
    .narrow((ids, ctx) => unique(ids) || ctx.mustBe('unique channel ids')),
  'enabled?': 'boolean',
  'createdBy?': akActor.or('null'),
  'updatedBy?': akActor.or('null'),
  'labels?': akLabels(0),
  'annotations?': akAnnotations,
  'tags?': type.string
    .moreThanLength(0)
    .atMostLength(LIMITS.tagMaxLength)
    .array()
    .atMostLength(LIMITS.maxTags),
  'deletedAt?': akTimestamp.or('null'),
  'deletedBy?': akActor.or('null'),
  tenantId: type.string.matching(TENANT_RE),
  'createdAt?': akTimestamp,
  'updatedAt?': akTimestamp,
  'version?': akVersion,
}).onUndeclaredKey('reject');

// ---------------------------------------------------------------------------
// Valibot schemas.

const vbName = v.pipe(v.string(), v.regex(NAME_RE));
const vbId = v.pipe(v.string(), v.regex(UUID_RE));
const vbTimestamp = v.pipe(v.string(), v.regex(DATETIME_RE));
const vbActor = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.nameMaxLength));
const vbDuration = v.union([
  v.pipe(v.string(), v.regex(DURATION_RE)),
  v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_DURATION_MS)),
]);
const vbLevel = v.picklist(LEVELS);
const vbPriority = v.picklist(PRIORITIES);
const vbStatus = v.picklist(STATUSES);
const vbHttpUrl = v.pipe(v.string(), v.check(isHttpUrl, 'expected an absolute http(s) URL'));
const vbLabels = (min: number) =>
  v.pipe(
    v.record(vbName, v.pipe(v.string(), v.maxLength(LIMITS.labelValueMaxLength))),
    v.minEntries(min),
    v.maxEntries(LIMITS.maxLabels),
  );
const vbAnnotations = v.pipe(
  v.record(vbName, v.pipe(v.string(), v.maxLength(LIMITS.annotationValueMaxLength))),
  v.maxEntries(LIMITS.maxAnnotations),
);
const vbVersion = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);
const vbMixinFields = {
  tenantId: v.pipe(v.string(), v.regex(TENANT_RE)),
  createdAt: v.optional(vbTimestamp),
  updatedAt: v.optional(vbTimestamp),
  version: v.optional(vbVersion),
};

const valibotAlert = v.strictObject({
  id: v.optional(vbId),
  ruleId: v.optional(v.nullable(vbId)),
  labels: vbLabels(1),
  annotations: v.optional(vbAnnotations),
  level: vbLevel,
  priority: vbPriority,
  status: v.optional(vbStatus),
  previousStatus: v.optional(v.nullable(vbStatus)),
  startsAt: v.optional(vbTimestamp),
  endsAt: v.optional(v.nullable(vbTimestamp)),
  generatorURL: v.optional(v.nullable(vbHttpUrl)),
  value: v.optional(v.nullable(v.number())),
  duplicateCount: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
  ),
  lastReceivedAt: v.optional(vbTimestamp),
  acknowledgedBy: v.optional(v.nullable(vbActor)),
  acknowledgedAt: v.optional(v.nullable(vbTimestamp)),
  ...vbMixinFields,
});

const valibotRule = v.strictObject({
  id: v.optional(vbId),
  name: vbActor,
  description: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(LIMITS.descriptionMaxLength)))),
  level: vbLevel,
  priority: vbPriority,
  condition: v.pipe(v.string(), v.maxLength(LIMITS.conditionMaxLength)),
  for: v.optional(vbDuration),
  keepFiringFor: v.optional(vbDuration),
  group: v.optional(v.nullable(vbActor)),
  channelIds: v.optional(
    v.pipe(
      v.array(vbId),
      v.maxLength(LIMITS.maxChannelsPerRule),
      v.check((ids: string[]) => unique(ids), 'channel ids must be unique'),
    ),
  ),
  enabled: v.optional(v.boolean()),
  createdBy: v.optional(v.nullable(vbActor)),
  updatedBy: v.optional(v.nullable(vbActor)),
  labels: v.optional(vbLabels(0)),
  annotations: v.optional(vbAnnotations),
  tags: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.tagMaxLength))),
      v.maxLength(LIMITS.maxTags),
    ),
  ),
  deletedAt: v.optional(v.nullable(vbTimestamp)),
  deletedBy: v.optional(v.nullable(vbActor)),
  ...vbMixinFields,
});

// ---------------------------------------------------------------------------
// The suite.

interface ModelCase {
  readonly model: AnyModel;
  readonly valid: unknown;
  readonly invalid: unknown;
  readonly faults: readonly string[];
  /** What alertbase does on this model that no peer schema does (goes into the case name). */
  readonly extra: string;
  readonly peers: readonly Contender[];
}

/** Refuses to time a contender that does not see exactly the planted faults. */
function checkFairness(c: ModelCase, contenders: readonly Contender[]): void {
  for (const k of contenders) {
    const onValid = k.faultFields(c.valid);
    if (onValid !== null) {
      throw new Error(`${k.name} refuses the valid ${c.model.name}: ${onValid.join(', ')}`);
    }
    const onInvalid = k.faultFields(c.invalid);
    const expected = [...c.faults].sort().join(', ');
    if (onInvalid === null || onInvalid.join(', ') !== expected) {
      throw new Error(
        `${k.name} on the invalid ${c.model.name}: issues at [${onInvalid?.join(', ') ?? 'none'}], expected [${expected}]`,
      );
    }
  }
}

/** Runs the suite: 4 cases × 6 contenders, interleaved; about 25 s on 2 cores. */
export async function run(): Promise<BenchRow[]> {
  const cases: ModelCase[] = [
    {
      model: Alert,
      valid: VALID_ALERT,
      invalid: INVALID_ALERT,
      faults: ALERT_FAULTS,
      extra: 'ours also returns Dates and defaults',
      peers: [
        zodContender(Alert),
        ajvContender(Alert),
        typeboxContender(typeboxAlert),
        arktypeContender(arktypeAlert),
        valibotContender(valibotAlert),
      ],
    },
    {
      model: AlertRule,
      valid: VALID_RULE,
      invalid: INVALID_RULE,
      faults: RULE_FAULTS,
      extra: 'ours also parses the PromQL, returns ms durations and defaults',
      peers: [
        zodContender(AlertRule),
        ajvContender(AlertRule),
        typeboxContender(typeboxRule),
        arktypeContender(arktypeRule),
        valibotContender(valibotRule),
      ],
    },
  ];

  const rows: BenchRow[] = [];
  for (const c of cases) {
    const ours = alertbaseContender(c.model);
    checkFairness(c, [ours, ...c.peers]);
    // The compiled and the regular parser must report the same issues (test/models/compiled-parity.test.ts proves it at large).
    for (const input of [c.valid, c.invalid]) {
      setModelCompilation('off');
      const regular = c.model.safeParse(input);
      setModelCompilation('lazy');
      const compiled = c.model.safeParse(input);
      const issuesOf = (r: typeof regular) => JSON.stringify(r.success ? [] : r.error.issues);
      if (regular.success !== compiled.success || issuesOf(regular) !== issuesOf(compiled)) {
        throw new Error(`${c.model.name}: the compiled parser disagrees with the regular one`);
      }
    }
    for (const variant of ['valid', 'invalid'] as const) {
      const input = variant === 'valid' ? c.valid : c.invalid;
      const caseName =
        variant === 'valid'
          ? `${c.model.name} valid (${c.extra})`
          : `${c.model.name} invalid, ${c.faults.length} faults, full issue list`;
      const fns: Record<string, () => unknown> = {
        alertbase: () => {
          setModelCompilation('lazy');
          return ours.check(input);
        },
        regular: () => {
          setModelCompilation('off');
          return ours.check(input);
        },
      };
      for (const p of c.peers) fns[p.name] = () => p.check(input);
      const result = measureThroughput(fns, { warmupMs: 200, sampleMs: 80, samples: 9 });
      const oursOps = result.alertbase?.opsPerSec ?? 0;
      const caseRows = c.peers.map((p) =>
        benchRow({
          suite: SUITE,
          case: caseName,
          unit: 'ops/s',
          ours: oursOps,
          baseline: result[p.name]?.opsPerSec ?? 0,
          baselineName: p.name,
        }),
      );
      rows.push(...caseRows, vsBest(caseRows, `${caseName}: alertbase vs fastest peer`));
      rows.push(
        benchRow({
          suite: SUITE,
          case: `${caseName}: compiled parser vs alertbase's regular parser`,
          unit: 'ops/s',
          ours: oursOps,
          baseline: result.regular?.opsPerSec ?? 0,
          baselineName: 'alertbase, compilation off (z.compile + model layer)',
        }),
      );
      setModelCompilation('lazy');
    }
  }
  return rows;
}
