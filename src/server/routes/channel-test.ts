/**
 * `POST /v1/channels/{id}/test`: a test message through the channel's own
 * sender, answered with what the receiver did (delivered, or failed with
 * its status or the error), and audited (`channel.test`).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../auth.js';
import type { ChannelTestOutcome } from '../channel-test.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { IdParams } from './helpers.js';
import { component } from './schemas.js';

/** The answer of a test notification. */
export const ChannelTestResult = component(
  z.object({
    channel_id: z.string(),
    type: z.string().describe('The channel type'),
    result: z.enum(['delivered', 'failed']),
    status: z
      .int()
      .nullable()
      .describe('The receiver’s last HTTP status, or the SMTP reply code of a refused mail'),
    error: z.string().nullable().describe('What went wrong, secrets masked'),
    code: z
      .string()
      .nullable()
      .describe('The error code of a failure (ALERTBASE_DELIVERY_*): match on it, not on error'),
    retryable: z.boolean().describe('Whether the outbox would try such a delivery again'),
    requests: z.int().min(0).describe('Requests made (PagerDuty and Opsgenie: one per alert)'),
    duration_ms: z.int().min(0),
    message_id: z.string().describe('The message’s idempotency key (a webhook’s webhook-id)'),
  }),
  'ChannelTestResult',
);

/** A test outcome as the API answers it. */
export function wireTestOutcome(o: ChannelTestOutcome): z.input<typeof ChannelTestResult> {
  return {
    channel_id: o.channelId,
    type: o.type,
    result: o.delivered ? 'delivered' : 'failed',
    status: o.status ?? null,
    error: o.error ?? null,
    code: o.code ?? null,
    retryable: o.retryable,
    requests: o.requests,
    duration_ms: o.durationMs,
    message_id: o.messageId,
  };
}

/** Registers `POST /v1/channels/{id}/test`. */
export function channelTestRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  scope.withTypeProvider<ZodTypeProvider>().post(
    '/v1/channels/:id/test',
    {
      config: { requires: 'channels:write' },
      schema: {
        tags: ['channels'],
        summary:
          'Send a test notification through a channel now (its own sender, the delivery timeout and address checks); answers what the receiver did; audited',
        params: IdParams,
        response: { 200: ChannelTestResult },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const channel = await ctx.repos.notificationChannels.get(who.tenantId, request.params.id);
      const outcome = await ctx.notifications.test(who.tenantId, channel, who.actor);
      return send(reply, 200, wireTestOutcome(outcome), ctx.serializer);
    },
  );
}
