/**
 * The listening side of the cache changes
 * (`storage/repositories/cache-changes.ts`): a tenant or an API key changed
 * through any instance, or through `alertbase admin`, is forgotten by this
 * one's tenant and key caches as soon as the commit is told, instead of at
 * the end of their TTL. When the listening connection was lost (changes
 * may have been missed), everything is forgotten.
 */
import type { FastifyInstance } from 'fastify';
import type { ChannelSubscription, Database } from '../storage/index.js';
import { CACHE_CHANGES_CHANNEL, parseCacheChange } from '../storage/repositories/index.js';

/** What is forgotten on a change. */
export interface CacheChangeTargets {
  /** A tenant's record changed. */
  forgetTenant(tenantId: string): void;
  /** A key of some tenant changed (the key cache is keyed by key, not tenant). */
  forgetKeys(): void;
  /** Changes may have been missed. */
  forgetAll(): void;
}

/**
 * Listens from the app's start to its close. A database that cannot listen
 * leaves the caches to their TTL (said once in the log); the app starts all the same.
 */
export function useCacheChanges(
  app: FastifyInstance,
  db: Database,
  targets: CacheChangeTargets,
): void {
  let subscription: ChannelSubscription | undefined;
  app.addHook('onReady', async () => {
    try {
      subscription = await db.listen(
        CACHE_CHANGES_CHANNEL,
        (payload) => {
          const change = parseCacheChange(payload);
          if (change?.kind === 'tenant') targets.forgetTenant(change.tenantId);
          else if (change?.kind === 'keys') targets.forgetKeys();
        },
        () => targets.forgetAll(),
      );
    } catch (err) {
      app.log.warn(
        { err },
        'cannot listen to cache changes: changes through other instances are seen within the caches’ TTL',
      );
    }
  });
  app.addHook('onClose', async () => {
    await subscription?.close();
  });
}
