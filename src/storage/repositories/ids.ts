import { newId } from '../../base/utils/ids.js';

/**
 * @internal `n` new UUIDv7s in increasing order. `newId()` draws its random
 * bytes from a pool and keeps a counter within a millisecond, so a batch of
 * ingested alerts gets ordered ids cheaply.
 */
export function newIds(n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = newId();
  return ids;
}
