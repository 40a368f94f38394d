/**
 * Per tenant, a value read from the database and kept in memory for a
 * short time: what a hot path (ingest) consults without a query. The
 * database stays the truth: an entry is read again when this process
 * changes what it holds (`invalidate`), and at most `maxAgeMs` after
 * another instance did. With a `stamp` (a cheap query that changes when
 * the data does: a count and the latest `updated_at`), an entry older than
 * `maxAgeMs` is checked with it and read again only when it changed.
 */
import type { Database, TransactionClient } from '../types.js';
import { prepared } from './statements.js';

/** Options of {@link TenantMemo}. */
export interface TenantMemoOptions {
  /** How long an entry is used before it is read again, ms (default 1,000). */
  readonly maxAgeMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  readonly loadedAt: number;
  readonly stamp: string | undefined;
}

/** Reads a tenant's value (in a transaction of that tenant). */
export type MemoLoader<T> = (tx: TransactionClient, tenantId: string, at: Date) => Promise<T>;
/** Reads what tells whether a tenant's value changed. */
export type MemoStamp = (tx: TransactionClient, tenantId: string) => Promise<string>;

/** See the module comment. */
export class TenantMemo<T> {
  readonly #db: Database;
  readonly #load: MemoLoader<T>;
  readonly #stamp: MemoStamp | undefined;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Promise<Entry<T>>>();

  constructor(
    db: Database,
    load: MemoLoader<T>,
    options: TenantMemoOptions & { readonly stamp?: MemoStamp | undefined } = {},
  ) {
    this.#db = db;
    this.#load = load;
    this.#stamp = options.stamp;
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** The tenant's value, read (or found unchanged) at most `maxAgeMs` ago. */
  async get(tenantId: string): Promise<T> {
    const cached = this.#entries.get(tenantId);
    let previous: Entry<T> | undefined;
    if (cached !== undefined) {
      const entry = await cached;
      if (this.#now() - entry.loadedAt <= this.#maxAgeMs) return entry.value;
      // Another caller may have started a reload meanwhile.
      if (this.#entries.get(tenantId) !== cached) return this.get(tenantId);
      previous = entry;
    }
    const at = this.#now();
    const stamp = this.#stamp;
    const loading = this.#db.withTenant(tenantId, async (tx): Promise<Entry<T>> => {
      const current = stamp === undefined ? undefined : await stamp(tx, tenantId);
      if (previous !== undefined && current !== undefined && current === previous.stamp) {
        return { value: previous.value, loadedAt: at, stamp: current };
      }
      return { value: await this.#load(tx, tenantId, new Date(at)), loadedAt: at, stamp: current };
    });
    this.#entries.set(tenantId, loading);
    try {
      return (await loading).value;
    } catch (err) {
      if (this.#entries.get(tenantId) === loading) this.#entries.delete(tenantId);
      throw err;
    }
  }

  /** Forgets a tenant's entry: the next `get` reads it again. */
  invalidate(tenantId: string): void {
    this.#entries.delete(tenantId);
  }
}

/**
 * A stamp of a tenant table with the common columns (`updated_at`,
 * `version`): its row count, latest `updated_at` and highest `version`,
 * which change with every create, update, soft delete or purge.
 */
export function tableStamp(table: 'silences' | 'alert_rules'): MemoStamp {
  const statement = prepared(
    `SELECT count(*)::int AS n, max(updated_at) AS u, max(version)::int AS v
       FROM ${table} WHERE tenant_id = $1`,
  );
  return async (tx, tenantId) => {
    const { rows } = await tx.query<{ n: number; u: Date | null; v: number | null }>(
      statement.text,
      [tenantId],
      statement.options,
    );
    const row = rows[0];
    return `${row?.n ?? 0}:${row?.u?.getTime() ?? 0}:${row?.v ?? 0}`;
  };
}
