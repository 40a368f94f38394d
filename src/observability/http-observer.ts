import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertbaseMetrics } from './metrics.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import type { ResponseTimeWindow } from './response-times.js';

/** Who made a request, for the request log: never the key itself. */
export interface RequestIdentity {
  readonly tenant?: string | undefined;
  readonly keyId?: string | undefined;
}

/** Options of {@link observeHttp}. */
export interface ObserveHttpOptions {
  /** Where request counts and durations go; absent when metrics are off. */
  readonly metrics?: AlertbaseMetrics | undefined;
  /** The last minute of response times (health's p95). */
  readonly window: ResponseTimeWindow;
  /** Known secrets (admin keys, the metrics key) masked if a path ever holds one. */
  readonly secrets?: readonly string[] | undefined;
  /** The caller of a request, once authenticated. */
  readonly identify?: ((request: FastifyRequest) => RequestIdentity | undefined) | undefined;
}

/** A run of 32 or more hex digits: the secret half of an API key, never an id alertbase hands out. */
const LONG_HEX = /[0-9a-f]{32,}/gi;

/**
 * The path of a request as logged: no query string, and any key pasted into
 * it (an API key's hex secret, or one of `secrets`) masked as `[redacted]`.
 */
export function loggedPath(url: string, secrets: readonly string[] = []): string {
  let path = (url.split('?', 1)[0] ?? '').replace(LONG_HEX, '[redacted]');
  for (const secret of secrets) {
    if (secret !== '' && path.includes(secret)) path = path.replaceAll(secret, '[redacted]');
  }
  return path;
}

/**
 * Hooks on `app` (call it before registering routes): each answer carries
 * `X-Request-Id`; each finished request is counted and timed by route
 * template, method and status class, recorded in the response-time window,
 * and logged once at `info` with its id, route, path (no query string),
 * status, duration, tenant and key id
 * (see {@link loggedPath}).
 *
 * @example
 * ```ts
 * observeHttp(app, { metrics, window: createResponseTimeWindow() });
 * ```
 */
export function observeHttp(app: FastifyInstance, options: ObserveHttpOptions): void {
  const { metrics, window, identify, secrets } = options;
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    window.record(ms);
    metrics?.httpRequest(route, request.method, status, ms / 1000);
    const who = identify?.(request);
    request.log.info(
      {
        method: request.method,
        route,
        path: loggedPath(request.url, secrets),
        status,
        durationMs: Math.round(ms * 1000) / 1000,
        ...(who?.tenant === undefined ? {} : { tenant: who.tenant }),
        ...(who?.keyId === undefined ? {} : { keyId: who.keyId }),
      },
      'request completed',
    );
  });
}
