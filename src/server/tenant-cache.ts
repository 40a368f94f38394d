/**
 * A short-lived cache of tenants, read on every request (is the tenant
 * active? its level → priority overrides): one query per tenant every few
 * seconds instead of one per request. Changes made through this process
 * drop the entry at once; other processes drop it when told of the change
 * (`cache-changes.ts`), and within the TTL if that notification is lost.
 */
import type { Tenant } from '../domain/tenant.js';
import type { TenantRepository } from '../storage/repositories/index.js';

/** Options of {@link TenantCache}. */
export interface TenantCacheOptions {
  /** How long an entry is trusted, in ms. Default 5,000. */
  readonly ttlMs?: number;
  /** Entries kept at most. Default 10,000. */
  readonly maxEntries?: number;
  /** Clock in ms. */
  readonly now?: () => number;
}

/** Tenants by id, each kept for a few seconds. */
export class TenantCache {
  readonly #repo: TenantRepository;
  readonly #entries = new Map<
    string,
    { readonly at: number; readonly tenant: Promise<Tenant | undefined> }
  >();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(repo: TenantRepository, options: TenantCacheOptions = {}) {
    this.#repo = repo;
    this.#ttlMs = options.ttlMs ?? 5_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The tenant, or `undefined` when it does not exist. */
  get(id: string): Promise<Tenant | undefined> {
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry !== undefined && now - entry.at < this.#ttlMs) return entry.tenant;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const tenant = this.#repo.find(id);
    this.#entries.set(id, { at: now, tenant });
    // A failed lookup is not cached.
    tenant.catch(() => this.#entries.delete(id));
    return tenant;
  }

  /** Forgets a tenant (after changing it). */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  /** Forgets every tenant (changes may have been missed). */
  clear(): void {
    this.#entries.clear();
  }
}
