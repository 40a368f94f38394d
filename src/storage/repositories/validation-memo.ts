/**
 * What ingest remembers of the alerts it validated, by a key its caller
 * gives with each item (`IngestOptions.memoKeys`). Prometheus resends every
 * firing alert each `resend_delay` with only `endsAt` moved on: an item
 * whose key was seen before is built from the remembered data — `endsAt`
 * still checked by the model's own field schema, and the times and id of
 * ingest set as for any item — instead of going through the model's whole
 * parser, the fingerprint and the content key again.
 *
 * The caller vouches for its keys: two items with the same key are equal in
 * every field but `endsAt`, and either both or neither have an `endsAt`. The
 * Alertmanager route builds them from the raw JSON of an alert (see
 * `server/routes/resend-keys.ts`). A remembered entry depends on nothing else
 * (the rule and the silences of an item are applied to it afterwards, per
 * batch), so it never goes stale; it is only dropped, a tenant's at a
 * time when they reach {@link MAX_MEMO_ENTRIES_PER_TENANT}, everyone's
 * when all reach {@link MAX_MEMO_ENTRIES}.
 */
import type { AlertData } from './alert-ingest-items.js';

/** One remembered item. */
export interface MemoEntry {
  /** The validated data, as the model's parser gave it, before the batch's rule and silences were applied. */
  readonly template: Readonly<AlertData>;
  /** The prototype of the parser's data object (the model's computed fields), given to each item built. */
  readonly prototype: object | null;
  readonly fingerprint: string;
  /** The content key (`contentKeyOf`), once an item of this entry was asked for it. */
  key: string | undefined;
}

/**
 * Entries per tenant at most: past it the tenant's memo starts over. A
 * tenant with more distinct firing alerts than this is validated in full
 * for some of them; memory stays bounded (an entry holds one alert's
 * labels and annotations).
 */
export const MAX_MEMO_ENTRIES_PER_TENANT = 50_000;

/** Entries of all tenants together at most: past it every tenant's start over. */
export const MAX_MEMO_ENTRIES = 200_000;

/**
 * Values by key, per tenant: at most {@link MAX_MEMO_ENTRIES_PER_TENANT} per
 * tenant (past it the tenant's start over) and {@link MAX_MEMO_ENTRIES} in
 * all (past it every tenant's do).
 */
export class BoundedTenantMap<V, K = string> {
  readonly #tenants = new Map<string, Map<K, V>>();
  #total = 0;

  /** The value kept under `key`, if any. */
  get(tenantId: string, key: K): V | undefined {
    return this.#tenants.get(tenantId)?.get(key);
  }

  /** Keeps `value` under `key` (the tenant's entries start over when full). */
  set(tenantId: string, key: K, value: V): void {
    if (this.#total >= MAX_MEMO_ENTRIES) {
      this.#tenants.clear();
      this.#total = 0;
    }
    let entries = this.#tenants.get(tenantId);
    if (entries === undefined) {
      entries = new Map();
      this.#tenants.set(tenantId, entries);
    } else if (entries.size >= MAX_MEMO_ENTRIES_PER_TENANT) {
      this.#total -= entries.size;
      entries.clear();
    }
    const before = entries.size;
    entries.set(key, value);
    this.#total += entries.size - before;
  }

  /** Entries kept for all tenants. */
  get total(): number {
    return this.#total;
  }

  /** Entries kept for the tenant. */
  size(tenantId: string): number {
    return this.#tenants.get(tenantId)?.size ?? 0;
  }
}

/** The memo of every tenant; see the module comment. */
export class ValidationMemo extends BoundedTenantMap<MemoEntry> {}
