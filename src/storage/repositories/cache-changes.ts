/**
 * Changes of what every instance keeps in memory for a few seconds on the
 * path of each request: a tenant (status, tier, settings and its quotas)
 * and API keys. The transaction of such a change sends
 * `NOTIFY alertbase_cache_changes`, delivered at its commit to every
 * listening instance, which forgets what it kept (`server/cache-changes.ts`):
 * a key revoked or a tenant suspended through one instance is refused by the
 * others within the time a notification takes, not the caches' TTL.
 */
import type { TransactionClient } from '../types.js';
import { notifySql } from './statements.js';

/** The channel of cache changes. */
export const CACHE_CHANGES_CHANNEL = 'alertbase_cache_changes';

/** What changed: a tenant's record, or one of its API keys. */
export interface CacheChange {
  readonly kind: 'tenant' | 'keys';
  readonly tenantId: string;
}

/**
 * Tells every instance, at the commit of `tx`, that `change` happened (sent
 * with the COMMIT, `TransactionClient.atCommit`).
 */
export function notifyCacheChange(tx: TransactionClient, change: CacheChange): void {
  tx.atCommit(
    notifySql(CACHE_CHANGES_CHANNEL, [JSON.stringify({ k: change.kind, t: change.tenantId })]),
  );
}

/** Parses a payload of the channel; anything else is `undefined` (not ours). */
export function parseCacheChange(payload: string): CacheChange | undefined {
  try {
    const value = JSON.parse(payload) as { k?: unknown; t?: unknown } | null;
    if (typeof value !== 'object' || value === null || typeof value.t !== 'string') {
      return undefined;
    }
    if (value.k !== 'tenant' && value.k !== 'keys') return undefined;
    return { kind: value.k, tenantId: value.t };
  } catch {
    return undefined;
  }
}
