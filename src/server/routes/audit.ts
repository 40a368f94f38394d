/** The tenant's audit trail: list with filters, and verify the hash chain. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditAction, AuditEvent } from '../../domain/index.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { parseQuery, timeParam, wire } from './helpers.js';
import { ERRORS, schemaOf } from './schemas.js';

const AuditQuery = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
  actor: z.string().min(1).max(255).optional(),
  action: AuditAction.optional(),
  entity_type: z.string().min(1).max(64).optional(),
  entity_id: z.string().min(1).max(255).optional(),
  since: timeParam.optional(),
  until: timeParam.optional(),
});

/** Batches read at most per request to fill a filtered page. */
const MAX_SCANS = 20;

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
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            actor: { type: 'string' },
            action: { type: 'string', enum: [...AuditAction.options] },
            entity_type: { type: 'string' },
            entity_id: { type: 'string' },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: schemaOf(AuditEvent, 'output') },
              next_after: { type: ['integer', 'null'] },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = parseQuery(AuditQuery, request);
      const limit = q.limit ?? 100;
      const keep = (e: AuditEvent): boolean =>
        (q.actor === undefined || e.actor === q.actor) &&
        (q.action === undefined || e.action === q.action) &&
        (q.entity_type === undefined || e.entityType === q.entity_type) &&
        (q.since === undefined || e.at.getTime() >= q.since.getTime()) &&
        (q.until === undefined || e.at.getTime() < q.until.getTime());
      const items: AuditEvent[] = [];
      let after = q.after ?? -1;
      let more = true;
      for (let scan = 0; scan < MAX_SCANS && more && items.length < limit; scan++) {
        const batch = await ctx.repos.audit.list(who.tenantId, {
          afterSeq: after,
          limit,
          ...(q.entity_id === undefined ? {} : { entityId: q.entity_id }),
        });
        for (const event of batch) {
          after = event.seq;
          if (keep(event)) {
            items.push(event);
            if (items.length === limit) break;
          }
        }
        more = batch.length === limit;
      }
      // Follow `next_after` while it is not null; a page may run short.
      const nextAfter = more || items.length === limit ? after : null;
      return send(
        reply,
        200,
        { items: items.map((e) => wire(AuditEvent, e)), next_after: nextAfter },
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
}
