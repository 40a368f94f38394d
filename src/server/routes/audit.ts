/** The tenant's audit trail: list with filters, and verify the hash chain. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditAction, AuditEvent } from '../../domain/index.js';
import { checkCheckpoint, parseCheckpoint, takeCheckpoint } from '../audit-checkpoints.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { parseQuery, timeParam, untilNotBeforeSince, wire } from './helpers.js';
import { ERRORS, schemaOf } from './json-schemas.js';

const AuditQuery = z
  .object({
    after: z.coerce.number().int().min(-1).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).optional(),
    actor: z.string().min(1).max(255).optional(),
    action: AuditAction.optional(),
    entity_type: z.string().min(1).max(64).optional(),
    entity_id: z.string().min(1).max(255).optional(),
    since: timeParam.optional(),
    until: timeParam.optional(),
  })
  .superRefine(untilNotBeforeSince);

/** Registers `/v1/audit` and `/v1/audit/verify`. */
export function auditRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get(
    '/v1/audit',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit events in chain order: filter by actor, action, entity, time',
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'integer', description: 'The `next_after` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            actor: { type: 'string' },
            action: { type: 'string', enum: [...AuditAction.options] },
            entity_type: { type: 'string', description: 'AlertRule, Alert, ApiKey, ...' },
            entity_id: { type: 'string' },
            since: { type: 'string', format: 'date-time', description: 'At or after' },
            until: {
              type: 'string',
              format: 'date-time',
              description: 'Before; not before `since` (422)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: schemaOf(AuditEvent, 'output') },
              next_after: {
                type: ['integer', 'null'],
                description:
                  'Pass as `after` for the next page; null when no matching event follows',
              },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = parseQuery(AuditQuery, request);
      const page = await ctx.repos.audit.page(who.tenantId, {
        ...(q.after === undefined ? {} : { afterSeq: q.after }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.entity_type === undefined ? {} : { entityType: q.entity_type }),
        ...(q.entity_id === undefined ? {} : { entityId: q.entity_id }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.until === undefined ? {} : { until: q.until }),
      });
      return send(
        reply,
        200,
        { items: page.items.map((e) => wire(AuditEvent, e)), next_after: page.nextAfter },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/audit/verify',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'Verify the hash chain of the audit trail',
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              length: { type: 'integer' },
              index: { type: 'integer' },
              reason: { type: 'string' },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      return send(reply, 200, await ctx.repos.audit.verify(who.tenantId), ctx.serializer);
    },
  );

  api.post(
    '/v1/audit/checkpoints',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['audit'],
        summary:
          'A signed checkpoint of the audit chain (length, head hash): keep it outside alertbase, check it later',
        response: { 201: { type: 'object', additionalProperties: true }, ...ERRORS },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const checkpoint = await takeCheckpoint(ctx.db, ctx.keyRing, who.tenantId, ctx.now());
      return send(reply, 201, checkpoint, ctx.serializer);
    },
  );

  api.post(
    '/v1/audit/checkpoints/verify',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['audit'],
        summary:
          'Check the audit chain against a checkpoint: signature, still verifies, not cut short, not rewritten up to it',
        body: { type: 'object', additionalProperties: true },
        response: { 200: { type: 'object', additionalProperties: true }, ...ERRORS },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const checkpoint = parseCheckpoint(request.body);
      const verdict = await checkCheckpoint(ctx.db, ctx.keyRing, who.tenantId, checkpoint);
      return send(reply, 200, verdict, ctx.serializer);
    },
  );
}
