import type { FastifyInstance } from 'fastify';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';

const HEALTH_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string' }, database: { type: 'string' } },
} as const;

/**
 * `GET /health/live` (the process answers) and `GET /health/ready` (the
 * database answers; 503 otherwise). Neither needs a key.
 */
export function healthRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get(
    '/health/live',
    {
      config: { requires: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: HEALTH_SCHEMA },
      },
    },
    async (_request, reply) => send(reply, 200, { status: 'ok' }, ctx.serializer),
  );
  api.get(
    '/health/ready',
    {
      config: { requires: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers',
        security: [],
        response: { 200: HEALTH_SCHEMA, 503: HEALTH_SCHEMA },
      },
    },
    async (request, reply) => {
      try {
        await ctx.db.query('SELECT 1');
        return send(reply, 200, { status: 'ready', database: 'ok' }, ctx.serializer);
      } catch (err) {
        request.log.warn({ err }, 'database not ready');
        return send(reply, 503, { status: 'unavailable', database: 'unreachable' }, ctx.serializer);
      }
    },
  );
}
