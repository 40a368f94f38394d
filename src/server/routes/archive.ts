/**
 * The payload archive: `GET /v1/archive` lists a tenant's archived ingest
 * requests (newest first, filtered by time, outcome, format and route),
 * `GET /v1/archive/{id}` returns one with its decoded body, and
 * `POST /v1/archive/replay` ingests a time range's payloads again.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../base/exceptions/index.js';
import { FORMATS } from '../../base/serializers/index.js';
import {
  ARCHIVE_DOORS,
  ARCHIVE_OUTCOMES,
  type ArchivedPayload,
  type ArchiveSummary,
} from '../../storage/archive/index.js';
import { MAX_REPLAY, replayArchive } from '../archive-replay.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { IdParams, pageParams, timeParam } from './helpers.js';
import { component } from './schemas.js';

const count = z.int().min(0);

const ArchiveQuery = z
  .object({
    limit: pageParams.limit,
    cursor: pageParams.cursor,
    from: timeParam.optional().describe('Received at or after (RFC 3339)'),
    to: timeParam.optional().describe('Received before (RFC 3339)'),
    outcome: z.enum(ARCHIVE_OUTCOMES).optional(),
    format: z.enum(FORMATS).optional().describe('The body format it was sent in'),
    door: z
      .enum(ARCHIVE_DOORS)
      .optional()
      .describe(
        'The route: alerts (POST /v1/alerts), alertmanager-v2 (POST /api/v2/alerts), alertmanager-webhook',
      ),
  })
  .superRefine((q, zctx) => {
    if (q.from !== undefined && q.to !== undefined && q.to < q.from) {
      zctx.addIssue({ code: 'custom', path: ['to'], message: 'expected to at or after from' });
    }
  });

const summaryShape = {
  id: z.string(),
  tenant_id: z.string(),
  received_at: z.string(),
  request_id: z.string(),
  key_id: z.string(),
  door: z.enum(ARCHIVE_DOORS),
  format: z.enum(FORMATS),
  outcome: z.enum(ARCHIVE_OUTCOMES),
  issues: z.array(
    z.object({
      index: count.nullable().describe("The rejected item's index; null: the whole request"),
      pointer: z.string(),
      code: z.string(),
      message: z.string(),
    }),
  ),
  bytes: count.describe('The body on the wire (before decompression), bytes'),
};

const ArchiveEntry = component(z.object(summaryShape), 'ArchivedRequest');

const ArchivePageAnswer = component(
  z.object({
    items: z.array(ArchiveEntry),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page.'),
  }),
  'ArchivedRequestPage',
);

const ArchivePayloadAnswer = component(
  z.object({
    ...summaryShape,
    body: z.unknown().describe('The body as it was decoded, before validation'),
  }),
  'ArchivedPayload',
);

const ReplayBody = component(
  z.strictObject({
    from: timeParam.describe('Received at or after (RFC 3339)'),
    to: timeParam.describe('Received before (RFC 3339)'),
    outcome: z
      .enum(['accepted', 'all'])
      .default('accepted')
      .describe(
        'accepted (default): the payloads accepted when they arrived; all: rejected ones too',
      ),
    limit: z.int().min(1).max(MAX_REPLAY).default(100).describe('Payloads at most'),
  }),
  'ArchiveReplay',
);

const ReplayAnswer = component(
  z.object({
    payloads: count.describe('Payloads ingested again'),
    refused: count.describe('Payloads the ingest refused whole'),
    counts: z.object({ created: count, deduplicated: count, resolved: count, rejected: count }),
    next_from: z
      .string()
      .nullable()
      .describe('Payloads are left (limit, or the ingest quota): pass as `from` to go on'),
  }),
  'ArchiveReplayResult',
);

function wireSummary(s: ArchiveSummary): Record<string, unknown> {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    received_at: s.receivedAt.toISOString(),
    request_id: s.requestId,
    key_id: s.keyId,
    door: s.door,
    format: s.format,
    outcome: s.outcome,
    issues: s.issues,
    bytes: s.bytes,
  };
}

const wirePayload = (p: ArchivedPayload): Record<string, unknown> => ({
  ...wireSummary(p),
  body: p.body,
});

/** Registers `/v1/archive`, `/v1/archive/{id}` and `/v1/archive/replay`. */
export function archiveRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/v1/archive',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['archive'],
        summary: 'Archived ingest requests, newest first: time range, outcome, format, route',
        querystring: ArchiveQuery,
        response: { 200: ArchivePageAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query;
      const page = await ctx.archive.store.list(who.tenantId, {
        filter: { from: q.from, to: q.to, outcome: q.outcome, format: q.format, door: q.door },
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
      return send(
        reply,
        200,
        { items: page.items.map(wireSummary), next_cursor: page.nextCursor },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/archive/:id',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['archive'],
        summary: 'An archived ingest request with its decoded body',
        params: IdParams,
        response: { 200: ArchivePayloadAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const found = await ctx.archive.store.get(who.tenantId, request.params.id);
      if (found === undefined) {
        throw new NotFoundError('archived request', request.params.id);
      }
      return send(reply, 200, wirePayload(found), ctx.serializer);
    },
  );

  api.post(
    '/v1/archive/replay',
    {
      config: { requires: 'alerts:ingest' },
      schema: {
        tags: ['archive'],
        summary:
          'Ingest a time range of archived payloads again (after a rule or routing change), oldest first',
        body: ReplayBody,
        response: { 200: ReplayAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const body = request.body;
      const result = await replayArchive(
        ctx,
        who,
        { from: body.from, to: body.to, outcome: body.outcome, limit: body.limit },
        reply,
      );
      return send(
        reply,
        200,
        {
          payloads: result.payloads,
          refused: result.refused,
          counts: result.counts,
          next_from: result.nextFrom?.toISOString() ?? null,
        },
        ctx.serializer,
      );
    },
  );
}
