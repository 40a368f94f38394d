import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxSeriesStore } from './influx-series-store.js';
import type { SeriesPoint } from './types.js';

const point = (time: number): SeriesPoint => ({
  kind: 'created',
  tenantId: 'acme',
  time,
  rule: null,
  alertname: 'A',
  severity: null,
  status: 'firing',
  count: 1,
  durationMs: null,
});

/** An InfluxDB stand-in: queries succeed; writes answer the statuses of `failWrites` first, then 204. */
describe('InfluxDB series store, against a stand-in server', () => {
  let server: Server;
  let url: string;
  const bodies: string[] = [];
  const failWrites: number[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url?.startsWith('/write') === true) {
          bodies.push(Buffer.concat(chunks).toString('utf8'));
          const status = failWrites.shift() ?? 204;
          res.writeHead(status).end(status === 204 ? undefined : '{"error":"overloaded"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[{}]}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/db`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('writes a batch again with the same timestamps after a failed write, new points with new ones', async () => {
    const store = createInfluxSeriesStore({ url });
    const batch = [point(1_000), point(1_000), point(2_000)];
    failWrites.push(500);
    await expect(store.write(batch)).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_SERIES_UNAVAILABLE',
    });
    await store.write(batch);
    await store.write([point(1_000)]);
    const [failed, retried, later] = bodies.slice(-3);
    expect(retried).toBe(failed);
    const stamps = (body: string | undefined) =>
      (body ?? '').split('\n').map((l) => l.split(' ')[2]);
    expect(stamps(failed)).toEqual(['1000000000', '1000000001', '2000000002']);
    expect(stamps(later)).toEqual(['1000000003']);
  });
});
