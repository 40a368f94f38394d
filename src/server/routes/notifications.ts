/**
 * The outbox, read and acted on: `GET /v1/notifications` (filter by
 * channel, state, alert), one notification with every attempt, and
 * `POST /v1/notifications/{id}/retry`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Notification, NotificationState } from '../../domain/index.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { IdParams, listParam, wire } from './helpers.js';
import { modelResponse, pageOf, problem } from './schemas.js';

const NotificationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
  cursor: z.string().min(1).max(1_024).optional(),
  channel_id: z.string().min(1).max(64).optional(),
  alert_id: z.string().min(1).max(64).optional(),
  state: listParam
    .pipe(z.array(NotificationState))
    .optional()
    .describe(`Comma-separated or repeated: ${NotificationState.options.join(', ')}`),
});

/** Registers the notification routes. */
export function notificationRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/v1/notifications',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'Notifications in the outbox, newest first: filter by channel, state, alert',
        querystring: NotificationQuery,
        response: { 200: pageOf(Notification) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query;
      const page = await ctx.notifications.outbox.list(who.tenantId, {
        limit: q.limit,
        cursor: q.cursor,
        channelId: q.channel_id,
        alertId: q.alert_id,
        state: q.state,
      });
      return send(
        reply,
        200,
        { items: page.items.map((n) => wire(Notification, n)), next_cursor: page.nextCursor },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/notifications/:id',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'One notification, with its message and every attempt',
        params: IdParams,
        response: { 200: modelResponse(Notification) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const n = await ctx.notifications.outbox.get(who.tenantId, request.params.id);
      return send(reply, 200, wire(Notification, n), ctx.serializer);
    },
  );

  api.post(
    '/v1/notifications/:id/retry',
    {
      config: { requires: 'alerts:transition' },
      schema: {
        tags: ['notifications'],
        summary: 'Put a notification (dead, delivered or waiting) back in line now; audited',
        params: IdParams,
        response: {
          200: modelResponse(Notification),
          409: problem('The notification is being sent'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const n = await ctx.notifications.outbox.retry(who.tenantId, request.params.id, who.actor);
      ctx.notifications.poke();
      return send(reply, 200, wire(Notification, n), ctx.serializer);
    },
  );
}
