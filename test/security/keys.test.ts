/**
 * Keys: a tenant never loses its last usable owner key (revoke, demote,
 * expire, delete, purge: 409 ALERTBASE_AUTH_LAST_OWNER_KEY); a platform
 * administrator can issue a new owner key (break-glass, audited) through
 * the API and `alertbase admin owner-key`; ALERTBASE_ADMIN_KEY values need
 * 128 bits of entropy.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertbaseError, ConfigError } from '../../src/base/exceptions/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/storage/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { ADMIN_KEY, call } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

const LAST = 'ALERTBASE_AUTH_LAST_OWNER_KEY';

async function refusal(promise: Promise<unknown>): Promise<AlertbaseError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AlertbaseError);
    return error as AlertbaseError;
  }
  throw new Error('expected a refusal');
}

onEveryEngine('the last owner key', (fixtures) => {
  it('an admin key cannot revoke the only owner key (409, nothing changed)', async () => {
    const t = fixtures();
    const owners = await t.repos.apiKeys.list('acme', { limit: 100 });
    const owner = owners.items.find((k) => k.role === 'owner');
    expect(owner).toBeDefined();
    const r = await call(t.app, 'DELETE', `/v1/keys/${owner?.id}`, { key: t.keys.admin });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe(LAST);
    const still = await call(t.app, 'GET', '/v1/keys', { key: t.keys.owner });
    expect(still.status).toBe(200);
  });

  it('demoting, expiring, deleting or purging the only owner key is refused too', async () => {
    const t = fixtures();
    const owner = (await t.repos.apiKeys.list('globex', { limit: 100 })).items[0];
    if (owner === undefined) throw new Error('globex has an owner key');
    // One at a time: each is refused on its own.
    const changes = [
      () => t.repos.apiKeys.update('globex', owner.id, { role: 'admin' }, 'test'),
      () =>
        t.repos.apiKeys.update('globex', owner.id, { expiresAt: new Date(Date.now() - 1) }, 'test'),
      () => t.repos.apiKeys.delete('globex', owner.id, 'test'),
      () => t.repos.apiKeys.purge('globex', owner.id, 'test'),
    ];
    for (const change of changes) {
      const error = await refusal(change());
      expect(error.code).toBe(LAST);
      expect(error.status).toBe(409);
      expect(error.context).toMatchObject({ tenantId: 'globex', id: owner.id });
    }
    expect((await t.repos.apiKeys.get('globex', owner.id)).role).toBe('owner');
  });

  it('with a second owner key, one of them can go; then the other is the last', async () => {
    const t = fixtures();
    const second = await t.repos.apiKeys.issue(
      'globex',
      { name: 'owner-2', role: 'owner' },
      'test',
    );
    const first = (await t.repos.apiKeys.list('globex', { limit: 100 })).items.find(
      (k) => k.role === 'owner' && k.id !== second.apiKey.id,
    );
    if (first === undefined) throw new Error('globex has its first owner key');
    // Both revoked at once: one succeeds, the other is refused.
    const results = await Promise.allSettled([
      t.repos.apiKeys.revoke('globex', first.id, 'test'),
      t.repos.apiKeys.revoke('globex', second.apiKey.id, 'test'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: LAST });
  });

  it('break-glass: the platform administrator issues a new owner key, audited in the tenant trail', async () => {
    const t = fixtures();
    const r = await call(t.app, 'POST', '/v1/tenants/acme/owner-key', {
      key: ADMIN_KEY,
      body: { reason: 'the owner left' },
    });
    expect(r.status).toBe(201);
    const key = String(r.body.key);
    expect(r.body.api_key).toMatchObject({ role: 'owner', name: 'break-glass-owner' });
    const works = await call(t.app, 'GET', '/v1/keys', { key });
    expect(works.status).toBe(200);
    const trail = await t.repos.audit.list('acme', { action: 'key.break_glass' });
    expect(trail.at(-1)).toMatchObject({
      action: 'key.break_glass',
      actor: 'platform-admin',
      details: { reason: 'the owner left' },
    });
    // Only the platform administrator; never to an unknown tenant or the platform tenant.
    expect(
      (await call(t.app, 'POST', '/v1/tenants/acme/owner-key', { key: t.keys.owner })).status,
    ).toBe(403);
    expect(
      (await call(t.app, 'POST', '/v1/tenants/nobody/owner-key', { key: ADMIN_KEY })).status,
    ).toBe(404);
    expect(
      (await call(t.app, 'POST', '/v1/tenants/platform/owner-key', { key: ADMIN_KEY })).status,
    ).toBe(403);
  });
});

describe('alertbase admin owner-key', () => {
  it('issues an owner key to a tenant of the data directory, audited as key.break_glass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertbase-owner-key-'));
    const dataDir = join(dir, 'data');
    const io: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      cwd: dir,
      env: { ALERTBASE_DATA_DIR: dataDir },
      stdout: { write: (s: string) => (io.out += s) },
      stderr: { write: (s: string) => (io.err += s) },
    };
    // The tenant does not exist yet: a clear error, no key.
    expect(await runCli(['admin', 'owner-key', '--tenant', 'acme'], io)).toBe(2);
    expect(io.err).toContain('ALERTBASE_RESOURCE_NOT_FOUND');
    const db = await openDatabase({ dataDir });
    await createRepositories(db).tenants.create({ id: 'acme', name: 'Acme' }, 'test');
    await db.close();
    io.err = '';
    expect(await runCli(['admin', 'owner-key', '--tenant', 'acme', '--reason', 'lost'], io)).toBe(
      0,
    );
    const key = /ab_acme_[0-9a-f]{48}/.exec(io.out)?.[0];
    expect(key).toBeDefined();
    const again = await openDatabase({ dataDir });
    try {
      const repos = createRepositories(again);
      expect((await repos.apiKeys.findByKey(String(key)))?.role).toBe('owner');
      const trail = await repos.audit.list('acme', { action: 'key.break_glass' });
      expect(trail[0]).toMatchObject({ actor: 'system:cli', details: { reason: 'lost' } });
    } finally {
      await again.close();
    }
  });
});

describe('ALERTBASE_ADMIN_KEY entropy', () => {
  it.each([
    ['abc'],
    ['a'.repeat(64)],
    ['ab'.repeat(32)],
    ['0123456789abcdef'],
    ['strong-one-Zq7Xv2Lm9Pw4,abc'],
  ])(
    'refuses %j with ALERTBASE_CONFIG_INVALID naming the variable, never the value',
    async (value) => {
      let caught: unknown;
      try {
        await loadConfig({
          env: { ALERTBASE_ADMIN_KEY: value },
          cwd: '/nonexistent-alertbase-test',
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.code).toBe('ALERTBASE_CONFIG_INVALID');
      expect(error.context.source).toBe('ALERTBASE_ADMIN_KEY');
      expect(String(error.context.reason)).toContain('128 bits');
      expect(JSON.stringify(error.toJSON())).not.toContain(value.split(',').at(-1));
    },
  );

  it('accepts 32 random bytes in hex', async () => {
    const key = 'f3a91c07be2d4e6890ab17c5d3e2f40a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4';
    const { config } = await loadConfig({
      env: { ALERTBASE_ADMIN_KEY: key },
      cwd: '/nonexistent-alertbase-test',
    });
    expect(config.server.adminKey?.reveal()).toBe(key);
  });
});
