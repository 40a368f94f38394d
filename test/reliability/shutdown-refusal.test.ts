import { connect } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AlertbaseError } from '../../src/base/exceptions/index.js';
import { markRetryable, useShutdownRefusal } from '../../src/server/availability.js';

describe('requests that arrive while the app closes', () => {
  it('the one in flight finishes (200) and its answer closes the kept-alive connection', async () => {
    const app = Fastify();
    useShutdownRefusal(app);
    app.setErrorHandler((err, _request, reply) => {
      const status = err instanceof AlertbaseError ? err.status : 500;
      markRetryable(reply, status);
      return reply
        .code(status)
        .type('application/problem+json')
        .send({ code: err instanceof AlertbaseError ? err.code : 'other' });
    });
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get('/slow', async () => {
      entered();
      await gate;
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Two requests pipelined on one kept-alive connection.
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await inFlight;
    const closed = app.close();
    // preClose hooks run a few ticks after close() is called.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const releasedAt = performance.now();
    release();
    // Closed at once, not after the keep-alive timeout (72 s).
    await closed;
    await ended;
    expect(performance.now() - releasedAt).toBeLessThan(5_000);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/connection: close/i);
    expect(received).toContain('{"done":true}');
  });

  it('adds Retry-After to 503 answers only', () => {
    const headers: Record<string, string> = {};
    const reply = {
      header(name: string, value: string) {
        headers[name] = value;
        return reply;
      },
    };
    markRetryable(reply as never, 500);
    expect(headers).toEqual({});
    markRetryable(reply as never, 503);
    expect(headers).toEqual({ 'retry-after': '5' });
  });
});
