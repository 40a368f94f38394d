/** The label value of every tenant beyond the limit. */
export const OTHER_TENANT = 'other';

/**
 * Bounds the cardinality of a `tenant` label: the first `limit` tenants seen
 * keep their id as the label value, every later one is {@link OTHER_TENANT}.
 * Counters cannot move their counts from one series to another, so the set
 * is fixed once full: on a busy service the first tenants seen are the busy
 * ones, and a restart re-chooses them.
 *
 * @example
 * ```ts
 * const label = createTenantLabel(2);
 * [label('a'), label('b'), label('c'), label('a')]; // ['a', 'b', 'other', 'a']
 * ```
 */
export function createTenantLabel(limit: number): (tenantId: string) => string {
  const kept = new Set<string>();
  return (tenantId) => {
    if (kept.has(tenantId)) return tenantId;
    if (kept.size < limit && tenantId !== OTHER_TENANT) {
      kept.add(tenantId);
      return tenantId;
    }
    return OTHER_TENANT;
  };
}
