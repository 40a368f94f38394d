/**
 * `/health/ready` reports a PostgreSQL server's autovacuum (read at start):
 * `warn` when it is off, `pass` when on; PGlite, which has no autovacuum and
 * is maintained by alertbase's pass, has no such check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAutovacuum } from '../../src/observability/index.js';
import { autovacuumEnabled, createTestDatabase, openDatabase } from '../../src/storage/index.js';
import {
  adminQuery,
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';
import { setupOn, type TestApp } from './helpers.js';

interface Ready {
  readonly status: string;
  readonly checks: Record<string, { status: string; observedValue: number; output?: string }[]>;
}

describe('checkAutovacuum', () => {
  const now = () => new Date('2026-12-03T00:00:00Z');
  it('warns when off, passes when on, never critical', () => {
    const off = checkAutovacuum(false, now);
    expect(off.key).toBe('database:autovacuum');
    expect(off.critical).toBe(false);
    expect(off.check.status).toBe('warn');
    expect(off.check.observedValue).toBe(0);
    expect(off.check.output).toContain('autovacuum is off');
    const on = checkAutovacuum(true, now);
    expect(on.check.status).toBe('pass');
    expect(on.check.observedValue).toBe(1);
    expect(on.check.output).toBeUndefined();
  });
});

describe('readiness on PGlite', () => {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await setupOn(await createTestDatabase());
  });
  afterAll(() => t?.close());

  it('has no autovacuum check', async () => {
    const app = (t as TestApp).app;
    expect(await autovacuumEnabled((t as TestApp).db)).toBeUndefined();
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys((res.json() as Ready).checks)).not.toContain('database:autovacuum');
  });
});

describeWithServer('readiness on the PostgreSQL server', () => {
  let t: TestApp | undefined;
  let server: ServerDatabase | undefined;
  beforeAll(async () => {
    server = await createServerDatabase();
    t = await setupOn(await openDatabase({ url: server.url }));
  });
  afterAll(async () => {
    await t?.close();
    await server?.drop();
  });

  it("reports the server's autovacuum setting, warn (still 200) when it is off", async () => {
    const setting = (await adminQuery('SHOW autovacuum')).rows[0] as { autovacuum: string };
    const on = setting.autovacuum === 'on';
    expect(await autovacuumEnabled((t as TestApp).db)).toBe(on);
    const res = await (t as TestApp).app.inject({ url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Ready;
    expect(body.checks['database:autovacuum']?.[0]?.status).toBe(on ? 'pass' : 'warn');
    expect(body.checks['database:autovacuum']?.[0]?.observedValue).toBe(on ? 1 : 0);
    if (!on) expect(body.status).toBe('warn');
  });
});
