/**
 * The outbox, read and acted on: `GET /v1/notifications` (filter by
 * channel, state, alert), one notification with every attempt, and
 * `POST /v1/notifications/{id}/retry`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Notification, NotificationState } from '../../domain/index.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { idOf, listParam, parseQuery, wire } from './helpers.js';
import { ERRORS, ID_PARAMS, PAGE_QUERY, pageSchema, schemaOf } from './json-schemas.js';

const NotificationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
  cursor: z.string().min(1).max(1_024).optional(),
  channel_id: z.string().min(1).max(64).optional(),
  alert_id: z.string().min(1).max(64).optional(),
  state: listParam.pipe(z.array(NotificationState)).optional(),
});

/** Registers the notification routes. */
export function notificationRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get(
    '/v1/notifications',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['notifications'],
        summary: 'Notifications in the outbox, newest first: filter by channel, state, alert',
        querystring: {
          type: 'object',
          properties: {
            limit: PAGE_QUERY.limit,
            cursor: PAGE_QUERY.cursor,
            channel_id: { type: 'string' },
            alert_id: { type: 'string' },
            state: {
              type: 'string',
              description: `Comma-separated: ${NotificationState.options.join(', ')}`,
            },
          },
        },
        response: { 200: pageSchema(Notification), ...ERRORS },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = parseQuery(NotificationQuery, request);
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
        params: ID_PARAMS,
        response: { 200: schemaOf(Notification, 'output'), ...ERRORS },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const n = await ctx.notifications.outbox.get(who.tenantId, idOf(request));
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
        params: ID_PARAMS,
        response: { 200: schemaOf(Notification, 'output'), ...ERRORS },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const n = await ctx.notifications.outbox.retry(who.tenantId, idOf(request), who.actor);
      ctx.notifications.poke();
      return send(reply, 200, wire(Notification, n), ctx.serializer);
    },
  );
}
