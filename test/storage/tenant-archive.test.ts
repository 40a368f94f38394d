/**
 * Moving a tenant between deployments: export from one database, import into
 * another — across engines (PostgreSQL server → PGlite and back) — and every
 * moved table holds the same rows, the audit chain verifies there, nothing of
 * another tenant travels, and a damaged archive writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveLines,
  archiveTables,
  createRepositories,
  createTestDatabase,
  type Database,
  exportTenant,
  importTenant,
  NOT_MOVED,
  openDatabase,
  verifyAuditChain,
} from '../../src/storage/index.js';
import { seedTenant, TENANT_TABLES } from './helpers/seed.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line.replace(/\n$/, ''));
  return out;
}

async function* from(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

/** Every row of `table` for `tenant`, in key order, as JSON. */
async function rowsOf(db: Database, tenant: string, table: string): Promise<unknown[]> {
  const tables = await archiveTables(db);
  const key = tables.find((t) => t.name === table)?.key.map((k) => `"${k.name}"`) ?? ['1'];
  return db.withTenant(tenant, async (tx) => {
    const { rows } = await tx.query<{ row: unknown }>(
      `SELECT to_jsonb(t) AS row FROM "${table}" t ORDER BY ${key.join(', ')}`,
    );
    return rows.map((r) => r.row);
  });
}

async function tenantRowCount(db: Database, tenant: string): Promise<number> {
  return db.withTenant(tenant, async (tx) => {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tenants WHERE tenant_id = $1',
      [tenant],
    );
    return rows[0]?.n ?? -1;
  });
}

/** A tenant written through the repositories (a real audit chain) and one seeded in every table. */
async function fill(db: Database): Promise<void> {
  const repos = createRepositories(db);
  await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'admin');
  await repos.alertRules.create(
    'acme',
    { name: 'HighCPU', level: 'high', priority: 'P2', condition: 'cpu > 80', for: '5m' },
    'admin',
  );
  await repos.notificationChannels.create(
    'acme',
    { name: 'ops', config: { type: 'webhook', url: 'http://127.0.0.1:9/ops' } },
    'admin',
  );
  await repos.alerts.ingest(
    'acme',
    Array.from({ length: 600 }, (_, i) => ({
      labels: { alertname: `A${i % 7}`, instance: `host-${i}` },
      annotations: { summary: `alert ${i} “quoted” \\ \n` },
      level: 'high',
      priority: 'P2',
    })),
    'key:seed',
  );
  await seedTenant(db, 'seeded', 30);
  await seedTenant(db, 'bystander', 5);
}

function suite(name: string, source: () => Promise<Database>, target: () => Promise<Database>) {
  describe(name, () => {
    let src: Database;
    let dst: Database;
    let acme: string[];
    let seeded: string[];

    beforeAll(async () => {
      src = await source();
      dst = await target();
      await fill(src);
      acme = await collect(exportTenant(src, 'acme'));
      seeded = await collect(exportTenant(src, 'seeded'));
    }, 120_000);
    afterAll(async () => {
      await src?.close();
      await dst?.close();
    });

    it('writes a header, chunks in the header’s table order, and a trailer with the counts', () => {
      const header = JSON.parse(acme[0] ?? '{}');
      expect(header).toMatchObject({
        format: 'alertbase.tenant-archive',
        version: 1,
        tenant: 'acme',
      });
      expect(header.tables[0]).toBe('tenants');
      expect(header.tables).not.toContain('sessions');
      expect(header.tables).not.toContain('notification_events');
      const trailer = JSON.parse(acme.at(-1) ?? '{}');
      expect(trailer.end).toBe(true);
      expect(trailer.rows.alerts).toBe(600);
      expect(trailer.rows.tenants).toBe(1);
      // 600 alerts are paged in queries of 250 rows.
      expect(acme.filter((l) => l.startsWith('{"table":"alerts"')).length).toBe(3);
    });

    it('moves every row of every moved table, and nothing of another tenant', async () => {
      const result = await importTenant(dst, from(seeded));
      expect(result.tenant).toBe('seeded');
      const moved = TENANT_TABLES.filter((t) => !Object.hasOwn(NOT_MOVED, t));
      for (const table of moved) {
        const before = await rowsOf(src, 'seeded', table);
        expect(before.length, table).toBeGreaterThan(0);
        expect(await rowsOf(dst, 'seeded', table), table).toEqual(before);
        expect(result.rows[table], table).toBe(before.length);
      }
      for (const table of Object.keys(NOT_MOVED)) {
        expect(await rowsOf(dst, 'seeded', table), table).toEqual([]);
      }
      expect(await tenantRowCount(dst, 'bystander')).toBe(0);
    });

    it('keeps the audit chain verifiable and the documents readable in the new deployment', async () => {
      await importTenant(dst, from(acme));
      const chain = await verifyAuditChain(dst, 'acme');
      const original = await verifyAuditChain(src, 'acme');
      expect(original.ok).toBe(true);
      expect(chain).toEqual(original);
      expect(chain.ok && chain.length).toBeGreaterThan(2);
      const repos = createRepositories(dst);
      const page = await repos.alerts.list('acme', { limit: 1000 });
      expect(page.items).toHaveLength(600);
      const rules = await repos.alertRules.list('acme', { limit: 10 });
      expect(rules.items.map((r) => r.name)).toEqual(['HighCPU']);
      // The imported deployment goes on writing for the tenant.
      const { counts } = await repos.alerts.ingest(
        'acme',
        [{ labels: { alertname: 'After' }, level: 'low', priority: 'P4' }],
        'key:after',
      );
      expect(counts.created).toBe(1);
      expect((await verifyAuditChain(dst, 'acme')).ok).toBe(true);
    });

    it('refuses a tenant that exists in the target, and writes nothing', async () => {
      const before = await rowsOf(dst, 'acme', 'alerts');
      await expect(importTenant(dst, from(acme))).rejects.toMatchObject({
        code: 'ALERTBASE_RESOURCE_ALREADY_EXISTS',
      });
      expect(await rowsOf(dst, 'acme', 'alerts')).toEqual(before);
    });

    it('refuses the tenant that does not exist', async () => {
      await expect(collect(exportTenant(src, 'nobody'))).rejects.toMatchObject({
        code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID',
      });
    });

    const damaged: ReadonlyArray<readonly [string, (lines: string[]) => string[], RegExp]> = [
      ['truncated (no trailer)', (l) => l.slice(0, -1), /truncated/],
      [
        'a trailer that counts another number of rows',
        (l) => [...l.slice(0, -1), (l.at(-1) ?? '').replace('"alerts":600', '"alerts":601')],
        /counts 601 rows of alerts, the archive holds 600/,
      ],
      [
        'a row of another tenant',
        (l) => l.map((x, i) => (i === 3 ? x.replace('"tenant_id":"acme2"', '"tenant_id":"x"') : x)),
        /another tenant/,
      ],
      [
        'another schema version',
        (l) => [(l[0] ?? '').replace('"migrations":[1,', '"migrations":[0,'), ...l.slice(1)],
        /exported with migrations 0, 2/,
      ],
      ['not JSON', (l) => [l[0] ?? '', '{"table":', ...l.slice(1)], /line 2 is not JSON/],
      ['not an archive', () => ['{"format":"tar"}'], /line 1 is not an alertbase tenant archive/],
      ['empty', () => [], /empty/],
      ['lines after the trailer', (l) => [...l, l[1] ?? ''], /goes on after its trailer/],
    ];
    it.each(damaged)(
      'a damaged archive (%s) is refused and writes nothing',
      async (_, damage, reason) => {
        const lines = damage(
          acme.map((l) =>
            l.replace('"acme"', '"acme2"').replaceAll('"tenant_id":"acme"', '"tenant_id":"acme2"'),
          ),
        );
        await expect(importTenant(dst, from(lines))).rejects.toMatchObject({
          code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID',
          message: expect.stringMatching(reason),
        });
        expect(await tenantRowCount(dst, 'acme2')).toBe(0);
      },
    );
  });
}

describeWithServer('tenant archive', () => {
  let server: ServerDatabase;
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => {
    await server?.drop();
  });
  suite(
    'PostgreSQL server → PGlite',
    () => openDatabase({ url: server.url }),
    () => createTestDatabase(),
  );
});

describeWithServer('tenant archive, the other way', () => {
  let server: ServerDatabase;
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => {
    await server?.drop();
  });
  suite(
    'PGlite → PostgreSQL server',
    () => createTestDatabase(),
    () => openDatabase({ url: server.url }),
  );
});

describe('archive lines', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
    yield* parts;
  }

  it('splits a stream into lines across chunk boundaries, skipping empty lines', async () => {
    const lines = await collect(
      archiveLines(chunks(bytes('{"a":1}\n{"b"'), bytes(':2}\n\n{"c":3}'))),
    );
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('refuses a line past the limit as it arrives, before the line ends', async () => {
    let served = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        served++;
        yield new Uint8Array(1_024).fill(120);
      }
    }
    await expect(collect(archiveLines(endless(), 10_000))).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID',
      message: expect.stringMatching(/longer than 10000 bytes/),
    });
    expect(served).toBe(10);
  });

  it('refuses bytes that are not UTF-8', async () => {
    await expect(
      collect(archiveLines(chunks(Uint8Array.of(0xff, 0xfe, 10)))),
    ).rejects.toMatchObject({
      code: 'ALERTBASE_STORAGE_ARCHIVE_INVALID',
    });
  });
});
