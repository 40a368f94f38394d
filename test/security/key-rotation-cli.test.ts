/**
 * The key ring of the embedded default, end to end: the first start writes
 * the key file in the data directory (0600) after seeding it, `alertbase
 * keys new` adds a key, `alertbase keys rotate` re-encrypts the stored
 * secrets under it, and the next start reads them.
 */
import { chmod, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import { FieldCipher, KeyRing, keyIdOf } from '../../src/security/index.js';
import { KEY_FILE_NAME } from '../../src/server/key-ring-file.js';
import { startServer } from '../../src/server/start-server.js';
import { openDatabase } from '../../src/storage/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';

const ROUTING = 'R0UT1NGK3YS3CR3T0123456789abcdef';

describe('alertbase keys new / rotate on the embedded default', () => {
  it('creates the key file on first start, adds a key, re-encrypts, and reads it all back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertbase-keys-'));
    const dataDir = join(dir, 'data');
    const keyFile = join(dataDir, KEY_FILE_NAME);
    const io: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      cwd: dir,
      env: { ALERTBASE_DATA_DIR: dataDir },
      stdout: { write: (s: string) => (io.out += s) },
      stderr: { write: (s: string) => (io.err += s) },
    };
    const { config } = await loadConfig({ env: io.env, cwd: dir });
    const start = () =>
      startServer({ config, port: 0, logger: false, print: () => {}, handleSignals: false });
    const first = await start();
    let channelId: string;
    try {
      expect(first.createdDataDir).toBe(true);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const ring = KeyRing.parse(await readFile(keyFile, 'utf8'));
      expect(ring.ids).toEqual(['k1']);
      const key = String(first.demoKey);
      const r = await first.app.inject({
        method: 'POST',
        url: '/v1/channels',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'pd', config: { type: 'pagerduty', routingKey: ROUTING } }),
      });
      expect(r.statusCode).toBe(201);
      channelId = String((JSON.parse(r.body) as { id: string }).id);
    } finally {
      await first.close();
    }

    io.err = '';
    expect(await runCli(['keys', 'new'], io)).toBe(0);
    expect(io.out).toContain(`Added key k2 to ${keyFile}`);
    expect(KeyRing.parse(await readFile(keyFile, 'utf8')).ids).toEqual(['k1', 'k2']);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    expect(await runCli(['keys', 'rotate', '--batch-size', '1'], io)).toBe(0);
    expect(io.out).toMatch(
      /Re-encrypted 1 secret\(s\) in 1 row\(s\) of \d+ tenant\(s\); every secret is under key k2/,
    );

    const db = await openDatabase({ dataDir });
    try {
      const raw = await db.query<{ doc: { config: { routingKey: string } }; text: string }>(
        'SELECT doc, doc::text AS text FROM notification_channels',
      );
      expect(keyIdOf(raw.rows[0]?.doc.config.routingKey ?? '')).toBe('k2');
      expect(raw.rows[0]?.text).not.toContain(ROUTING);
      const repos = createRepositories(db, {
        cipher: new FieldCipher(KeyRing.parse(await readFile(keyFile, 'utf8'))),
      });
      const c = await repos.notificationChannels.get('demo', channelId);
      expect(c.config.type === 'pagerduty' && c.config.routingKey.reveal()).toBe(ROUTING);
      const trail = await repos.audit.list('demo', { action: 'secrets.reencrypt' });
      expect(trail[0]).toMatchObject({ actor: 'system:cli', details: { keyId: 'k2', secrets: 1 } });
    } finally {
      await db.close();
    }

    // A secret moved by hand to another record does not decrypt: rotating to a new key
    // re-encrypts the others, lists it, and exits 2.
    const mover = await openDatabase({ dataDir });
    await mover.query(
      `INSERT INTO notification_channels (tenant_id, id, version, created_at, updated_at, deleted_at, doc, name, type, status)
       SELECT tenant_id, $2, version, created_at, updated_at, deleted_at, jsonb_set(doc, '{id}', to_jsonb($2::text)), 'copy', type, status
         FROM notification_channels WHERE id = $1`,
      [channelId, '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10'],
    );
    await mover.close();
    expect(await runCli(['keys', 'new'], io)).toBe(0);
    io.err = '';
    expect(await runCli(['keys', 'rotate'], io)).toBe(2);
    expect(io.err).toContain('ALERTBASE_SECURITY_DECRYPTION_FAILED');
    expect(io.err).toContain(
      'demo NotificationChannel 01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10 config.routingKey',
    );

    // A signed checkpoint of the demo tenant's trail, kept in a file, shows a cut.
    io.out = '';
    expect(
      await runCli(['audit', 'checkpoint', '--tenant', 'demo', '-o', 'demo.checkpoint'], io),
    ).toBe(0);
    const checkpoint = JSON.parse(await readFile(join(dir, 'demo.checkpoint'), 'utf8')) as {
      length: number;
    };
    expect(checkpoint.length).toBeGreaterThan(3);
    expect(
      await runCli(['audit', 'verify', '--tenant', 'demo', '--checkpoint', 'demo.checkpoint'], io),
    ).toBe(0);
    expect(io.out).toContain('"ok":true');
    const cutter = await openDatabase({ dataDir });
    await cutter.query('DELETE FROM audit_events WHERE tenant_id = $1 AND seq >= $2', [
      'demo',
      checkpoint.length - 1,
    ]);
    await cutter.close();
    io.out = '';
    expect(await runCli(['audit', 'verify', '--tenant', 'demo'], io)).toBe(0);
    expect(
      await runCli(['audit', 'verify', '--tenant', 'demo', '--checkpoint', 'demo.checkpoint'], io),
    ).toBe(1);
    expect(io.out).toContain('"reason":"truncated"');
    io.out = '';
    expect(await runCli(['audit', 'checkpoint', '--tenant', 'demo'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ tenant_id: 'demo', length: checkpoint.length - 1 });

    // Every entry is sealed under a ring key: the server's k1, then the ring's newest.
    const sealed = await openDatabase({ dataDir });
    const keyIds = await sealed.query<{ key_id: string | null }>(
      "SELECT DISTINCT doc->>'keyId' AS key_id FROM audit_events WHERE tenant_id = 'demo' ORDER BY 1",
    );
    expect(keyIds.rows.map((r) => r.key_id)).toEqual(['k1', 'k2']);
    // An entry changed in the database: verify names its index and exits 1.
    await sealed.query(
      `UPDATE audit_events SET doc = jsonb_set(doc, '{details,forged}', 'true')
        WHERE tenant_id = 'demo' AND seq = 1`,
    );
    await sealed.close();
    io.out = '';
    expect(await runCli(['audit', 'verify', '--tenant', 'demo'], io)).toBe(1);
    expect(JSON.parse(io.out)).toEqual({ ok: false, index: 1, reason: 'hash_mismatch' });

    // A key file others can read is refused, by the server and the commands.
    await chmod(keyFile, 0o644);
    io.err = '';
    expect(await runCli(['keys', 'rotate'], io)).toBe(2);
    expect(io.err).toContain('ALERTBASE_CONFIG_INVALID');
    expect(io.err).toContain('chmod 600');
    await expect(start()).rejects.toThrow(/readable by others/);
    await chmod(keyFile, 0o600);
    const second = await start();
    await second.close();
  }, 60_000);

  it('with ALERTBASE_ENCRYPTION_KEYS, keys new prints the entry to append and writes no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertbase-keys-env-'));
    // No ring yet: rotating is refused, no key file is made.
    const bare: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      cwd: dir,
      env: { ALERTBASE_DATA_DIR: join(dir, 'bare') },
      stdout: { write: (s: string) => (bare.out += s) },
      stderr: { write: (s: string) => (bare.err += s) },
    };
    expect(await runCli(['keys', 'rotate'], bare)).toBe(2);
    expect(bare.err).toContain('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE');
    await expect(stat(join(dir, 'bare', KEY_FILE_NAME))).rejects.toThrow(/ENOENT/);
    const k1 = Buffer.alloc(32, 7).toString('base64');
    const io: CliIo & { out: string; err: string } = {
      out: '',
      err: '',
      cwd: dir,
      env: { ALERTBASE_DATA_DIR: join(dir, 'data'), ALERTBASE_ENCRYPTION_KEYS: `main:${k1}` },
      stdout: { write: (s: string) => (io.out += s) },
      stderr: { write: (s: string) => (io.err += s) },
    };
    expect(await runCli(['keys', 'new', '--id', 'next'], io)).toBe(0);
    const entry = /next:[A-Za-z0-9+/]{43}=/.exec(io.out)?.[0];
    expect(entry).toBeDefined();
    expect(KeyRing.parse(`main:${k1},${entry}`).current.id).toBe('next');
    await expect(stat(join(dir, 'data', KEY_FILE_NAME))).rejects.toThrow(/ENOENT/);
    // An id already in the ring is refused.
    io.err = '';
    expect(await runCli(['keys', 'new', '--id', 'main'], io)).toBe(2);
    expect(io.err).toContain('twice');
    expect(await runCli(['keys', 'rotate', '--batch-size', '0'], io)).toBe(2);
  });
});
