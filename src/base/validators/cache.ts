/**
 * The validation cache: results of the pure levels (syntax to performance)
 * kept for a while, keyed by model, tenant, check-set version, options and
 * the content hash of the document. Bounded (least recently used entries go
 * first) and expiring (TTL in seconds; 0 turns the cache off).
 */

import { DEFAULTS } from '../constants.js';
import { ConfigError } from '../exceptions/index.js';
import type { ValidationResultJson } from './result.js';

/** What the cache keeps of one validation. */
export interface CachedValidation {
  /** The findings of the levels that ran (consistency is never cached). */
  readonly result: ValidationResultJson;
  /** Did the document pass the syntax level? */
  readonly syntaxOk: boolean;
  /** The parsed document the consistency level reads. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Options of {@link createValidationCache}. */
export interface ValidationCacheOptions {
  /** Seconds an entry is reused (config `VALIDATION_CACHE_TTL`); 0 turns the cache off. */
  readonly ttlSeconds?: number;
  /** Entries kept; the least recently used go first. Default `DEFAULTS.validationCacheMaxEntries`. */
  readonly maxEntries?: number;
  /** The clock, ms since the epoch; default `Date.now` (tests pass a fake one). */
  readonly now?: () => number;
}

/** Counters of a cache. */
export interface ValidationCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly size: number;
}

/**
 * A bounded, expiring map of validation results.
 *
 * @example
 * ```ts
 * const cache = createValidationCache({ ttlSeconds: 60 });
 * const validator = createValidator({ model: AlertRule, cache });
 * await validator.validate(rule); await validator.validate(rule);
 * cache.stats(); // { hits: 1, misses: 1, evictions: 0, size: 1 }
 * ```
 */
export class ValidationCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: CachedValidation; expiresAt: number }>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: ValidationCacheOptions = {}) {
    const ttl = options.ttlSeconds ?? DEFAULTS.validationCacheTtlSeconds;
    const max = options.maxEntries ?? DEFAULTS.validationCacheMaxEntries;
    if (!(ttl >= 0) || !Number.isFinite(ttl)) {
      throw new ConfigError(
        'VALIDATION_CACHE_TTL',
        `must be a number of seconds >= 0, got ${String(ttl)}`,
      );
    }
    if (!Number.isInteger(max) || max < 1) {
      throw new ConfigError(
        'validation cache maxEntries',
        `must be a positive integer, got ${String(max)}`,
      );
    }
    this.ttlMs = ttl * 1_000;
    this.maxEntries = max;
    this.#now = options.now ?? Date.now;
  }

  /** Is the cache on (TTL above 0)? */
  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The entry of a key if it has not expired; marks it recently used. */
  get(key: string): CachedValidation | undefined {
    if (!this.enabled) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.#now()) {
      if (entry !== undefined) this.#entries.delete(key);
      this.#misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    return entry.value;
  }

  /** Stores an entry, evicting the least recently used beyond `maxEntries`. */
  set(key: string, value: CachedValidation): void {
    if (!this.enabled) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
      this.#evictions++;
    }
  }

  /** Forgets every entry (after a rule-set change that the version does not capture). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  stats(): ValidationCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      size: this.#entries.size,
    };
  }
}

/** Creates a {@link ValidationCache}. */
export function createValidationCache(options: ValidationCacheOptions = {}): ValidationCache {
  return new ValidationCache(options);
}
