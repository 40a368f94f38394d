/** The CRUD resources: alert rules, notification channels, silences. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertLevel } from '../../base/enums/index.js';
import { AlertRule, InhibitRule, NotificationChannel, Silence } from '../../domain/index.js';
import type { AlertRuleFilter, ListOptions } from '../../storage/repositories/index.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import { checkChannelTargets } from './channel-targets.js';
import type { RouteContext } from './context.js';
import { crudRoutes } from './crud.js';
import { boolParam, etag, IdParams, labelsParam, listParam, pageParams, wire } from './helpers.js';
import { modelResponse, Problem } from './schemas.js';

/** `status=a,b` (or repeated) of the given values. */
const statusParam = (values: readonly [string, ...string[]]) =>
  listParam
    .pipe(z.array(z.enum(values)))
    .optional()
    .describe(`Comma-separated or repeated: ${values.join(', ')}`);

const includeDeleted = boolParam.optional().describe('Include soft-deleted records');

const statusQuery = (values: readonly [string, ...string[]]) =>
  z.object({ ...pageParams, status: statusParam(values), include_deleted: includeDeleted });

const RuleQuery = z.object({
  ...pageParams,
  status: statusParam(['enabled', 'disabled']),
  level: AlertLevel.schema.optional().describe('This level or more severe'),
  label: labelsParam.optional().describe('name=value; repeat for several'),
  include_deleted: includeDeleted,
});

/** @internal The list options every resource shares. */
export function baseListOptions(query: {
  limit?: number | undefined;
  cursor?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
  include_deleted?: boolean | undefined;
}): ListOptions<never> {
  return {
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    ...(query.order === undefined ? {} : { order: query.order }),
    ...(query.include_deleted === undefined ? {} : { includeDeleted: query.include_deleted }),
  };
}

/** Registers `/v1/rules`, `/v1/channels` and `/v1/silences`. */
export function resourceRoutes(api: FastifyInstance, ctx: RouteContext): void {
  crudRoutes(api, ctx, {
    path: '/v1/rules',
    quota: 'rules',
    tag: 'rules',
    model: AlertRule,
    repo: ctx.repos.alertRules,
    write: 'rules:write',
    query: RuleQuery,
    listOptions: (q) => {
      const filter: AlertRuleFilter = {
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.level === undefined ? {} : { levelAtLeast: q.level }),
        ...(q.label === undefined ? {} : { labels: q.label }),
      };
      return { ...baseListOptions(q), filter };
    },
  });

  const channelStatuses = ['enabled', 'disabled'] as const;
  const ChannelQuery = statusQuery(channelStatuses);
  crudRoutes(api, ctx, {
    path: '/v1/channels',
    quota: 'channels',
    tag: 'channels',
    model: NotificationChannel,
    repo: ctx.repos.notificationChannels,
    write: 'channels:write',
    query: ChannelQuery,
    listOptions: (q) => ({
      ...baseListOptions(q),
      ...(q.status === undefined ? {} : { filter: { status: q.status } }),
    }),
    beforeWrite: (tenantId, body) => checkChannelTargets(ctx, tenantId, body),
  });

  const silenceStatuses = ['active', 'pending', 'expired'] as const;
  const SilenceQuery = statusQuery(silenceStatuses);
  crudRoutes(api, ctx, {
    path: '/v1/silences',
    quota: 'silences',
    tag: 'silences',
    model: Silence,
    repo: ctx.repos.silences,
    // Its status filter (active, pending, expired) is computed from the clock.
    queryCache: false,
    write: 'silences:write',
    query: SilenceQuery,
    listOptions: (q) => ({
      ...baseListOptions(q),
      ...(q.status === undefined ? {} : { filter: { status: q.status } }),
    }),
  });

  api.withTypeProvider<ZodTypeProvider>().post(
    '/v1/silences/:id/expire',
    {
      config: { requires: 'silences:write' },
      schema: {
        tags: ['silences'],
        summary: 'End a silence now (a pending one starts and ends now); its alerts are released',
        params: IdParams,
        response: { 200: modelResponse(Silence), 409: Problem },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const expired = await ctx.repos.silences.expire(who.tenantId, request.params.id, who.actor);
      return send(etag(reply, expired), 200, wire(Silence, expired), ctx.serializer);
    },
  );

  crudRoutes(api, ctx, {
    path: '/v1/inhibit-rules',
    tag: 'inhibit-rules',
    model: InhibitRule,
    repo: ctx.repos.inhibitRules,
    write: 'silences:write',
    query: z.object({ ...pageParams, include_deleted: includeDeleted }),
    listOptions: (q) => baseListOptions(q),
  });
}
