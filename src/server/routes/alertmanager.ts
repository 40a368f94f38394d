/**
 * The Alertmanager-compatible ingest: `POST /api/v2/alerts` (what Prometheus
 * sends to its Alertmanagers) and `POST /v1/webhooks/alertmanager` (what an
 * Alertmanager webhook receiver sends, payload version 4). The tenant comes
 * from the key, as everywhere.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type AlertmanagerAlertInput,
  type AlertmanagerItem,
  postableToAlerts,
  webhookToAlerts,
} from '../../interop/alertmanager/index.js';
import { PostableAlert, WebhookPayload } from '../../interop/alertmanager/payloads.js';
import type { IngestItemResult, IngestResult } from '../../storage/repositories/index.js';
import { bindTenant, type TenantPrincipal, tenantOf } from '../auth.js';
import { archiveResult } from '../ingest-archive.js';
import { itemTokensOf } from '../json-item-memo.js';
import { enforceIngestQuota } from '../quotas.js';
import { validatedByHandler } from '../route-validation.js';
import { send } from '../wire.js';
import { IngestAnswer, ingestResponse } from './alerts.js';
import type { RouteContext } from './context.js';
import {
  MappedAlertMemo,
  mapPostableBody,
  mapRememberedBody,
  postableMemoKeys,
} from './resend-keys.js';
import { component, modelBody, problem } from './schemas.js';

/** What Prometheus posts: an array of alerts (each mapped, or rejected with its path). */
const PostableAlerts = component(
  validatedByHandler(z.array(modelBody(PostableAlert))),
  'PostableAlerts',
);

const ingestErrors = {
  429: problem("The tenant's ingest quota is spent (Retry-After)"),
};

/** What ingest is given for a mapped Alertmanager alert received at `now`. */
export function ingestInputOf(alert: AlertmanagerAlertInput, now: Date): Record<string, unknown> {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    level: alert.level,
    priority: alert.priority,
    ...(alert.startsAt === undefined ? {} : { startsAt: alert.startsAt }),
    // A webhook alert marked resolved without an end ended now.
    endsAt: alert.endsAt ?? (alert.status === 'resolved' ? now.toISOString() : null),
    generatorURL: alert.generatorURL,
  };
}

/** Ingest's results of the valid items, with the rejected ones put back at their payload indexes. */
function payloadResults(
  items: readonly AlertmanagerItem[],
  valid: readonly AlertmanagerItem[],
  stored: readonly IngestItemResult[],
): IngestItemResult[] {
  const byIndex = new Map<number, IngestItemResult>();
  stored.forEach((result, k) => {
    const index = valid[k]?.index ?? k;
    byIndex.set(index, { ...result, index });
  });
  return items.map(
    (item): IngestItemResult =>
      (item.ok ? byIndex.get(item.index) : undefined) ?? {
        index: item.index,
        outcome: 'rejected',
        issues: item.ok ? [] : item.issues,
      },
  );
}

/**
 * Ingests the mapped items: the valid ones in one batch, the rejected ones
 * reported with their payload paths; results in payload order.
 */
async function ingestItems(
  ctx: RouteContext,
  who: TenantPrincipal,
  items: readonly AlertmanagerItem[],
  batchId: string,
  now: Date,
  memoKeys?: readonly (string | undefined)[],
): Promise<IngestResult> {
  const valid = items.flatMap((item) => (item.ok ? [item] : []));
  const stored = await ctx.repos.alerts.ingest(
    who.tenantId,
    valid.map(({ alert }) => ingestInputOf(alert, now)),
    who.actor,
    {
      batchId,
      receivedAt: now,
      ...(memoKeys === undefined ? {} : { memoKeys: valid.map((item) => memoKeys[item.index]) }),
    },
  );
  // Every item mapped (Prometheus's usual batch): ingest's results are the
  // payload's, index for index.
  const results =
    valid.length === items.length ? stored.items : payloadResults(items, valid, stored.items);
  const counts = { created: 0, deduplicated: 0, resolved: 0, rejected: 0 };
  for (const r of results) counts[r.outcome]++;
  return { items: results, counts, auditEventId: stored.auditEventId };
}

/** The tenant's level → priority overrides. */
async function overridesOf(ctx: RouteContext, tenantId: string) {
  return (await ctx.tenants.get(tenantId))?.settings.levelPriorities;
}

/** Where an ingest's answer goes besides the caller: the quota's `Retry-After`. */
type QuotaReply = Parameters<typeof enforceIngestQuota>[1];

/** Options of the ingest functions below. */
interface IngestOptions {
  readonly batchId: string;
  readonly now: Date;
  readonly reply: QuotaReply;
  /** The route's memo of mapped alerts (a replay of the archive maps every alert afresh). */
  readonly memo?: MappedAlertMemo | undefined;
}

/**
 * Ingests a `POST /api/v2/alerts` body (Prometheus's postable alerts) for
 * `who` (what the route and a replay of the archive run).
 */
export async function ingestPostableBody(
  ctx: RouteContext,
  who: TenantPrincipal,
  body: unknown,
  options: IngestOptions,
): Promise<IngestResult> {
  // Alertmanager ignores fields it does not know; an item naming another tenant is
  // refused all the same (403), as on every alertbase route, never filed as the caller's.
  const bind = (item: unknown): void => {
    bindTenant(item, who.tenantId);
  };
  const tokens = options.memo === undefined ? undefined : itemTokensOf(body);
  if (tokens === undefined && Array.isArray(body)) body.forEach(bind);
  const levelPriorities = await overridesOf(ctx, who.tenantId);
  const mapping = { now: options.now, levelPriorities };
  if (tokens !== undefined && options.memo !== undefined && Array.isArray(body)) {
    // Decoded item by item (json-item-memo.ts): the items met before are known by token.
    const { items, keys } = mapRememberedBody(
      body,
      tokens,
      options.memo,
      who.tenantId,
      mapping,
      bind,
    );
    await enforceIngestQuota(ctx, options.reply, who.tenantId, items.length);
    return ingestItems(ctx, who, items, options.batchId, options.now, keys);
  }
  // Prometheus resends each firing alert unchanged but for `endsAt`: keyed,
  // a resend is built from its first mapping and validation (resend-keys.ts).
  const memoKeys = Array.isArray(body) ? postableMemoKeys(body, levelPriorities) : undefined;
  const items =
    memoKeys === undefined || options.memo === undefined || !Array.isArray(body)
      ? postableToAlerts(body, mapping)
      : mapPostableBody(body, memoKeys, options.memo, who.tenantId, mapping);
  await enforceIngestQuota(ctx, options.reply, who.tenantId, items.length);
  return ingestItems(ctx, who, items, options.batchId, options.now, memoKeys);
}

/**
 * Ingests a `POST /v1/webhooks/alertmanager` body (payload version 4) for
 * `who` (what the route and a replay of the archive run).
 */
export async function ingestWebhookBody(
  ctx: RouteContext,
  who: TenantPrincipal,
  body: unknown,
  options: IngestOptions,
): Promise<IngestResult> {
  const { items } = webhookToAlerts(body, {
    now: options.now,
    levelPriorities: await overridesOf(ctx, who.tenantId),
  });
  await enforceIngestQuota(ctx, options.reply, who.tenantId, items.length);
  return ingestItems(ctx, who, items, options.batchId, options.now);
}

/** Registers `/api/v2/alerts` and `/v1/webhooks/alertmanager`. */
export function alertmanagerRoutes(api: FastifyInstance, ctx: RouteContext): void {
  const memo = new MappedAlertMemo(ctx.memoBudget);
  api.post(
    '/api/v2/alerts',
    {
      config: { requires: 'alerts:ingest', archive: 'alertmanager-v2', memoItems: true },
      schema: {
        tags: ['alertmanager'],
        summary:
          "Alertmanager API v2: Prometheus's postable alerts (point `alerting.alertmanagers` here)",
        body: PostableAlerts,
        response: { 200: IngestAnswer, ...ingestErrors },
      },
    },
    async (request, reply) => {
      const result = await ingestPostableBody(ctx, tenantOf(request), request.body, {
        batchId: request.id,
        now: ctx.now(),
        reply,
        memo,
      });
      archiveResult(request, result);
      return send(reply, 200, ingestResponse(result), ctx.serializer);
    },
  );

  api.post(
    '/v1/webhooks/alertmanager',
    {
      config: { requires: 'alerts:ingest', archive: 'alertmanager-webhook' },
      schema: {
        tags: ['alertmanager'],
        summary: 'Alertmanager webhook receiver (payload version 4)',
        body: modelBody(WebhookPayload),
        response: {
          200: IngestAnswer,
          422: problem('Not a webhook payload of version 4'),
          ...ingestErrors,
        },
      },
    },
    async (request, reply) => {
      const result = await ingestWebhookBody(ctx, tenantOf(request), request.body, {
        batchId: request.id,
        now: ctx.now(),
        reply,
      });
      archiveResult(request, result);
      return send(reply, 200, ingestResponse(result), ctx.serializer);
    },
  );
}
