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
  const context = JSON.stringify(overrides ?? null);
  return body.map((raw) => {
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
    const open = endsAt === undefined || goEndOf(endsAt as string).endsAt === undefined;
    return JSON.stringify([
      labels,
      annotations ?? null,
      startsAt ?? null,
      generatorURL ?? null,
      open,
      context,
    ]);
  });
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

/**
 * Alerts already mapped, by memo key, per tenant: an alert whose key was
 * seen is built from its first mapping with its own `endsAt`
 * (`withPostableEnd`), instead of being checked and mapped again. Bounded
 * like ingest's memo: a tenant's entries start over at
 * {@link MAX_MEMO_ENTRIES_PER_TENANT}.
 */
export class MappedAlertMemo extends BoundedTenantMap<AlertmanagerAlertInput> {}

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
  return body.map((raw, index): AlertmanagerItem => {
    const key = keys[index];
    // A keyed alert is a plain object (postableMemoKeys); any other item,
    // `null` included, goes the full way and is refused with its path.
    const known = key === undefined ? undefined : memo.get(tenantId, key);
    const endsAt = known === undefined ? undefined : (raw as { endsAt?: unknown }).endsAt;
    if (known !== undefined && isPostableEnd(endsAt)) {
      return {
        index,
        ok: true,
        alert: withPostableEnd(known, endsAt as string | undefined, mapping.now),
      };
    }
    const item = postableToAlert(raw, index, mapping);
    if (item.ok && key !== undefined) memo.set(tenantId, key, item.alert);
    return item;
  });
}
