import { randomUUID } from 'node:crypto';

/** The header a request id is accepted from and returned in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What an accepted request id may hold: 1 to 128 letters, digits and `-_.:`. */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is a plain token
 * (so a proxy's id follows the request through alertbase's logs), else a new
 * UUID. Anything else (spaces, control characters, 129+ characters) is
 * replaced, so a log line cannot be forged through it.
 *
 * @example
 * ```ts
 * requestIdOf('abc-123'); // 'abc-123'
 * requestIdOf('a b');     // a new UUID
 * ```
 */
export function requestIdOf(header: string | readonly string[] | undefined): string {
  const value = typeof header === 'string' ? header.trim() : undefined;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}
