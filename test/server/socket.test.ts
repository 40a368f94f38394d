/**
 * The server over a real socket: `startServer` on port 0, first start on an
 * empty data directory (from the template) and restart, graceful shutdown,
 * compressed answers, and the `serve` / `admin create-key` commands (host
 * and admin keys from the configuration).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { runServe } from '../../src/server/serve-command.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { PgliteDatabase } from '../../src/storage/drivers/pglite.js';
import { PgliteWorkerDatabase } from '../../src/storage/drivers/pglite-worker.js';
import { createRepositories, createTestDatabase } from '../../src/storage/index.js';

/** A GET over a socket with the raw body as sent (Node's fetch would decompress it). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-serve-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startServer over a socket', () => {
  let server: RunningServer;
  const printed: string[] = [];
  let exited: number | undefined;

  beforeAll(async () => {
    const { config } = await loadConfig({
      env: { ALERTBASE_ADMIN_KEY: 'socket-admin-Zq7Xv2Lm9Pw4, other-admin-Zq7Xv2Lm9Pw4' },
      cwd: dir,
    });
    server = await startServer({
      config,
      port: 0,
      database: await createTestDatabase(),
      logger: false,
      print: (line) => printed.push(line),
      exit: (code) => {
        exited = code;
      },
    });
  });

  it('prints the URL, the docs URL and the demo key once', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed[0]).toContain(server.url);
    expect(printed[1]).toContain(`${server.url}/docs`);
    expect(server.demoKey).toMatch(/^ab_demo_[0-9a-f]{48}$/);
    expect(printed.join('\n')).toContain(String(server.demoKey));
    // A database handed in by the caller is the caller's to describe.
    expect(printed.filter((line) => line.startsWith('Storage:'))).toEqual([]);
  });

  it('serves Prometheus-style requests over HTTP', async () => {
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    const post = await fetch(`${server.url}/api/v2/alerts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(server.demoKey)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify([
        { labels: { alertname: 'Socket', severity: 'info' }, generatorURL: '' },
      ]),
    });
    expect(post.status).toBe(200);
    const list = await fetch(`${server.url}/v1/alerts`, {
      headers: { authorization: `Bearer ${String(server.demoKey)}`, accept: 'application/json' },
    });
    const body = (await list.json()) as { items: { labels: Record<string, string> }[] };
    expect(body.items.map((a) => a.labels.alertname)).toEqual(['Socket']);
    for (const adminKey of ['socket-admin-Zq7Xv2Lm9Pw4', 'other-admin-Zq7Xv2Lm9Pw4']) {
      const tenant = await fetch(`${server.url}/v1/tenants/demo`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(tenant.status).toBe(200);
    }
    // The demo key's use is recorded after its responses.
    const repos = createRepositories(server.db);
    await vi.waitFor(async () => {
      const [demoKey] = (await repos.apiKeys.list('demo')).items;
      expect(demoKey?.lastUsedAt).toBeInstanceOf(Date);
    });
  });

  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ] as const)('compresses large answers with %s, streamed', async (encoding, inflate) => {
    const plain = await rawGet(`${server.url}/docs/json`, {});
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const packed = await rawGet(`${server.url}/docs/json`, { 'accept-encoding': encoding });
    expect(packed.status).toBe(200);
    expect(packed.headers['content-encoding']).toBe(encoding);
    expect(packed.headers.vary).toBe('accept-encoding');
    // 500 KB: streamed through zlib, so chunked rather than with a length.
    expect(packed.headers['transfer-encoding']).toBe('chunked');
    expect(packed.headers['content-length']).toBeUndefined();
    expect(packed.body.byteLength).toBeLessThan(plain.body.byteLength / 4);
    expect(inflate(packed.body).equals(plain.body)).toBe(true);
    const small = await rawGet(`${server.url}/health/live`, { 'accept-encoding': encoding });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toMatchObject({ status: 'pass' });
  });

  it('closes gracefully on SIGTERM: the port is released, the database closed', async () => {
    process.emit('SIGTERM', 'SIGTERM');
    await server.close();
    expect(exited).toBe(0);
    expect(server.db.closed).toBe(true);
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    await server.close();
  });
});

describe('first start on an empty data directory, then a restart', () => {
  it('creates the directory from the template, then reopens it', async () => {
    const dataDir = join(dir, 'data');
    const { config } = await loadConfig({ env: {}, cwd: dir, overrides: { storage: { dataDir } } });
    const printed: string[] = [];
    const first = await startServer({
      config,
      port: 0,
      logger: false,
      print: (line) => printed.push(line),
      handleSignals: false,
    });
    expect(first.createdDataDir).toBe(true);
    // PGLITE_THREAD: a worker thread by default, the event loop's own when asked.
    expect(first.db).toBeInstanceOf(PgliteWorkerDatabase);
    expect(printed[2]).toBe(
      `Storage: PGlite in ${resolve(dataDir)}. Its commits survive a crash of this process, not a power loss (PGlite does not fsync): set DATABASE_URL to use a PostgreSQL server.`,
    );
    expect(first.demoKey).toEqual(expect.any(String));
    await first.close();
    const { config: onMain } = await loadConfig({
      env: { PGLITE_THREAD: 'main' },
      cwd: dir,
      overrides: { storage: { dataDir } },
    });
    const second = await startServer({
      config: onMain,
      port: 0,
      logger: false,
      print: () => {},
      handleSignals: false,
    });
    try {
      expect(second.db).toBeInstanceOf(PgliteDatabase);
      expect(second.createdDataDir).toBe(false);
      expect(second.demoKey).toBeUndefined();
      const res = await fetch(`${second.url}/v1/alerts`, {
        headers: { authorization: `Bearer ${String(first.demoKey)}` },
      });
      expect(res.status).toBe(200);
      // Timing is reported, never asserted (machine load varies).
      expect(first.timings.readyMs).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });

  it('alertbase admin create-key makes a platform key that manages tenants', async () => {
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
      cwd: dir,
      // --host (below) wins over HOST.
      env: { ALERTBASE_DATA_DIR: join(dir, 'data'), HOST: '0.0.0.0' },
    };
    const code = await runCli(['admin', 'create-key', '--name', 'ops'], io);
    expect(out.join('')).not.toContain('alertbase:');
    expect(code).toBe(0);
    const key = /ab_platform_[0-9a-f]{48}/.exec(out.join(''))?.[0];
    expect(key).toEqual(expect.any(String));
    const server = await runServe(
      { port: 0, host: '127.0.0.1', logger: false, handleSignals: false },
      io,
    );
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out.join(''))?.[0];
    expect(url).toBe(server.url);
    expect(server.host).toBe('127.0.0.1');
    try {
      const res = await fetch(`${String(url)}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${String(key)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'hooli', name: 'Hooli' }),
      });
      expect(res.status).toBe(201);
      const asTenant = await fetch(`${String(url)}/v1/alerts`, {
        headers: { authorization: `Bearer ${String(key)}` },
      });
      expect(asTenant.status).toBe(403);
    } finally {
      await server.close();
    }
    expect(await runCli(['serve', '--port', 'x'], io)).toBe(2);
  });

  it('alertbase serve listens on HOST and takes the admin keys from ALERTBASE_ADMIN_KEY_FILE', async () => {
    const secret = join(dir, 'admin-key');
    await writeFile(secret, 'file-admin-key-Zq7Xv2Lm9Pw4\n');
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      cwd: dir,
      env: {
        ALERTBASE_DATA_DIR: join(dir, 'data'),
        HOST: '0.0.0.0',
        ALERTBASE_ADMIN_KEY_FILE: secret,
      },
    };
    const server = await runServe({ port: 0, logger: false, handleSignals: false }, io);
    try {
      expect(server.host).toBe('0.0.0.0');
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const res = await fetch(`${server.url}/v1/tenants/demo`, {
        headers: { authorization: 'Bearer file-admin-key-Zq7Xv2Lm9Pw4' },
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
    const err: string[] = [];
    const bad = {
      ...io,
      stderr: { write: (s: string) => err.push(s) > 0 },
      env: { ...io.env, HOST: 'not a host' },
    };
    expect(await runCli(['serve', '--port', '0'], bad)).toBe(2);
    expect(err.join('')).toContain('ALERTBASE_CONFIG_INVALID');
  });
});
