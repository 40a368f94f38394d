/**
 * Per tenant, a value read from the database and kept in memory for a
 * short time: what a hot path (ingest) consults without a query. The
 * database stays the truth: an entry is read again when this process
 * changes what it holds (`invalidate`), and at most `maxAgeMs` after
 * another instance did.
 */
import type { Database, TransactionClient } from '../types.js';

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
}

/** See the module comment. */
export class TenantMemo<T> {
  readonly #db: Database;
  readonly #load: (tx: TransactionClient, tenantId: string, at: Date) => Promise<T>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Promise<Entry<T>>>();

  constructor(
    db: Database,
    load: (tx: TransactionClient, tenantId: string, at: Date) => Promise<T>,
    options: TenantMemoOptions = {},
  ) {
    this.#db = db;
    this.#load = load;
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** The tenant's value, read at most `maxAgeMs` ago. */
  async get(tenantId: string): Promise<T> {
    const cached = this.#entries.get(tenantId);
    if (cached !== undefined) {
      const entry = await cached;
      if (this.#now() - entry.loadedAt <= this.#maxAgeMs) return entry.value;
      // Another caller may have started a reload meanwhile.
      if (this.#entries.get(tenantId) !== cached) return this.get(tenantId);
    }
    const at = this.#now();
    const loading = this.#db
      .withTenant(tenantId, (tx) => this.#load(tx, tenantId, new Date(at)))
      .then((value) => ({ value, loadedAt: at }));
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
