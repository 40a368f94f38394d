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
 * when all reach {@link MAX_MEMO_ENTRIES} or the bytes of their budget
 * ({@link validationEntryBytes} each; `memo-budget.ts`), at most once in
 * the budget's interval.
 */
import type { AlertData } from './alert-ingest-items.js';
import type { BudgetedMemo, MemoBudget } from './memo-budget.js';

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
 * all (past it every tenant's do). With a {@link MemoBudget}, each entry is
 * also charged the bytes its caller estimates, and the map starts over with
 * the budget's other memos when one does not fit (`memo-budget.ts`); and
 * like the budget, the map starts a tenant, or everyone, over at most once
 * in the budget's interval, and keeps no new entry past a bound in between.
 */
export class BoundedTenantMap<V, K = string> implements BudgetedMemo {
  readonly #tenants = new Map<string, Map<K, V>>();
  /** Bytes charged per tenant (tenants with a charged entry only). */
  readonly #bytes = new Map<string, number>();
  readonly #budget: MemoBudget | undefined;
  /** When the map, and each tenant, last started over by its entry bounds (the budget's clock). */
  readonly #startedAt = new Map<string | undefined, number>();
  readonly #madeAt: number;
  #total = 0;

  constructor(budget?: MemoBudget) {
    this.#budget = budget;
    this.#madeAt = budget?.now() ?? 0;
    budget?.join(this);
  }

  /** The value kept under `key`, if any. */
  get(tenantId: string, key: K): V | undefined {
    return this.#tenants.get(tenantId)?.get(key);
  }

  /**
   * Keeps `value` under `key` (the tenant's entries start over when full),
   * charged `bytes` against the budget; a value larger than the whole
   * budget is not kept (false). A key kept already is replaced at no charge.
   */
  set(tenantId: string, key: K, value: V, bytes = 0): boolean {
    const kept = this.#tenants.get(tenantId);
    const replaced = kept?.has(key) === true;
    const charge = bytes > 0 && !replaced ? bytes : 0;
    if (replaced) {
      // Same entries, same bounds.
    } else if (this.#total >= MAX_MEMO_ENTRIES) {
      if (!this.#mayStartOver(undefined)) return false;
      this.#clearAll();
    } else if (kept !== undefined && kept.size >= MAX_MEMO_ENTRIES_PER_TENANT) {
      if (!this.#mayStartOver(tenantId)) return false;
      this.#total -= kept.size;
      kept.clear();
      this.#release(tenantId);
    }
    // After the bounds above: the charge may start every memo over, this one too.
    if (!this.charge(tenantId, charge)) return false;
    let entries = this.#tenants.get(tenantId);
    if (entries === undefined) {
      entries = new Map();
      this.#tenants.set(tenantId, entries);
    }
    const before = entries.size;
    entries.set(key, value);
    this.#total += entries.size - before;
    return true;
  }

  /**
   * Charges `bytes` for what the caller adds to a value it keeps here (and
   * counts them as the tenant's); false when they are more than the whole
   * budget. The charge may start every memo of the budget over, this one
   * included: look the value up again after it.
   */
  charge(tenantId: string, bytes: number): boolean {
    if (this.#budget === undefined || bytes <= 0) return true;
    if (!this.#budget.charge(bytes)) return false;
    this.#bytes.set(tenantId, (this.#bytes.get(tenantId) ?? 0) + bytes);
    return true;
  }

  /** Entries kept for all tenants. */
  get total(): number {
    return this.#total;
  }

  /** Entries kept for the tenant. */
  size(tenantId: string): number {
    return this.#tenants.get(tenantId)?.size ?? 0;
  }

  /** Bytes charged for the tenant's entries. */
  bytes(tenantId: string): number {
    return this.#bytes.get(tenantId) ?? 0;
  }

  /** Drops every entry (called by the budget, which has set its count back to 0). */
  startOver(): void {
    this.#tenants.clear();
    this.#bytes.clear();
    this.#total = 0;
  }

  /**
   * Whether the tenant's entries (`undefined`: everyone's) may start over
   * now: always without a budget; with one, once its interval has passed
   * since they last did (or since the map was made). Otherwise the entry
   * is not kept, and the budget counts it.
   */
  #mayStartOver(tenantId: string | undefined): boolean {
    const budget = this.#budget;
    if (budget === undefined) return true;
    const now = budget.now();
    const last = Math.max(
      this.#startedAt.get(tenantId) ?? this.#madeAt,
      this.#startedAt.get(undefined) ?? this.#madeAt,
    );
    if (now - last < budget.startOverIntervalMs) {
      budget.refuse();
      return false;
    }
    this.#startedAt.set(tenantId, now);
    return true;
  }

  #clearAll(): void {
    for (const bytes of this.#bytes.values()) this.#budget?.release(bytes);
    this.startOver();
  }

  #release(tenantId: string): void {
    const bytes = this.#bytes.get(tenantId);
    if (bytes === undefined) return;
    this.#budget?.release(bytes);
    this.#bytes.delete(tenantId);
  }
}

/**
 * The memory an entry of {@link ValidationMemo} holds, estimated from its
 * key (the alert's JSON, about as long as the item sent): the validated
 * data's strings and objects and the key, 1 KiB and two and a half bytes a
 * character of the key. Measured for items of 330 and 1,830 bytes: 1,600
 * and 4,590 bytes of heap (`bench/README.md`); with the other memos'
 * estimates, the chain is charged 1.15 and 1.13 times what it holds
 * (`test/server/memo-budget.test.ts`).
 */
export function validationEntryBytes(key: string): number {
  return 1_024 + Math.ceil(2.5 * key.length);
}

/** The memo of every tenant; see the module comment. */
export class ValidationMemo extends BoundedTenantMap<MemoEntry> {}
