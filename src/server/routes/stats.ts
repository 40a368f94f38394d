/**
 * `GET /v1/stats/alerts`: the caller's alert history over time, grouped by
 * severity, rule or status, per minute, hour or day: alerts created, and the
 * mean, p50 and p90 of time to acknowledge and time to resolve. Answered by
 * the time-series store (InfluxDB when `INFLUXDB_URL` is set, else the
 * database's `alert_series`); both answer alike (one contract suite).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DurationStats, StatsRow } from '../../storage/series/index.js';
import { STEP_MS } from '../../storage/series/index.js';
import { tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { timeParam } from './helpers.js';
import { component } from './schemas.js';

/** Buckets one answer may hold per group (a budget: a year per minute is refused, not computed). */
export const MAX_STATS_BUCKETS = 10_000;

const DAY_MS = 86_400_000;

const StatsQueryParams = z
  .object({
    by: z
      .enum(['severity', 'rule', 'status'])
      .default('severity')
      .describe('What the series are grouped by'),
    step: z.enum(['1m', '1h', '1d']).default('1h').describe('Bucket width, aligned on UTC'),
    from: timeParam.optional().describe('Start, included (default: 24 hours before `to`)'),
    to: timeParam.optional().describe('End, excluded (default: now)'),
  })
  .strict();

const Durations = z
  .object({
    count: z.number().int().min(0),
    mean: z.number(),
    p50: z.number(),
    p90: z.number(),
  })
  .nullable();

const AlertStats = component(
  z.object({
    tenant_id: z.string(),
    by: z.enum(['severity', 'rule', 'status']),
    step: z.enum(['1m', '1h', '1d']),
    from: z.string(),
    to: z.string(),
    source: z.enum(['postgresql', 'influxdb']),
    series: z.array(
      z.object({
        time: z.string(),
        key: z.string().nullable(),
        created: z.number().int().min(0),
        time_to_acknowledge_ms: Durations,
        time_to_resolve_ms: Durations,
      }),
    ),
  }),
  'AlertStats',
);

function wireDurations(d: DurationStats | null): Record<string, number> | null {
  return d === null ? null : { count: d.count, mean: d.mean, p50: d.p50, p90: d.p90 };
}

function wireRow(row: StatsRow): Record<string, unknown> {
  return {
    time: new Date(row.time).toISOString(),
    key: row.key,
    created: row.created,
    time_to_acknowledge_ms: wireDurations(row.timeToAcknowledge),
    time_to_resolve_ms: wireDurations(row.timeToResolve),
  };
}

/** Registers the statistics route. */
export function statsRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const Query = StatsQueryParams.superRefine((q, zctx) => {
    const to = q.to?.getTime() ?? ctx.now().getTime();
    const from = q.from?.getTime() ?? to - DAY_MS;
    if (from >= to) {
      zctx.addIssue({ code: 'custom', path: ['to'], message: 'expected to after from' });
    } else if ((to - from) / STEP_MS[q.step] > MAX_STATS_BUCKETS) {
      zctx.addIssue({
        code: 'custom',
        path: ['step'],
        message: `expected at most ${MAX_STATS_BUCKETS} buckets: use a longer step or a shorter range`,
      });
    }
  });
  api.get(
    '/v1/stats/alerts',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alert statistics over time: counts, time to acknowledge and to resolve',
        description:
          '`by` severity (default), rule or status; `step` 1m, 1h (default) or 1d, buckets aligned on UTC; `from` (default: 24 hours before `to`) included, `to` (default: now) excluded, RFC 3339. At most 10,000 buckets. Means in milliseconds to the microsecond; p50 and p90 are the values at rank floor(n × p + 0.5). One entry per bucket and group, sorted by time, then key; `source` names the store that answered.',
        querystring: Query,
        response: { 200: AlertStats },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const query = request.query;
      const to = query.to?.getTime() ?? ctx.now().getTime();
      const from = query.from?.getTime() ?? to - DAY_MS;
      const rows = await ctx.series.store.stats({
        tenantId: who.tenantId,
        by: query.by,
        step: query.step,
        from,
        to,
      });
      return send(
        reply,
        200,
        {
          tenant_id: who.tenantId,
          by: query.by,
          step: query.step,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          source: ctx.series.store.engine,
          series: rows.map(wireRow),
        },
        ctx.serializer,
      );
    },
  );
}
