/**
 * `GET /v1/events`: the tenant's changes as server-sent events, from the
 * audit trail (see `event-feed.ts`). Each event's `id` is its audit `seq`,
 * so a client that reconnects with `Last-Event-ID` (or `?after=`) misses
 * nothing. Alert changes come as `alert` events, every other change as
 * `change`; a `ready` event opens the stream, a comment every 15 s keeps
 * proxies from closing it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RateLimitedError } from '../../base/exceptions/index.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { tenantOf } from '../auth.js';
import { createEventFeed } from '../event-feed.js';
import type { RouteContext } from './context.js';
import { listParam } from './helpers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers a server-sent event stream (no `Accept` negotiation). */
    eventStream?: boolean;
  }
}

/** Streams one tenant may hold open on one instance. */
export const MAX_STREAMS_PER_TENANT = 64;

/** Time between two keep-alive comments, ms. */
const KEEP_ALIVE_MS = 15_000;

const EventsQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(-1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Start after this audit `seq` (default: now); `Last-Event-ID` wins'),
  types: listParam
    .pipe(z.array(z.string().min(1).max(64)).max(32))
    .optional()
    .describe('Comma-separated entity types (Alert, Silence, AlertRule, ...); default all'),
  timeout: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .optional()
    .describe(
      'End the stream after this many seconds (behind proxies that cap a response; reconnect with Last-Event-ID). 0: the `ready` event only',
    ),
});

/** One audit event as a server-sent event. */
export function sseOf(event: AuditEvent): string {
  const data = {
    seq: event.seq,
    at: event.at.toISOString(),
    action: event.action,
    entity_type: event.entityType,
    entity_id: event.entityId,
    actor: event.actor,
    result: event.result,
    details: event.details,
  };
  const name = event.entityType === 'Alert' ? 'alert' : 'change';
  return `id: ${event.seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Registers `GET /v1/events`. */
export function eventRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const feed = createEventFeed({
    db: ctx.db,
    audit: ctx.repos.audit,
    pollMs: ctx.eventPollMs,
    onError: (err) => api.log.error({ err }, 'event feed poll failed'),
  });
  const open = new Set<() => void>();
  api.addHook('preClose', async () => {
    feed.close();
    for (const end of [...open]) end();
  });

  api.get(
    '/v1/events',
    {
      config: { requires: 'read', eventStream: true },
      schema: {
        tags: ['events'],
        summary:
          'Changes as server-sent events (text/event-stream): `alert` for alerts, `change` for the rest; resume with Last-Event-ID',
        querystring: EventsQuery,
        response: {
          200: {
            description: 'The stream: `ready`, then `alert` and `change` events',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const query = request.query;
      const lastId = request.headers['last-event-id'];
      const resume =
        typeof lastId === 'string' && /^\d{1,15}$/.test(lastId) ? Number(lastId) : query.after;
      if (feed.count(who.tenantId) >= MAX_STREAMS_PER_TENANT) {
        reply.header('retry-after', '5');
        throw new RateLimitedError({
          limit: MAX_STREAMS_PER_TENANT,
          window: 'open event streams',
          retryAfterSeconds: 5,
        });
      }
      const types = query.types === undefined ? undefined : new Set(query.types);
      const res = reply.raw;
      let ended = false;
      const subscription = await feed.subscribe(
        who.tenantId,
        (events) => {
          const text = events
            .filter((e) => types === undefined || types.has(e.entityType))
            .map(sseOf)
            .join('');
          if (text !== '' && !ended) res.write(text);
        },
        resume,
      );
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        // One stream, one connection: when the stream ends (the app closing) the socket closes too.
        connection: 'close',
        'x-request-id': request.id,
      });
      res.write(
        `retry: 2000\nevent: ready\ndata: ${JSON.stringify({ after: subscription.after })}\n\n`,
      );
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      keepAlive.unref();
      const limit =
        query.timeout === undefined ? undefined : setTimeout(() => end(), query.timeout * 1_000);
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(keepAlive);
        clearTimeout(limit);
        subscription.unsubscribe();
        open.delete(end);
        res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      res.on('close', end);
    },
  );
}
