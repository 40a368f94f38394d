import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AlertbaseError } from '../base/exceptions/index.js';
import { OPENMETRICS_TEXT, PROMETHEUS_TEXT, renderMetrics } from './exposition.js';
import type { AlertbaseMetrics } from './metrics.js';
import { metricsKeyCheck } from './metrics-key.js';

/** Options of {@link metricsRoute}. */
export interface MetricsRouteOptions {
  readonly metrics: AlertbaseMetrics;
  /** Scrapes must send `Authorization: Bearer <key>`; none: open. */
  readonly key?: string | undefined;
}

/** A `Content-Type` without its parameters. */
const mediaType = (contentType: string): string => contentType.split(';', 1)[0]?.trim() ?? '';

/**
 * `GET /metrics` on `app`: Prometheus's text format, OpenMetrics when
 * `Accept` asks for it; a missing or wrong key is a 401
 * (`ALERTBASE_AUTH_UNAUTHENTICATED`).
 *
 * @example
 * ```ts
 * metricsRoute(app, { metrics, key: process.env.METRICS_KEY });
 * ```
 */
export function metricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  const allowed = metricsKeyCheck(options.key);
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['observability'],
        summary: "Metrics in Prometheus's text format (OpenMetrics when Accept asks)",
        // The key is a bearer token, as the service's (`apiKey`, an HTTP bearer scheme) are.
        security: options.key === undefined ? [] : [{ apiKey: [] }],
        response: {
          200: {
            description: 'The metrics',
            content: {
              [mediaType(PROMETHEUS_TEXT)]: { schema: z.string() },
              [mediaType(OPENMETRICS_TEXT)]: { schema: z.string() },
            },
          },
        },
      },
    },
    async (request, reply) => {
      if (!allowed(request.headers.authorization)) {
        throw new AlertbaseError('ALERTBASE_AUTH_UNAUTHENTICATED', {
          reason: 'GET /metrics needs the metrics key (METRICS_KEY) as a bearer token',
        });
      }
      const { contentType, body } = await renderMetrics(
        options.metrics.registry,
        request.headers.accept,
      );
      return reply.type(contentType).send(body);
    },
  );
}
