/** The CRUD resources: alert rules, notification channels, silences. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AlertLevel } from '../../base/enums/index.js';
import { AlertRule, NotificationChannel, Silence } from '../../domain/index.js';
import type { AlertRuleFilter, ListOptions } from '../../storage/repositories/index.js';
import { checkChannelTargets } from './channel-targets.js';
import type { RouteContext } from './context.js';
import { crudRoutes } from './crud.js';
import { boolParam, labelsParam, listParam, pageParams } from './helpers.js';

const statusQuery = (values: readonly [string, ...string[]]) =>
  z.object({
    ...pageParams,
    status: listParam.pipe(z.array(z.enum(values))).optional(),
    include_deleted: boolParam.optional(),
  });

const RuleQuery = z.object({
  ...pageParams,
  status: listParam.pipe(z.array(z.enum(['enabled', 'disabled']))).optional(),
  level: AlertLevel.schema.optional(),
  label: labelsParam.optional(),
  include_deleted: boolParam.optional(),
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

const STATUS_DOC = (values: readonly string[]) => ({
  status: { type: 'string', description: `Comma-separated: ${values.join(', ')}` },
  include_deleted: { type: 'boolean' },
});

/** Registers `/v1/rules`, `/v1/channels` and `/v1/silences`. */
export function resourceRoutes(api: FastifyInstance, ctx: RouteContext): void {
  crudRoutes(api, ctx, {
    path: '/v1/rules',
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
    queryDoc: {
      ...STATUS_DOC(['enabled', 'disabled']),
      level: {
        type: 'string',
        enum: [...AlertLevel.values],
        description: 'This level or more severe',
      },
      label: { type: 'string', description: 'name=value; repeat for several' },
    },
  });

  const channelStatuses = ['enabled', 'disabled'] as const;
  const ChannelQuery = statusQuery(channelStatuses);
  crudRoutes(api, ctx, {
    path: '/v1/channels',
    tag: 'channels',
    model: NotificationChannel,
    repo: ctx.repos.notificationChannels,
    write: 'channels:write',
    query: ChannelQuery,
    listOptions: (q) => ({
      ...baseListOptions(q),
      ...(q.status === undefined ? {} : { filter: { status: q.status } }),
    }),
    queryDoc: STATUS_DOC(channelStatuses),
    beforeWrite: (tenantId, body) => checkChannelTargets(ctx, tenantId, body),
  });

  const silenceStatuses = ['active', 'pending', 'expired'] as const;
  const SilenceQuery = statusQuery(silenceStatuses);
  crudRoutes(api, ctx, {
    path: '/v1/silences',
    tag: 'silences',
    model: Silence,
    repo: ctx.repos.silences,
    write: 'silences:write',
    query: SilenceQuery,
    listOptions: (q) => ({
      ...baseListOptions(q),
      ...(q.status === undefined ? {} : { filter: { status: q.status } }),
    }),
    queryDoc: STATUS_DOC(silenceStatuses),
  });
}
