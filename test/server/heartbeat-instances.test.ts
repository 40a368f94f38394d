/**
 * Two instances of the service on one PostgreSQL database, each answering
 * heartbeats from its own index: acknowledgements and resends interleaved
 * across them never show a stale status, and a change made through one is
 * never hidden by a resend through the other.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { createRepositories, type Database, openDatabase } from '../../src/storage/index.js';
import {
  createServerDatabase,
  describeWithServer,
  type ServerDatabase,
} from '../storage/helpers/server.js';

const TENANT = 'twins';

interface Instance {
  readonly app: FastifyInstance;
  readonly db: Database;
}

type IngestItem = { result: string; id: string; status: string };

describeWithServer('heartbeats on two instances of one database', () => {
  let database: ServerDatabase;
  let a: Instance;
  let b: Instance;
  let key: string;

  const open = async (): Promise<Instance> => {
    const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
    const db = await openDatabase({ url: database.url, poolSize: 4 });
    const app = await buildApp({ db, config, rateLimits: false });
    return { app, db };
  };

  beforeAll(async () => {
    database = await createServerDatabase();
    a = await open();
    b = await open();
    const repos = createRepositories(a.db);
    await repos.tenants.create({ id: TENANT, name: 'Twins', tier: 'enterprise' }, 'test');
    key = (await repos.apiKeys.issue(TENANT, { name: 'owner', role: 'owner' }, 'test')).key;
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      await i?.app.close();
      await i?.db.close();
    }
    await database?.drop();
  });

  const resend = async (i: Instance, summary = 'disk full'): Promise<IngestItem> => {
    const res = await i.app.inject({
      method: 'POST',
      url: '/api/v2/alerts',
      headers: { authorization: `Bearer ${key}` },
      payload: [
        {
          labels: { alertname: 'DiskFull', instance: 'db-1' },
          annotations: { summary },
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: IngestItem[] }).items[0] as IngestItem;
  };

  const act = async (i: Instance, id: string, action: string): Promise<string> => {
    const res = await i.app.inject({
      method: 'POST',
      url: `/v1/alerts/${id}/${action}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { status: string }).status;
  };

  const stored = async (): Promise<{ status: string; summary: string }> => {
    const { rows } = await a.db.withTenant(TENANT, (tx) =>
      tx.query<{ status: string; summary: string }>(
        "SELECT status, annotations->>'summary' AS summary FROM alerts WHERE status <> 'resolved'",
      ),
    );
    expect(rows).toHaveLength(1);
    return rows[0] as { status: string; summary: string };
  };

  it('never answers a resend with a status older than an acknowledgement already answered', async () => {
    const first = await resend(a);
    expect(first.result).toBe('created');
    const id = first.id;
    // Both indexes hold the alert: resends are heartbeats on both.
    for (const i of [a, b, a, b]) expect(await resend(i)).toMatchObject({ id, status: 'firing' });

    let statements = 0;
    const count = (event: { sql: string }): void => {
      if (event.sql.includes('INSERT INTO alerts')) statements++;
    };
    const off = [a.db.onQuery(count), b.db.onQuery(count)];
    let expected = 'firing';
    for (let round = 0; round < 40; round++) {
      const actor = round % 2 === 0 ? a : b;
      const other = actor === a ? b : a;
      const action = expected === 'firing' ? 'acknowledge' : 'unacknowledge';
      expected = await act(actor, id, action);
      expect(expected).toBe(action === 'acknowledge' ? 'acknowledged' : 'firing');
      // Right after the answer, on the other instance and on the same one, twice each
      // (the second is answered from the index again).
      for (const i of [other, actor, other, actor]) {
        expect(await resend(i)).toMatchObject({ result: 'deduplicated', id, status: expected });
      }
    }
    for (const f of off) f();
    expect((await stored()).status).toBe(expected);
    // Of the 160 resends, those after a change went to the database; the others were heartbeats.
    expect(statements).toBeLessThan(100);
  }, 120_000);

  it('never hides a change made through the other instance', async () => {
    for (let round = 0; round < 20; round++) {
      const [x, y] = round % 2 === 0 ? [a, b] : [b, a];
      // Both hold 'disk full'; x changes it, then y is sent the old text again.
      await resend(x, 'disk full');
      await resend(y, 'disk full');
      await resend(y, 'disk full');
      await resend(x, `disk at 9${round}%`);
      expect((await stored()).summary).toBe(`disk at 9${round}%`);
      await resend(y, 'disk full');
      expect((await stored()).summary).toBe('disk full');
    }
  }, 120_000);
});
