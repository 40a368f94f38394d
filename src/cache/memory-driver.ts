/**
 * L1: the in-process cache (`lru-cache`), bounded by entries and by bytes
 * (each value is measured by its MessagePack size once, when stored).
 */
import { LRUCache } from 'lru-cache';
import { msgpackCodec } from '../base/serializers/msgpack.js';
import { CODEC_CONTEXT } from './codec-context.js';
import { tenantKey } from './keys.js';
import type { CacheDriver } from './types.js';

/** Options of {@link createMemoryDriver}. */
export interface MemoryDriverOptions {
  /** Entries kept at most; the least recently used go first. */
  readonly maxEntries: number;
  /** Bytes kept at most (MessagePack size of the values plus their keys). */
  readonly maxBytes: number;
  /** Default TTL, seconds (`CACHE_TTL_SECONDS`); 0 keeps nothing. */
  readonly ttlSeconds: number;
}

/** A value wrapped: lru-cache does not store `null`. */
interface Entry {
  readonly value: unknown;
}

/** The in-process driver, with its byte count. */
export interface MemoryDriver extends CacheDriver {
  readonly kind: 'memory';
  /** Bytes held now. */
  readonly bytes: number;
  /** Entries held now. */
  readonly size: number;
  /** The value, synchronously (the L1 fast path). */
  peek(tenantId: string, key: string): unknown;
  /** Forgets every value of a tenant (whose keys start with `{tenant}:`). */
  clearTenant(tenantId: string): void;
  /** Forgets everything. */
  clear(): void;
}

/** Size of a value, bytes: its MessagePack encoding (what L2 would store). */
function sizeOf(value: unknown, key: string): number {
  return msgpackCodec.encode(value, CODEC_CONTEXT).byteLength + key.length;
}

/**
 * An in-process {@link CacheDriver}.
 *
 * @example
 * ```ts
 * const l1 = createMemoryDriver({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttlSeconds: 300 });
 * await l1.set('acme', 'rules:count', 12);
 * await l1.get('acme', 'rules:count'); // 12
 * ```
 */
export function createMemoryDriver(options: MemoryDriverOptions): MemoryDriver {
  const defaultTtlMs = options.ttlSeconds * 1_000;
  const lru = new LRUCache<string, Entry>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => sizeOf(entry.value, key),
    ttl: 0,
  });
  return {
    kind: 'memory',
    get bytes() {
      return lru.calculatedSize;
    },
    get size() {
      return lru.size;
    },
    async get(tenantId, key) {
      return lru.get(tenantKey(tenantId, key))?.value;
    },
    peek(tenantId, key) {
      return lru.get(tenantKey(tenantId, key))?.value;
    },
    async set(tenantId, key, value, ttlSeconds) {
      const ttl = ttlSeconds === undefined ? defaultTtlMs : ttlSeconds * 1_000;
      const name = tenantKey(tenantId, key);
      if (ttl <= 0) {
        lru.delete(name);
        return;
      }
      // A value larger than the whole cache is not kept (lru-cache refuses it).
      lru.set(name, { value }, { ttl });
    },
    async delete(tenantId, key) {
      lru.delete(tenantKey(tenantId, key));
    },
    clearTenant(tenantId) {
      const prefix = tenantKey(tenantId, '');
      for (const name of [...lru.keys()]) if (name.startsWith(prefix)) lru.delete(name);
    },
    clear() {
      lru.clear();
    },
    async close() {
      lru.clear();
    },
  };
}
