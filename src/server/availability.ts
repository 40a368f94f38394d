/**
 * What a client is told when alertbase cannot serve now: while it shuts
 * down (after SIGTERM: in-flight requests finish, new ones are refused) and
 * while its database is unreachable or too slow. Both are 503 problem
 * details with `Retry-After`, never a 500 or a hang.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AlertbaseError } from '../base/exceptions/index.js';

/** `Retry-After` of a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Refuses requests that arrive once the app is closing (on a kept-alive
 * connection: a new connection is not accepted at all) with
 * `ALERTBASE_SERVER_SHUTTING_DOWN` and `Connection: close`, so that the
 * client retries elsewhere; requests already in flight run to their end, and
 * their answers close their connections.
 */
export function useShutdownRefusal(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new AlertbaseError('ALERTBASE_SERVER_SHUTTING_DOWN', {});
  });
  // A kept-alive connection whose request finishes after the close began would
  // stay open until its keep-alive timeout (72 s) and hold the shutdown past its
  // grace period: its answer closes it.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}

/** Adds `Retry-After` to a 503 answer (the service will be back; the request was not done). */
export function markRetryable(reply: FastifyReply, status: number): void {
  if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
}
