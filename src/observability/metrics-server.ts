import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMetrics } from './exposition.js';
import type { AlertbaseMetrics } from './metrics.js';
import { metricsKeyCheck } from './metrics-key.js';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  readonly metrics: AlertbaseMetrics;
  /** `METRICS_PORT`; 0 picks a free port. */
  readonly port: number;
  /** The interface to listen on (the service's `HOST`). */
  readonly host: string;
  /** Scrapes must send `Authorization: Bearer <key>`. */
  readonly key?: string | undefined;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` alone on its own port (`METRICS_PORT`), so the
 * metrics can be kept off the service's public port; anything else is 404.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer({ metrics, port: 9464, host: '127.0.0.1' });
 * await server.close();
 * ```
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const allowed = metricsKeyCheck(options.key);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (!allowed(request.headers.authorization)) {
      response
        .writeHead(401, {
          'content-type': 'text/plain; charset=utf-8',
          'www-authenticate': 'Bearer realm="alertbase-metrics"',
        })
        .end('the metrics key is required\n');
      return;
    }
    renderMetrics(options.metrics.registry, request.headers.accept).then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}/metrics`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
