/**
 * A webhook receiver on loopback for end-to-end tests: records every
 * request (path, headers, JSON body, time of arrival), answers 200 (or the
 * status given) after an optional delay.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received request. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** `Date.now()` when the body was complete. */
  readonly at: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a receiver; `delayMs` (per request) holds each answer back, `status` is its status. */
export async function startWebhookReceiver(
  delayMs: () => number = () => 0,
  status: () => number = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: kept as text.
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      setTimeout(
        () => res.writeHead(status(), { 'content-type': 'text/plain' }).end('ok'),
        delayMs(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
