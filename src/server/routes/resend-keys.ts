/**
 * Memo keys of the alerts Prometheus posts (`IngestOptions.memoKeys`, see
 * `storage/repositories/validation-memo.ts`): a key for each alert of plain
 * JSON shape — only the fields of a postable alert, labels and annotations
 * of string values, times and URL as strings — built from what its mapped
 * input depends on: labels, annotations, `startsAt`, `generatorURL`,
 * whether `endsAt` is set, and the tenant's level → priority overrides. Two
 * alerts with the same key therefore map to inputs equal in every field
 * but `endsAt`, which is what ingest's memo asks of its keys. Anything
 * else gets no key and is validated in full.
 */
import { lastTextMemo } from '../../base/utils/last-text.js';
import { goEndOf } from '../../interop/alertmanager/go-time.js';
import {
  type AlertmanagerAlertInput,
  type AlertmanagerItem,
  type AlertmanagerMappingOptions,
  postableToAlert,
  withPostableEnd,
} from '../../interop/alertmanager/mapping.js';
import { PostableAlert } from '../../interop/alertmanager/payloads.js';
import {
  BoundedTenantMap,
  type MAX_MEMO_ENTRIES_PER_TENANT,
} from '../../storage/repositories/validation-memo.js';

/** The fields of Alertmanager's `postableAlert`. */
const POSTABLE_FIELDS: ReadonlySet<string> = new Set([
  'labels',
  'annotations',
  'startsAt',
  'endsAt',
  'generatorURL',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A plain object whose every value is a string (JSON text of it is then exact). */
function isStringRecord(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The part of every memo key that stands for the tenant's level → priority overrides. */
function contextOf(overrides: unknown): string {
  return JSON.stringify(overrides ?? null);
}

/** Whether an alert's `endsAt` leaves it open (absent, or Go's zero time), as its memo key tells. */
function isOpenEnd(endsAt: unknown): boolean {
  return endsAt === undefined || goEndOf(endsAt as string).endsAt === undefined;
}

/** The memo key of one alert (see {@link postableMemoKeys}); `context` from {@link contextOf}. */
function memoKeyOf(raw: unknown, context: string): string | undefined {
  if (!isPlainObject(raw)) return undefined;
  for (const key in raw) if (!POSTABLE_FIELDS.has(key)) return undefined;
  const { labels, annotations, startsAt, endsAt, generatorURL } = raw;
  if (
    !isStringRecord(labels) ||
    (annotations !== undefined && !isStringRecord(annotations)) ||
    !isOptionalString(startsAt) ||
    !isOptionalString(endsAt) ||
    !isOptionalString(generatorURL)
  ) {
    return undefined;
  }
  return JSON.stringify([
    labels,
    annotations ?? null,
    startsAt ?? null,
    generatorURL ?? null,
    isOpenEnd(endsAt),
    context,
  ]);
}

/**
 * The memo key of each alert of a `POST /api/v2/alerts` body, by index;
 * `undefined` for an alert that is not of plain shape.
 *
 * @param overrides the tenant's level → priority overrides (part of every key).
 */
export function postableMemoKeys(
  body: readonly unknown[],
  overrides: unknown,
): (string | undefined)[] {
  const context = contextOf(overrides);
  return body.map((raw) => memoKeyOf(raw, context));
}

/**
 * Whether a text passes the postable alert's own check of `endsAt`, kept
 * for the last text (a batch of resends carries one `endsAt` many times).
 */
const postableEnd = lastTextMemo((text) => PostableAlert.shape.endsAt.safeParse(text).success);

/** Whether `value` is an `endsAt` the postable alert's schema accepts. */
function isPostableEnd(value: unknown): boolean {
  return typeof value === 'string'
    ? postableEnd(value)
    : PostableAlert.shape.endsAt.safeParse(value).success;
}

/** What the route keeps of an item of a body decoded item by item, by the item's token. */
interface KnownItem {
  /** The overrides' part of the key ({@link contextOf}) it was mapped under. */
  readonly context: string;
  /** Whether its `endsAt` left it open (part of its key). */
  readonly open: boolean;
  readonly key: string;
  /** Its first mapping (as {@link MappedAlertMemo} keeps it). */
  readonly alert: AlertmanagerAlertInput;
}

/**
 * Alerts already mapped, by memo key, per tenant: an alert whose key was
 * seen is built from its first mapping with its own `endsAt`
 * (`withPostableEnd`), instead of being checked and mapped again. Bounded
 * like ingest's memo: a tenant's entries start over at
 * {@link MAX_MEMO_ENTRIES_PER_TENANT}, and every memo of its budget when an
 * entry ({@link MAPPED_ENTRY_BYTES}) does not fit (`memo-budget.ts`).
 *
 * Items of a body that the wire's item memo decoded also have a token
 * (`itemTokensOf`): the same object for every item of the tenant equal to
 * the byte but for `endsAt`. By token the route keeps an item's key and
 * first mapping, so that such an item needs neither its key built nor
 * looked up (a new 300-character string hashed); the entries go with the
 * tokens.
 */
export class MappedAlertMemo extends BoundedTenantMap<AlertmanagerAlertInput> {
  readonly byToken = new WeakMap<object, KnownItem>();
}

/**
 * The memory an entry of {@link MappedAlertMemo} holds, with what the route
 * keeps of it by token: 512 bytes, whatever the alert's size (its strings
 * are those of ingest's validated entry, charged there). Measured: 460
 * bytes of heap for items of 330 and of 1,830 bytes (`bench/README.md`).
 */
export const MAPPED_ENTRY_BYTES = 512;

/** An item mapped, and the first mapping it was built from (what the memo keeps). */
interface Mapped {
  readonly item: AlertmanagerItem;
  readonly first: AlertmanagerAlertInput | undefined;
}

/** An alert built from its first mapping with its own `endsAt` (checked by {@link isPostableEnd}). */
function builtFrom(
  first: AlertmanagerAlertInput,
  index: number,
  endsAt: unknown,
  now: Date,
): AlertmanagerItem {
  return { index, ok: true, alert: withPostableEnd(first, endsAt as string | undefined, now) };
}

/** One alert of {@link mapPostableBody}. */
function mapOne(
  raw: unknown,
  index: number,
  key: string | undefined,
  memo: MappedAlertMemo,
  tenantId: string,
  mapping: AlertmanagerMappingOptions & { readonly now: Date },
): Mapped {
  // A keyed alert is a plain object (postableMemoKeys); any other item,
  // `null` included, goes the full way and is refused with its path.
  const known = key === undefined ? undefined : memo.get(tenantId, key);
  const endsAt = known === undefined ? undefined : (raw as { endsAt?: unknown }).endsAt;
  if (known !== undefined && isPostableEnd(endsAt)) {
    return { item: builtFrom(known, index, endsAt, mapping.now), first: known };
  }
  const item = postableToAlert(raw, index, mapping);
  if (!item.ok || key === undefined) return { item, first: undefined };
  memo.set(tenantId, key, item.alert, MAPPED_ENTRY_BYTES);
  return { item, first: item.alert };
}

/**
 * `postableToAlerts(body, mapping)`, with each alert whose memo key was seen
 * built from its first mapping (its own `endsAt` checked as the postable
 * alert's schema checks it), and each newly mapped keyed alert remembered.
 *
 * @param keys {@link postableMemoKeys} of `body`, made with `mapping`'s overrides.
 */
export function mapPostableBody(
  body: readonly unknown[],
  keys: readonly (string | undefined)[],
  memo: MappedAlertMemo,
  tenantId: string,
  mapping: AlertmanagerMappingOptions & { readonly now: Date },
): AlertmanagerItem[] {
  return body.map((raw, index) => mapOne(raw, index, keys[index], memo, tenantId, mapping).item);
}

/**
 * {@link postableMemoKeys} and {@link mapPostableBody} of a body decoded item
 * by item (`tokens` from `itemTokensOf`), each item bound to the tenant
 * (`bindTenant`): an item whose token the memo has, under the same overrides
 * and with an `endsAt` as open as then, is built from what was kept (it is
 * the same JSON but for `endsAt`, so its key, its binding and its first
 * mapping are the same); every other one as those functions do, and kept by
 * its token.
 */
export function mapRememberedBody(
  body: readonly unknown[],
  tokens: readonly (object | undefined)[],
  memo: MappedAlertMemo,
  tenantId: string,
  mapping: AlertmanagerMappingOptions & { readonly now: Date },
  bind: (raw: unknown) => void,
): { readonly items: AlertmanagerItem[]; readonly keys: (string | undefined)[] } {
  const context = contextOf(mapping.levelPriorities);
  const keys: (string | undefined)[] = new Array(body.length);
  const items = body.map((raw, index): AlertmanagerItem => {
    const token = tokens[index];
    const kept = token === undefined ? undefined : memo.byToken.get(token);
    // An item with a token is an object (what the item memo keeps).
    const endsAt = kept === undefined ? undefined : (raw as { endsAt?: unknown }).endsAt;
    if (
      kept !== undefined &&
      kept.context === context &&
      isPostableEnd(endsAt) &&
      isOpenEnd(endsAt) === kept.open
    ) {
      keys[index] = kept.key;
      return builtFrom(kept.alert, index, endsAt, mapping.now);
    }
    bind(raw);
    const key = memoKeyOf(raw, context);
    keys[index] = key;
    const { item, first } = mapOne(raw, index, key, memo, tenantId, mapping);
    if (token !== undefined && key !== undefined && first !== undefined) {
      const open = isOpenEnd((raw as { endsAt?: unknown }).endsAt);
      memo.byToken.set(token, { context, open, key, alert: first });
    }
    return item;
  });
  return { items, keys };
}
