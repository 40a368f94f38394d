/** The tenant's audit trail: list with filters, and verify the hash chain. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditAction, AuditEvent } from '../../domain/index.js';
import { AuditCheckpoint } from '../../security/index.js';
import type { AuditChainFailure } from '../../storage/repositories/index.js';
import { checkCheckpoint, parseCheckpoint, takeCheckpoint } from '../audit-checkpoints.js';
import { tenantOf } from '../auth.js';
import { validatedByHandler } from '../route-validation.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { timeParam, untilNotBeforeSince, wire } from './helpers.js';
import { component, modelResponse, problem } from './schemas.js';

const AuditQuery = z
  .object({
    after: z.coerce
      .number()
      .int()
      .min(-1)
      .optional()
      .describe('The `next_after` of the previous page'),
    limit: z.coerce.number().int().min(1).max(1_000).optional().describe('Default 100'),
    actor: z.string().min(1).max(255).optional(),
    action: AuditAction.optional(),
    entity_type: z.string().min(1).max(64).optional().describe('AlertRule, Alert, ApiKey, ...'),
    entity_id: z.string().min(1).max(255).optional(),
    since: timeParam.optional().describe('At or after'),
    until: timeParam.optional().describe('Before; not before `since` (422)'),
  })
  .superRefine(untilNotBeforeSince);

/** A page of the audit trail. */
const AuditPage = z.object({
  items: z.array(modelResponse(AuditEvent)),
  next_after: z
    .int()
    .nullable()
    .describe('Pass as `after` for the next page; null when no matching event follows'),
});

/** Why a chain does not verify (`AuditChainFailure`). */
const CHAIN_FAILURES = [
  'seq_mismatch',
  'prev_hash_mismatch',
  'hash_mismatch',
  'column_mismatch',
  'invalid_entry',
  'unkeyed',
  'unknown_key',
  'bad_cut',
] as const satisfies readonly AuditChainFailure[];

/** What verifying the hash chain found (`AuditChainVerification`). */
const ChainVerdict = component(
  z.union([
    z.object({
      ok: z.literal(true),
      length: z.int().min(0).describe('Events in the chain'),
      unkeyedPrefix: z
        .int()
        .min(0)
        .optional()
        .describe(
          'Events written before the chain was keyed, vouched for by the sealed one after them',
        ),
      from: z
        .int()
        .min(1)
        .optional()
        .describe(
          'The first event still stored when retention cut the chain (verified from its sealed cut)',
        ),
    }),
    z.object({
      ok: z.literal(false),
      index: z.int().min(0).describe('The first event that does not verify (from 0)'),
      reason: z.enum(CHAIN_FAILURES).describe('Why it does not verify'),
    }),
  ]),
  'AuditChainVerdict',
);

/** What checking a checkpoint found (`CheckpointVerdict`). */
const CheckpointVerdict = component(
  z.union([
    z.object({ ok: z.literal(true), length: z.int(), checkpointLength: z.int() }),
    z.object({
      ok: z.literal(false),
      reason: z
        .string()
        .describe(
          'bad_signature, other_tenant, truncated, rewritten, removed_by_retention, or the chain’s own failure',
        ),
      index: z.int().optional(),
      length: z.int().optional(),
    }),
  ]),
  'AuditCheckpointVerdict',
);

/** A checkpoint as a body: checked by `parseCheckpoint` in the handler. */
const CheckpointBody = validatedByHandler(AuditCheckpoint);

/** Registers `/v1/audit` and `/v1/audit/verify`. */
export function auditRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/v1/audit',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit events in chain order: filter by actor, action, entity, time',
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query;
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
        response: { 200: ChainVerdict },
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
        response: {
          201: AuditCheckpoint,
          500: problem('No key ring to sign with (ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE)'),
        },
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
        body: CheckpointBody,
        response: { 200: CheckpointVerdict },
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
