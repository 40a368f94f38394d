import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Resolver, resolveDestination } from './destination.js';
import { DeliveryError } from './errors.js';
import {
  checkAnswer,
  guardedRequest,
  MAX_ANSWER_BYTES,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
} from './http.js';

const signal = new AbortController().signal;
const fixed =
  (table: Record<string, string[]>): Resolver =>
  async (name) => {
    const addresses = table[name];
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function codeOf(promise: Promise<unknown>): Promise<[string, boolean] | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    if (err instanceof DeliveryError) return [err.deliveryCode, err.retryable];
    throw err;
  }
}

describe('resolveDestination: judged after DNS resolution', () => {
  const resolver = fixed({
    'hooks.example.test': ['127.0.0.1'],
    'public.example.test': ['93.184.215.14'],
    'mixed.example.test': ['93.184.215.14', '10.1.2.3'],
    'metadata.example.test': ['169.254.169.254'],
    'v6.example.test': ['::1'],
    'empty.example.test': [],
  });
  const resolve = (host: string, allowPrivateNetworks = false) =>
    resolveDestination(host, { allowPrivateNetworks, signal, resolver });

  it('refuses a name that resolves to loopback, unless private networks are allowed', async () => {
    await expect(resolve('hooks.example.test')).rejects.toThrow(
      /hooks\.example\.test resolves to 127\.0\.0\.1/,
    );
    expect(await codeOf(resolve('hooks.example.test'))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await resolve('hooks.example.test', true)).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('refuses a name with any forbidden address, and cloud metadata always', async () => {
    expect(await codeOf(resolve('mixed.example.test'))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await codeOf(resolve('metadata.example.test', true))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await codeOf(resolve('v6.example.test'))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await codeOf(resolve('[::1]'))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await codeOf(resolve('169.254.169.254', true))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await resolve('public.example.test')).toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('a name that does not resolve is a retryable network failure', async () => {
    expect(await codeOf(resolve('nowhere.example.test'))).toEqual([
      'ALERTBASE_DELIVERY_NETWORK',
      true,
    ]);
    expect(await codeOf(resolve('empty.example.test'))).toEqual([
      'ALERTBASE_DELIVERY_NETWORK',
      true,
    ]);
  });

  it('the system resolver is used by default: this machine’s own name is refused when it is loopback', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    const loopback = addresses.length > 0 && addresses.every((a) => /^127\.|^::1$/.test(a.address));
    const outcome = await codeOf(resolveDestination(name, { allowPrivateNetworks: false, signal }));
    if (loopback) expect(outcome).toEqual(['ALERTBASE_DELIVERY_DESTINATION_REFUSED', false]);
    else expect(outcome).not.toEqual(['ALERTBASE_DELIVERY_DESTINATION_REFUSED', false]);
  });
});

describe('guardedRequest', () => {
  const seen: IncomingHttpHeaders[] = [];
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok');
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    answer(res);
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    port = typeof a === 'object' && a !== null ? a.port : 0;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const resolver = fixed({ 'receiver.example.test': ['127.0.0.1'] });
  const send = (url: string, allowPrivateNetworks = true) =>
    guardedRequest(
      { url, headers: {}, body: '{}' },
      { allowPrivateNetworks, signal, timeoutMs: 2_000, resolver },
    );

  it('connects to the address judged, keeping the name for Host', async () => {
    seen.splice(0);
    answer = (res) => res.end('ok');
    const got = await send(`http://receiver.example.test:${port}/x`);
    expect(got.status).toBe(200);
    expect(got.body).toBe('ok');
    expect(seen[0]?.host).toBe(`receiver.example.test:${port}`);
    expect(seen[0]?.['user-agent']).toBe('alertbase');
    seen.splice(0);
    expect(await codeOf(send(`http://receiver.example.test:${port}/x`, false))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(seen).toEqual([]);
  });

  it('refuses other schemes and bad URLs', async () => {
    expect(await codeOf(send('ftp://receiver.example.test/x'))).toEqual([
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      false,
    ]);
    expect(await codeOf(send('not a url'))).toEqual(['ALERTBASE_DELIVERY_CONFIG', false]);
  });

  it('follows no redirect: a 3xx is a failure that is not retried', async () => {
    answer = (res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    };
    const got = await send(`http://127.0.0.1:${port}/x`);
    expect(got.status).toBe(302);
    expect(() => checkAnswer(got, new Date())).toThrow(DeliveryError);
    try {
      checkAnswer(got, new Date());
    } catch (err) {
      expect(err).toMatchObject({
        deliveryCode: 'ALERTBASE_DELIVERY_HTTP_STATUS',
        retryable: false,
        statusCode: 302,
      });
    }
  });

  it('reads at most MAX_ANSWER_BYTES of an answer', async () => {
    answer = (res) => {
      res.writeHead(500);
      res.end('x'.repeat(MAX_ANSWER_BYTES * 3));
    };
    const got = await send(`http://127.0.0.1:${port}/x`);
    expect(got.status).toBe(500);
    expect(got.body.length).toBe(MAX_ANSWER_BYTES);
  });

  it('a refused connection is a retryable network failure', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const a = closed.address();
    const dead = typeof a === 'object' && a !== null ? a.port : 0;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await codeOf(send(`http://127.0.0.1:${dead}/x`))).toEqual([
      'ALERTBASE_DELIVERY_NETWORK',
      true,
    ]);
  });
});

describe('parseRetryAfter and checkAnswer', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('reads seconds and HTTP dates, bounded', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(' ', now)).toBeUndefined();
  });

  it.each([
    [200, undefined],
    [204, undefined],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [404, false],
  ])('HTTP %i → retryable %s', (status, retryable) => {
    const answer = { status, headers: { 'retry-after': '5' }, body: '' };
    if (retryable === undefined) {
      expect(() => checkAnswer(answer, now)).not.toThrow();
      return;
    }
    try {
      checkAnswer(answer, now);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ retryable, retryAfterMs: retryable ? 5_000 : undefined });
    }
  });
});

describe('guardedRequest over TLS', () => {
  it('connects to the judged address with the name for SNI, and verifies the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertbase-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=receiver.example.test',
          '-addext',
          'subjectAltName=DNS:receiver.example.test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const key = readFileSync(join(dir, 'key.pem'));
      const cert = readFileSync(join(dir, 'cert.pem'));
      const names: string[] = [];
      const server = createHttpsServer(
        {
          key,
          cert,
          SNICallback: (name, cb) => {
            names.push(name);
            cb(null, createSecureContext({ key, cert }));
          },
        },
        (_req, res) => res.end('ok'),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      const outcome = await codeOf(
        guardedRequest(
          { url: `https://receiver.example.test:${port}/x`, headers: {}, body: '{}' },
          {
            allowPrivateNetworks: true,
            signal,
            timeoutMs: 5_000,
            resolver: fixed({ 'receiver.example.test': ['127.0.0.1'] }),
          },
        ),
      );
      await new Promise<void>((r) => server.close(() => r()));
      // A self-signed certificate is not trusted: the request fails before anything is sent, for good.
      expect(outcome).toEqual(['ALERTBASE_DELIVERY_NETWORK', false]);
      expect(names).toEqual(['receiver.example.test']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
