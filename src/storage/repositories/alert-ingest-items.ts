/**
 * Ingest, step one: each item of a batch checked against the `Alert` model,
 * with the fields ingest owns set, the rule tied by `alertname`, a silence's
 * verdict applied, and its row document built (pure: no I/O).
 */
import type { AlertLevel } from '../../base/enums/index.js';
import type { ValidationIssue } from '../../base/exceptions/index.js';
import { parseModelData } from '../../base/types/model-data.js';
import { fingerprint as fingerprintOf } from '../../base/utils/fingerprint.js';
import { isoString } from '../../base/utils/iso-time.js';
import { lastTextMemo } from '../../base/utils/last-text.js';
import { Alert } from '../../domain/alert.js';
import type { RuleIdsByName } from './alert-rule-repository.js';
import type { ResendTags } from './alert-series-points.js';
import { contentKeyOf } from './heartbeat-index.js';
import type { TenantSilences } from './silence-index.js';
import type { IngestItemResult } from './types.js';
import { type MemoEntry, type ValidationMemo, validationEntryBytes } from './validation-memo.js';

/** Fields ingest sets itself: what a sender gives for them is ignored. */
const INGEST_OWNED = new Set([
  'id',
  'tenantId',
  'status',
  'previousStatus',
  'duplicateCount',
  'lastReceivedAt',
  'createdAt',
  'updatedAt',
  'version',
  'acknowledgedBy',
  'acknowledgedAt',
  'silencedBy',
]);
const INGEST_OWNED_KEYS: ReadonlySet<string> = new Set([
  ...INGEST_OWNED,
  ...[...INGEST_OWNED].map((f) => Alert.aliases[f] ?? f),
]);

/** What a batch's validation consults, read once per batch. */
export interface IngestContext {
  readonly silences: TenantSilences | undefined;
  readonly ruleIds: RuleIdsByName | undefined;
  /** The items' memo keys, by index, and where they are remembered (`validation-memo.ts`). */
  readonly memo?: {
    readonly keys: readonly (string | undefined)[];
    readonly store: ValidationMemo;
  };
}

/** An item's validated fields, as the model's schema returns them. */
export type AlertData = {
  [key: string]: unknown;
  startsAt: Date;
  endsAt: Date | null;
  level: AlertLevel;
  status: string;
  ruleId: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/** One valid item of a batch. */
export interface ValidItem {
  readonly index: number;
  readonly id: string;
  /** The validated fields, with the batch's rule and silences applied (built when first read for an item built from memory). */
  readonly data: AlertData;
  readonly fingerprint: string;
  readonly resolving: boolean;
  /** `data.endsAt`, without building `data`. */
  readonly endsAt: Date | null;
  /** What a resend's point is tagged with (`data`'s rule, labels, level), without building `data`. */
  readonly tags: ResendTags;
  /**
   * The row document of the item alone, as JSON ({@link jsonOf}): the row of
   * a fingerprint sent once in a group. Built once the item is known to go
   * to the database (a heartbeat answered from the index needs none), before
   * its batch waits for its transaction, so that the transaction's critical
   * path does not.
   */
  json?: string;
  /** The results of the item's batch, where its own goes at `index`. */
  readonly results: IngestItemResult[];
  /** {@link contentKeyOf} the item's data, once asked for. */
  key?: string;
  /** The memo entry the item was built from or filed under, whose content key it shares. */
  readonly memo?: MemoEntry | undefined;
}

/** The row document of an item as JSON, built once. */
export function jsonOf(item: ValidItem): string {
  item.json ??= documentJson(item.data);
  return item.json;
}

/** The content key of an item, computed once. */
export function keyOf(item: ValidItem): string {
  if (item.key === undefined) {
    const memo = item.memo;
    item.key = memo?.key ?? contentKeyOf(item.data);
    if (memo !== undefined) memo.key = item.key;
  }
  return item.key;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field names as JSON with their colon (`"labels":`), by name: the model's few dozen. */
const QUOTED_NAMES = new Map<string, string>();
/** More names than any model has: past it, names are quoted each time. */
const MAX_QUOTED_NAMES = 256;

function quotedName(key: string): string {
  let name = QUOTED_NAMES.get(key);
  if (name === undefined) {
    name = `${JSON.stringify(key)}:`;
    if (QUOTED_NAMES.size < MAX_QUOTED_NAMES) QUOTED_NAMES.set(key, name);
  }
  return name;
}

/**
 * A row's document as JSON: what `JSON.stringify` gives for `data`, with
 * dates written by `isoString` (through `JSON.stringify`, each of an alert's
 * five dates would call `toJSON`, and together they would cost more than the
 * rest of the document). Written field by field with the names quoted once:
 * 3.2–3.4 µs an alert, against 4.8–5.1 for a copy of the fields passed to
 * `JSON.stringify` (`bench/README.md`).
 */
export function documentJson(data: Readonly<Record<string, unknown>>): string {
  let json = '';
  for (const key in data) {
    const value = data[key];
    const text = value instanceof Date ? `"${isoString(value)}"` : JSON.stringify(value);
    // What JSON.stringify leaves out of an object: undefined, functions, symbols.
    if (text === undefined) continue;
    json += (json === '' ? '{' : ',') + quotedName(key) + text;
  }
  return json === '' ? '{}' : `${json}}`;
}

/**
 * Validates the items `start` to `end` (excluded) of a batch: a rejected
 * item's result goes into `results`; the valid items are returned.
 */
export function validateRange(
  tenantId: string,
  alerts: readonly unknown[],
  ids: readonly string[],
  now: Date,
  results: IngestItemResult[],
  start: number,
  end: number,
  context: IngestContext,
): ValidItem[] {
  const valid: ValidItem[] = [];
  for (let index = start; index < end; index++) {
    const item = validateItem(
      tenantId,
      alerts[index],
      ids[index] as string,
      now,
      index,
      results,
      context,
    );
    if ('issues' in item) results[index] = item;
    else valid.push(item);
  }
  return valid;
}

/**
 * The model's own check of an `endsAt` text, as the time it gives (NaN when
 * refused), kept for the last text: the resends of one evaluation share it.
 */
const endsAtMsOf = lastTextMemo((text) => {
  const parsed = Alert.shape.endsAt.safeParse(text);
  return parsed.success && parsed.data !== null ? parsed.data.getTime() : Number.NaN;
});

/** A remembered item's `endsAt` as the model's field schema gives it; undefined when it refuses it. */
function rememberedEnd(value: unknown): Date | null | undefined {
  if (typeof value === 'string') {
    const ms = endsAtMsOf(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  const parsed = Alert.shape.endsAt.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Validates one item: the model's schema on the fast path, the model itself for issues. */
function validateItem(
  tenantId: string,
  raw: unknown,
  id: string,
  now: Date,
  index: number,
  results: IngestItemResult[],
  context: IngestContext,
): ValidItem | { index: number; outcome: 'rejected'; issues: readonly ValidationIssue[] } {
  const { silences, ruleIds, memo } = context;
  const memoKey = memo?.keys[index];
  const remembered = memoKey === undefined ? undefined : memo?.store.get(tenantId, memoKey);
  if (remembered !== undefined && isRecord(raw) && raw.tenantId === undefined) {
    const endsAt = rememberedEnd(raw.endsAt);
    if (endsAt !== undefined) {
      return new RememberedItem(remembered, endsAt, { index, id, now, results }, context);
    }
  }
  if (!isRecord(raw)) {
    const parsed = Alert.safeParse(raw);
    return { index, outcome: 'rejected', issues: parsed.success ? [] : parsed.error.issues };
  }
  if (raw.tenantId !== undefined && raw.tenantId !== tenantId) {
    return {
      index,
      outcome: 'rejected',
      issues: [
        {
          path: ['tenantId'],
          pointer: '/tenantId',
          code: 'tenant_mismatch',
          message: 'the alert names another tenant',
        },
      ],
    };
  }
  const input: Record<string, unknown> = {};
  for (const key in raw) if (!INGEST_OWNED_KEYS.has(key)) input[key] = raw[key];
  Object.assign(input, {
    id,
    tenantId,
    status: 'firing',
    previousStatus: null,
    duplicateCount: 0,
    lastReceivedAt: now,
    createdAt: now,
    updatedAt: now,
    version: 1,
    acknowledgedBy: null,
    acknowledgedAt: null,
  });
  // The model's data (its compiled parser, as `Alert.schema` would give it)
  // accepts exactly what `Alert.parse` accepts for input in field names;
  // skipping the frozen instance triples the ingest rate. Anything it
  // refuses (wire names, bad values) goes through `Alert.safeParse`, which
  // normalizes aliases and maps issues.
  let data: Record<string, unknown>;
  const fast = parseModelData(Alert, input);
  if (fast !== undefined) {
    data = fast;
  } else {
    const parsed = Alert.safeParse(input);
    if (!parsed.success) return { index, outcome: 'rejected', issues: parsed.error.issues };
    data = Alert.dump(parsed.data, { computed: false });
  }
  const typed = data as AlertData;
  const fingerprint = fingerprintOf(typed.labels);
  let entry: MemoEntry | undefined;
  // Remembered only from the model's own parser, and only when the sender
  // gave `startsAt`: its default is the time of validation, which a later
  // item must not inherit.
  if (
    memoKey !== undefined &&
    memo !== undefined &&
    fast !== undefined &&
    input.startsAt !== undefined
  ) {
    entry = {
      template: { ...typed },
      prototype: Object.getPrototypeOf(typed) as object | null,
      fingerprint,
      key: undefined,
    };
    memo.store.set(tenantId, memoKey, entry, validationEntryBytes(memoKey));
  }
  return withContext(typed, fingerprint, entry, { index, id, now, results }, { silences, ruleIds });
}

/** Where an item sits in its batch, and when the batch was received. */
interface Place {
  readonly index: number;
  readonly id: string;
  readonly now: Date;
  readonly results: IngestItemResult[];
}

/** The rule an item's data is tied to: its own, else the batch's rule of its `alertname`. */
function ruleIdOf(data: Readonly<AlertData>, ruleIds: RuleIdsByName | undefined): string | null {
  if (data.ruleId !== null || ruleIds === undefined || ruleIds.size === 0) return data.ruleId;
  const alertname = Object.hasOwn(data.labels, 'alertname') ? data.labels.alertname : undefined;
  return (alertname === undefined ? undefined : ruleIds.get(alertname)) ?? null;
}

/** Whether an item whose `endsAt` this is resolves its alert when received at `now`. */
function resolvesAt(endsAt: Date | null, now: Date): boolean {
  return endsAt !== null && endsAt.getTime() <= now.getTime();
}

/** Applies the batch's rule and silences to an item's data; whether it resolves. */
function applyContext(typed: AlertData, now: Date, { silences, ruleIds }: IngestContext): boolean {
  typed.ruleId = ruleIdOf(typed, ruleIds);
  const resolving = resolvesAt(typed.endsAt, now);
  if (resolving) {
    typed.status = 'resolved';
  } else if (silences !== undefined && !silences.empty) {
    // A new alert an active silence matches is stored suppressed; an open
    // one keeps its status (the silence's own pass suppressed it).
    const silencedBy = silences.silencedBy(typed.labels, now.getTime());
    if (silencedBy.length > 0) {
      typed.status = 'suppressed';
      typed.previousStatus = 'firing';
      typed.silencedBy = silencedBy;
    }
  }
  return resolving;
}

/** An item's validated data with the batch's rule and silences applied, and whether it resolves. */
function withContext(
  typed: AlertData,
  fingerprint: string,
  memo: MemoEntry | undefined,
  { index, id, now, results }: Place,
  context: IngestContext,
): ValidItem {
  const resolving = applyContext(typed, now, context);
  return {
    index,
    id,
    data: typed,
    fingerprint,
    resolving,
    endsAt: typed.endsAt,
    tags: typed,
    results,
    memo,
  };
}

/**
 * An item built from ingest's memo: the remembered data with this item's
 * own `endsAt`, id and times. Most such items are heartbeats, answered from
 * the index with their fingerprint, content key, `endsAt` and tags alone,
 * so the data object (the model's prototype, every field copied, three
 * dates) is built only when something reads it: the item goes to the
 * database. Built then, it is what it would have been when validated: the
 * batch's rule and silences as of the batch, the batch's receiving time.
 */
class RememberedItem implements ValidItem {
  readonly index: number;
  readonly id: string;
  readonly fingerprint: string;
  readonly resolving: boolean;
  readonly endsAt: Date | null;
  readonly tags: ResendTags;
  readonly results: IngestItemResult[];
  readonly memo: MemoEntry;
  json?: string;
  key?: string;
  readonly #now: Date;
  readonly #context: IngestContext;
  #data: AlertData | undefined;

  constructor(memo: MemoEntry, endsAt: Date | null, place: Place, context: IngestContext) {
    this.index = place.index;
    this.id = place.id;
    this.results = place.results;
    this.memo = memo;
    this.fingerprint = memo.fingerprint;
    this.endsAt = endsAt;
    this.resolving = resolvesAt(endsAt, place.now);
    const template = memo.template;
    const ruleId = ruleIdOf(template, context.ruleIds);
    this.tags =
      ruleId === template.ruleId
        ? template
        : { ruleId, labels: template.labels, level: template.level };
    this.#now = place.now;
    this.#context = context;
  }

  get data(): AlertData {
    if (this.#data !== undefined) return this.#data;
    const remembered = this.memo;
    const now = this.#now;
    // The model's data object, like the parser's (its prototype carries the
    // computed fields), with this item's own values.
    const data: AlertData = Object.assign(
      Object.create(remembered.prototype) as AlertData,
      remembered.template,
    );
    data.id = this.id;
    data.endsAt = this.endsAt;
    data.lastReceivedAt = new Date(now.getTime());
    data.createdAt = new Date(now.getTime());
    data.updatedAt = new Date(now.getTime());
    data.silencedBy = [];
    applyContext(data, now, this.#context);
    this.#data = data;
    return data;
  }
}
