/**
 * Cache changes told to every instance: a tenant or an API key written
 * through the repositories is announced at its commit, and the listening
 * side forgets what the caches keep; malformed payloads are ignored, a lost
 * connection forgets everything, and a database that cannot listen does not
 * stop the app.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCacheChanges } from '../../src/server/cache-changes.js';
import { createRepositories, createTestDatabase, type Database } from '../../src/storage/index.js';
import {
  CACHE_CHANGES_CHANNEL,
  parseCacheChange,
  type Repositories,
} from '../../src/storage/repositories/index.js';

/** Records what the targets were told. */
function recorder() {
  const told: string[] = [];
  return {
    told,
    targets: {
      forgetTenant: (id: string) => told.push(`tenant:${id}`),
      forgetKeys: () => told.push('keys'),
      forgetAll: () => told.push('all'),
    },
  };
}

describe('cache changes on PGlite', () => {
  let db: Database;
  let repos: Repositories;
  beforeAll(async () => {
    db = await createTestDatabase();
    repos = createRepositories(db);
  });
  afterAll(() => db.close());

  it('a tenant created, updated, suspended and a key issued and revoked are told', async () => {
    const app = Fastify();
    const { told, targets } = recorder();
    useCacheChanges(app, db, targets);
    await app.ready();
    try {
      await repos.tenants.create({ id: 'cc-one', name: 'One', tier: 'free' }, 'test');
      await repos.tenants.update('cc-one', { name: 'Uno' }, 'test');
      await repos.tenants.suspend('cc-one', 'test');
      const issued = await repos.apiKeys.issue('cc-one', { name: 'k', role: 'viewer' }, 'test');
      await repos.apiKeys.revoke('cc-one', issued.apiKey.id, 'test');
      // Not ours, or malformed: ignored.
      for (const payload of ['{"k":"rules","t":"x"}', '{"k":"tenant"}', 'null', '{', '"x"']) {
        await db.query('SELECT pg_notify($1, $2)', [CACHE_CHANGES_CHANNEL, payload]);
      }
      await new Promise((r) => setTimeout(r, 50));
      // A new key is not told (no instance can have looked up a key not yet issued); its revocation is.
      expect(told).toEqual(['tenant:cc-one', 'tenant:cc-one', 'tenant:cc-one', 'keys']);
    } finally {
      await app.close();
    }
    // Closed: no longer told.
    await repos.tenants.activate('cc-one', 'test');
    await new Promise((r) => setTimeout(r, 50));
    expect(told).toHaveLength(4);
  });
});

describe('the listening side', () => {
  it('forgets everything when the connection was lost', async () => {
    let reset: (() => void) | undefined;
    const db = {
      listen: async (_channel: string, _onMessage: unknown, onReset?: () => void) => {
        reset = onReset;
        return { live: true, close: async () => {} };
      },
    } as unknown as Database;
    const app = Fastify();
    const { told, targets } = recorder();
    useCacheChanges(app, db, targets);
    await app.ready();
    reset?.();
    expect(told).toEqual(['all']);
    await app.close();
  });

  it('a database that cannot listen leaves the caches to their TTL; the app starts', async () => {
    const db = {
      listen: () => Promise.reject(new Error('no listening here')),
    } as unknown as Database;
    const warnings: string[] = [];
    const app = Fastify({
      logger: { level: 'warn', stream: { write: (l: string) => warnings.push(l) } },
    });
    useCacheChanges(app, db, recorder().targets);
    await app.ready();
    expect(warnings.join('')).toContain('cannot listen to cache changes');
    await app.close();
  });

  it('parses only its own payloads', () => {
    expect(parseCacheChange('{"k":"keys","t":"acme"}')).toEqual({ kind: 'keys', tenantId: 'acme' });
    expect(parseCacheChange('{"k":"tenant","t":"acme"}')).toEqual({
      kind: 'tenant',
      tenantId: 'acme',
    });
    expect(parseCacheChange('{"k":"other","t":"acme"}')).toBeUndefined();
    expect(parseCacheChange('{"k":"keys","t":1}')).toBeUndefined();
    expect(parseCacheChange('not json')).toBeUndefined();
  });
});
