/**
 * How cached values are named: `{tenant}:key`. The braces are a Redis
 * Cluster hash tag, so every key of a tenant lands on one slot (and one
 * node); the same text keys the in-process cache.
 */
/**
 * The key of `key` of `tenantId`. A tenant id holding `}` is refused
 * (tenant ids are slugs): the first `}` ends the tenant, so no tenant can
 * name another's key.
 *
 * @example
 * ```ts
 * tenantKey('acme', 'rules:list'); // '{acme}:rules:list'
 * ```
 */
export function tenantKey(tenantId: string, key: string): string {
  if (tenantId.includes('}')) {
    throw new TypeError('a cache key needs a tenant id without a closing brace');
  }
  return `{${tenantId}}:${key}`;
}
