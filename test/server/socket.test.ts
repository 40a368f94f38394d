/**
 * The server over a real socket: `startServer` on port 0, first start on an
 * empty data directory (from the template) and restart, graceful shutdown,
 * and the `serve` / `admin create-key` commands.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { runServe } from '../../src/server/commands.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { createTestDatabase } from '../../src/storage/index.js';

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
    const { config } = await loadConfig({ env: {}, cwd: dir });
    server = await startServer({
      config,
      env: { ALERTBASE_ADMIN_KEY: 'socket-admin' },
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
    const tenant = await fetch(`${server.url}/v1/tenants/demo`, {
      headers: { authorization: 'Bearer socket-admin' },
    });
    expect(tenant.status).toBe(200);
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
    const first = await startServer({
      config,
      port: 0,
      logger: false,
      print: () => {},
      handleSignals: false,
    });
    expect(first.createdDataDir).toBe(true);
    expect(first.demoKey).toEqual(expect.any(String));
    await first.close();
    const second = await startServer({
      config,
      port: 0,
      logger: false,
      print: () => {},
      handleSignals: false,
    });
    try {
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
      env: { ALERTBASE_DATA_DIR: join(dir, 'data') },
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
});
