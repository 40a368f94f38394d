/**
 * Alerts: batch ingest with a per-item result, list with filters, get, and
 * the status actions of the `AlertStatus` table.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AlertAction, AlertLevel, AlertStatus } from '../../base/enums/index.js';
import {
  InvalidTransitionError,
  ValidationError,
  type ValidationIssue,
} from '../../base/exceptions/index.js';
import { Alert } from '../../domain/index.js';
import type { AlertFilter, IngestResult, Page } from '../../storage/repositories/index.js';
import { bindTenant, type TenantPrincipal, tenantOf } from '../auth.js';
import { archiveResult } from '../ingest-archive.js';
import { enforceIngestQuota } from '../quotas.js';
import { validatedByHandler } from '../route-validation.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import {
  conditional,
  etag,
  IdParams,
  labelsParam,
  listParam,
  pageParams,
  timeParam,
  untilNotBeforeSince,
  wire,
} from './helpers.js';
import { baseListOptions } from './resources.js';
import { component, IfMatchHeaders, modelBody, modelResponse, pageOf, problem } from './schemas.js';

/** The actions exposed as `POST /v1/alerts/{id}/<action>` (`expire` is the system's). */
export const ALERT_ACTIONS = [
  'acknowledge',
  'unacknowledge',
  'resolve',
  'reopen',
  'suppress',
  'unsuppress',
] as const satisfies readonly AlertAction[];

/**
 * A 409 offers only the actions a client can call (`expire` is the system's:
 * it has no endpoint). Other errors pass through unchanged.
 */
function offeredActionsOnly(err: unknown, action: AlertAction): unknown {
  if (!(err instanceof InvalidTransitionError)) return err;
  const offered: readonly string[] = ALERT_ACTIONS;
  return new InvalidTransitionError(
    String(err.context.from),
    action,
    err.allowed.filter((a) => offered.includes(a)),
  );
}

const AlertQuery = z
  .object({
    ...pageParams,
    status: listParam
      .pipe(z.array(AlertStatus.schema))
      .optional()
      .describe(`Comma-separated or repeated: ${AlertStatus.values.join(', ')}`),
    level: AlertLevel.schema.optional().describe('This level or more severe'),
    label: labelsParam.optional().describe('name=value; repeat for several'),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    since: timeParam
      .optional()
      .describe('Active at or after: open, or ended at or after this time'),
    until: timeParam.optional().describe('Started before this time; not before `since` (422)'),
  })
  .superRefine(untilNotBeforeSince);

/** The per-item results of an ingest, in wire form (what `docs/api.md` documents). */
export function ingestResponse(
  result: IngestResult,
  offsets?: readonly number[],
): Record<string, unknown> {
  return {
    counts: result.counts,
    items: result.items.map((item) => {
      const index = offsets?.[item.index] ?? item.index;
      if (item.outcome === 'rejected') {
        return {
          index,
          result: 'rejected',
          errors: item.issues.map((i) => ({ pointer: i.pointer, code: i.code, detail: i.message })),
        };
      }
      return {
        index,
        result: item.outcome,
        id: item.id,
        fingerprint: item.fingerprint,
        status: item.status,
      };
    }),
  };
}

const count = z.int().min(0);

/** The documented shape of {@link ingestResponse}. */
export const IngestAnswer = component(
  z
    .object({
      counts: z.object({
        created: count,
        deduplicated: count,
        resolved: count,
        rejected: count,
      }),
      items: z.array(
        z.union([
          z.object({
            index: count,
            result: z.enum(['created', 'deduplicated', 'resolved']),
            id: z.string(),
            fingerprint: z.string(),
            status: AlertStatus.schema,
          }),
          z.object({
            index: count,
            result: z.literal('rejected'),
            errors: z.array(
              z.object({ pointer: z.string(), code: z.string(), detail: z.string() }),
            ),
          }),
        ]),
      ),
    })
    .meta({
      description:
        'One entry per item, in order. `result` is created, deduplicated, resolved or rejected ' +
        '(with `errors`). The response is 200 whenever the batch was processed, even if items were rejected.',
    }),
  'IngestResult',
);

/** A batch of alerts: an array, or `{ alerts: [...] }` (each item validated by the model). */
const AlertBatch = component(
  validatedByHandler(
    z.union([z.array(modelBody(Alert)), z.object({ alerts: z.array(modelBody(Alert)) })]),
  ),
  'AlertBatch',
);

/** One page of the alerts the query selects, every filter (the time range too) applied in SQL. */
function listAlerts(
  ctx: RouteContext,
  who: TenantPrincipal,
  query: z.output<typeof AlertQuery>,
): Promise<Page<Alert>> {
  const filter: AlertFilter = {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.level === undefined ? {} : { levelAtLeast: query.level }),
    ...(query.label === undefined ? {} : { labels: query.label }),
    ...(query.fingerprint === undefined ? {} : { fingerprint: query.fingerprint }),
    ...(query.since === undefined ? {} : { activeSince: query.since }),
    ...(query.until === undefined ? {} : { activeUntil: query.until }),
  };
  return ctx.repos.alerts.list(who.tenantId, { ...baseListOptions(query), filter });
}

/**
 * The items of a batch body: an array, or `{ alerts: [...] }`. Each item is
 * bound to the caller's tenant (an item naming another tenant refuses the
 * whole request, 403).
 */
function batchOf(body: unknown, tenantId: string): unknown[] {
  const items = Array.isArray(body)
    ? body
    : typeof body === 'object' &&
        body !== null &&
        Array.isArray((body as { alerts?: unknown }).alerts)
      ? (body as { alerts: unknown[] }).alerts
      : undefined;
  if (items === undefined) {
    const issue: ValidationIssue = {
      path: [],
      pointer: '',
      code: 'invalid_type',
      message: 'expected an array of alerts, or { "alerts": [...] }',
    };
    throw new ValidationError('AlertBatch', [issue]);
  }
  if (!Array.isArray(body))
    bindTenant({ ...(body as Record<string, unknown>), alerts: undefined }, tenantId);
  return items.map((item) => bindTenant(item, tenantId));
}

/** Where an ingest's answer goes besides the caller: the quota's `Retry-After`. */
type QuotaReply = Parameters<typeof enforceIngestQuota>[1];

/**
 * Ingests a `POST /v1/alerts` body for `who`: the tenancy rule, the ingest
 * quota, then the batch (what the route and a replay of the archive run).
 */
export async function ingestAlertBody(
  ctx: RouteContext,
  who: TenantPrincipal,
  body: unknown,
  options: { readonly batchId: string; readonly now: Date; readonly reply: QuotaReply },
): Promise<IngestResult> {
  const batch = batchOf(body, who.tenantId);
  await enforceIngestQuota(ctx, options.reply, who.tenantId, batch.length);
  return ctx.repos.alerts.ingest(who.tenantId, batch, who.actor, {
    batchId: options.batchId,
    receivedAt: options.now,
  });
}

/** Registers `/v1/alerts` and its actions. */
export function alertRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/v1/alerts',
    {
      config: { requires: 'alerts:ingest', archive: 'alerts' },
      schema: {
        tags: ['alerts'],
        summary: 'Ingest a batch of alerts (de-duplicated by fingerprint)',
        body: AlertBatch,
        response: {
          200: IngestAnswer,
          422: problem('The body is neither an array of alerts nor { "alerts": [...] }'),
          429: problem("The tenant's ingest quota is spent (Retry-After)"),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const result = await ingestAlertBody(ctx, who, request.body, {
        batchId: request.id,
        now: ctx.now(),
        reply,
      });
      archiveResult(request, result);
      return send(reply, 200, ingestResponse(result), ctx.serializer);
    },
  );

  api.get(
    '/v1/alerts',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['alerts'],
        summary: 'List alerts: status, level at least, labels, time range',
        querystring: AlertQuery,
        response: { 200: pageOf(Alert) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const query = request.query;
      const answer = await ctx.queryCache.answer(who.tenantId, 'Alert', query, async () => {
        const page = await listAlerts(ctx, who, query);
        return { items: page.items.map((a) => wire(Alert, a)), next_cursor: page.nextCursor };
      });
      return send(reply, 200, answer, ctx.serializer);
    },
  );

  api.get(
    '/v1/alerts/:id',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['alerts'],
        summary: 'Get an alert',
        params: IdParams,
        response: { 200: modelResponse(Alert) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const alert = await ctx.repos.alerts.get(who.tenantId, request.params.id);
      return send(etag(reply, alert), 200, wire(Alert, alert), ctx.serializer);
    },
  );

  for (const action of ALERT_ACTIONS) {
    api.post(
      `/v1/alerts/:id/${action}`,
      {
        config: { requires: 'alerts:transition' },
        schema: {
          tags: ['alerts'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} an alert (409 with the allowed actions otherwise)`,
          params: IdParams,
          headers: IfMatchHeaders,
          response: {
            200: modelResponse(Alert),
            409: problem(
              'The alert cannot take this action now (allowedActions lists those it can)',
            ),
            412: problem('If-Match names a stale version'),
          },
        },
      },
      async (request, reply) => {
        const who = tenantOf(request);
        const id = request.params.id;
        const alert = await conditional(request, (options) =>
          ctx.repos.alerts
            .transition(who.tenantId, id, action, who.actor, options)
            .catch((err: unknown) => {
              throw offeredActionsOnly(err, action);
            }),
        );
        return send(etag(reply, alert), 200, wire(Alert, alert), ctx.serializer);
      },
    );
  }
}
