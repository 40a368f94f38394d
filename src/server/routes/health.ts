import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  checkAutovacuum,
  checkDatabase,
  checkMemory,
  checkResponseTime,
  checkUptime,
  HEALTH_JSON,
  type HealthReport,
  healthReport,
  type ResponseTimeWindow,
} from '../../observability/index.js';
import type { RouteContext } from './context.js';
import { component } from './schemas.js';

const HealthStatus = z.enum(['pass', 'warn', 'fail']);

const HealthCheckAnswer = z.object({
  componentType: z.enum(['datastore', 'system', 'component']),
  observedValue: z.number(),
  observedUnit: z.string(),
  status: HealthStatus,
  time: z.iso.datetime({ offset: true }),
  output: z.string().optional(),
});

/** The IETF health-check draft's body (`observability/health.ts`). */
const HealthAnswer = component(
  z
    .object({
      status: HealthStatus,
      version: z.string().optional(),
      description: z.string().optional(),
      checks: z.record(z.string(), z.array(HealthCheckAnswer)),
    })
    .meta({ description: 'IETF health-check draft (application/health+json)' }),
  'HealthReport',
);

/** A health report as the routes answer it. */
const healthResponse = (description: string) => ({
  description,
  content: { [HEALTH_JSON]: { schema: HealthAnswer } },
});

/** Sends a report as `application/health+json`: 200 unless it failed (503). */
function sendHealth(reply: FastifyReply, report: HealthReport): FastifyReply {
  return reply
    .code(report.status === 'fail' ? 503 : 200)
    .type(HEALTH_JSON)
    .header('cache-control', 'no-store')
    .send(JSON.stringify(report));
}

/**
 * `GET /health/live` (the process answers: uptime) and `GET /health/ready`
 * (database round trip, memory against `MAX_MEMORY_USAGE_MB`, the last
 * minute's p95 response time against `RESPONSE_TIME_THRESHOLD_MS`), both in
 * the IETF health-check draft format. Ready is `fail` (503) only when the
 * database does not answer; memory or response time make it `warn` (200),
 * and so does a PostgreSQL server's autovacuum when `autovacuum` (read at
 * start; undefined on PGlite) is false, and the time-series store
 * (`timeseries:responseTime`: InfluxDB, or the database's `alert_series`)
 * when it does not answer or its writes fail, and MongoDB when `MONGODB_URL`
 * keeps the payload archive (`archive:responseTime`, warn likewise). Neither
 * needs a key.
 */
export function healthRoutes(
  api: FastifyInstance,
  ctx: RouteContext,
  window: ResponseTimeWindow,
  autovacuum?: boolean,
): void {
  const now = (): Date => new Date();
  api.get(
    '/health/live',
    {
      config: { requires: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: healthResponse('The process answers') },
      },
    },
    async (_request, reply) =>
      sendHealth(reply, healthReport([checkUptime(now)], { description: 'alertbase' })),
  );
  api.get(
    '/health/ready',
    {
      config: { requires: 'public' },
      schema: {
        tags: ['health'],
        summary:
          "Readiness: the database answers (fail); memory, response time, a server's autovacuum, the time-series store and MongoDB when configured (warn)",
        response: {
          200: healthResponse('Ready (pass or warn)'),
          503: healthResponse('Not ready: the database does not answer (fail)'),
        },
      },
    },
    async (request, reply) => {
      const checks = [
        await checkDatabase(ctx.db, now),
        checkMemory(ctx.config.performance.maxMemoryUsageMb, now),
        checkResponseTime(window, ctx.config.observability.responseTimeThresholdMs, now),
        ...(autovacuum === undefined ? [] : [checkAutovacuum(autovacuum, now)]),
        await ctx.series.check(now),
        ...[await ctx.archive.check(now)].filter((c) => c !== undefined),
      ];
      const report = healthReport(checks, { description: 'alertbase' });
      if (report.status !== 'pass')
        request.log.warn({ health: report.checks }, `ready: ${report.status}`);
      return sendHealth(reply, report);
    },
  );
}
