import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks the `Authorization` header of a scrape against the metrics key:
 * `Bearer <key>` (what Prometheus's `authorization: { credentials }` sends),
 * compared in constant time. Without a key every scrape is allowed.
 *
 * @example
 * ```ts
 * const allowed = metricsKeyCheck('s3cret');
 * allowed('Bearer s3cret'); // true
 * ```
 */
export function metricsKeyCheck(
  key: string | undefined,
): (authorization: string | undefined) => boolean {
  if (key === undefined) return () => true;
  const expected = createHash('sha256').update(key).digest();
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(match[1]).digest(), expected);
  };
}
