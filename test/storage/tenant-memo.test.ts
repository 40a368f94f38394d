/**
 * TenantMemo: a tenant's value kept in memory, checked with a stamp when it
 * is older than its age limit and read again only when the stamp changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '../../src/storage/index.js';
import {
  createRepositories,
  type Repositories,
  TenantMemo,
  tableStamp,
} from '../../src/storage/repositories/index.js';

describe('TenantMemo with a table stamp', () => {
  let db: Database;
  let repos: Repositories;
  beforeAll(async () => {
    db = await createTestDatabase();
    repos = createRepositories(db);
    await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'test');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reads again only when the stamp changed, and sees what another instance wrote', async () => {
    let now = 1_000_000;
    let loads = 0;
    const memo = new TenantMemo<number>(
      db,
      async (tx, tenantId) => {
        loads++;
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM alert_rules WHERE tenant_id = $1 AND deleted_at IS NULL',
          [tenantId],
        );
        return rows[0]?.n ?? -1;
      },
      { maxAgeMs: 1_000, now: () => now, stamp: tableStamp('alert_rules') },
    );
    expect(await memo.get('acme')).toBe(0);
    expect(loads).toBe(1);
    // Within the age limit: no query at all.
    now += 500;
    expect(await memo.get('acme')).toBe(0);
    // Past it, nothing changed: the stamp says so, no new load.
    now += 1_000;
    expect(await memo.get('acme')).toBe(0);
    expect(loads).toBe(1);
    // Another instance (its own repositories) adds a rule: seen once the age is past.
    const rule = await repos.alertRules.create(
      'acme',
      { name: 'cpu', level: 'high', priority: 'P2', condition: 'cpu_usage > 80' },
      'test',
    );
    expect(await memo.get('acme')).toBe(0);
    now += 1_001;
    expect(await memo.get('acme')).toBe(1);
    expect(loads).toBe(2);
    // A soft delete changes updated_at and version: read again.
    await repos.alertRules.delete('acme', rule.id, 'test');
    now += 1_001;
    expect(await memo.get('acme')).toBe(0);
    expect(loads).toBe(3);
    // invalidate() forces a read.
    memo.invalidate('acme');
    expect(await memo.get('acme')).toBe(0);
    expect(loads).toBe(4);
  });
});
