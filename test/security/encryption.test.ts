/**
 * Encryption at rest of channel secrets, on PGlite and on the PostgreSQL
 * server: no secret is stored in clear (the raw rows, read as the database
 * superuser, are scanned), none is shown by the API in any format, a
 * ciphertext moved to another tenant, row or field does not decrypt, and
 * `reencryptSecrets` (`alertbase keys rotate`) moves every secret to the
 * newest key while what the old key sealed stays readable.
 */
import { expect, it } from 'vitest';
import { AlertbaseError } from '../../src/base/exceptions/index.js';
import type { Format } from '../../src/base/serializers/index.js';
import { auditKeysOf, FieldCipher, KeyRing, keyIdOf } from '../../src/security/index.js';
import { createRepositories, reencryptSecrets } from '../../src/storage/repositories/index.js';
import { call } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

const SLACK = 'https://hooks.slack.com/services/T0SECRET/B0SECRET/slacksecretpart123';
const BEARER = 'bearer-secret-token-4711';
const ROUTING = 'R0UT1NGK3YS3CR3T0123456789abcdef';
const OPSGENIE = 'opsgenie-secret-api-key-0815';
const SECRETS = [SLACK, BEARER, ROUTING, OPSGENIE];

const CONFIGS = [
  { type: 'slack', webhookUrl: SLACK, channel: '#ops' },
  { type: 'webhook', url: 'https://example.com/hook', bearerToken: BEARER },
  { type: 'pagerduty', routingKey: ROUTING },
  { type: 'opsgenie', apiKey: OPSGENIE },
] as const;

type RawRow = { tenant_id: string; id: string; doc: Record<string, unknown>; text: string };

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err instanceof AlertbaseError ? err.code : String(err);
  }
}

let seq = 0;

onEveryEngine('channel secrets at rest', (fixtures) => {
  /** Secrets a test moved by hand: the rotation must report them. */
  const tampered = new Set<string>();
  const createAll = async (): Promise<string[]> => {
    const t = fixtures();
    const ids: string[] = [];
    for (const config of CONFIGS) {
      const r = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.admin,
        body: { name: `enc-${++seq}`, config },
      });
      expect(r.status).toBe(201);
      ids.push(String(r.body.id));
    }
    return ids;
  };
  const rawRows = async (ids: readonly string[]): Promise<RawRow[]> =>
    (
      await fixtures().db.query<RawRow>(
        'SELECT tenant_id, id, doc, doc::text AS text FROM notification_channels WHERE id = ANY($1::text[]) ORDER BY id',
        [[...ids]],
      )
    ).rows;

  it('stores no secret in clear: every table and the audit trail, read as the superuser', async () => {
    const t = fixtures();
    const ids = await createAll();
    const rows = await rawRows(ids);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const config = row.doc.config as Record<string, unknown>;
      const sealed = Object.values(config).filter((v) => typeof v === 'string' && /^ab1:/.test(v));
      expect(sealed).toHaveLength(1);
      expect(keyIdOf(String(sealed[0]))).toBe(t.keyRing.current.id);
    }
    // The whole database as text: every row of every table in the public schema.
    const tables = await t.db.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.rows.map((r) => r.name)).toContain('audit_events');
    for (const { name } of tables.rows) {
      const dump = await t.db.query<{ text: string | null }>(
        `SELECT string_agg(x::text, '\n') AS text FROM "${name}" AS x`,
      );
      for (const secret of SECRETS) expect(dump.rows[0]?.text ?? '').not.toContain(secret);
    }
  });

  it.each<[Format]>([['json'], ['yaml'], ['xml'], ['msgpack'], ['protobuf']])(
    'shows no secret in %s answers, and the stored value is still the one written',
    async (format) => {
      const t = fixtures();
      const ids = await createAll();
      const mime = {
        json: 'application/json',
        yaml: 'application/yaml',
        xml: 'application/xml',
        msgpack: 'application/msgpack',
        protobuf: 'application/x-protobuf',
      }[format];
      for (const url of ['/v1/channels?limit=500', `/v1/channels/${ids[0]}`]) {
        const r = await call(t.app, 'GET', url, { key: t.keys.owner, accept: mime });
        expect(r.status).toBe(200);
        const bytes = r.raw.rawPayload.toString('latin1');
        for (const secret of SECRETS) expect(bytes).not.toContain(secret);
        expect(bytes).not.toMatch(/ab1:[A-Za-z0-9_-]+:/);
      }
      const slack = await t.repos.notificationChannels.get('acme', ids[0] as string);
      expect(slack.config.type === 'slack' && slack.config.webhookUrl.reveal()).toBe(SLACK);
    },
  );

  it('keeps the envelope when a channel is changed without its secret (nothing decrypted)', async () => {
    const t = fixtures();
    const [id] = await createAll();
    const before = (await rawRows([id as string]))[0]?.doc.config as Record<string, unknown>;
    const r = await call(t.app, 'PATCH', `/v1/channels/${id}`, {
      key: t.keys.admin,
      body: { name: `renamed-${++seq}` },
    });
    expect(r.status).toBe(200);
    const after = (await rawRows([id as string]))[0]?.doc.config as Record<string, unknown>;
    expect(after.webhookUrl).toBe(before.webhookUrl);
    // A new secret is sealed anew.
    const other = `${SLACK}-new`;
    await call(t.app, 'PATCH', `/v1/channels/${id}`, {
      key: t.keys.admin,
      body: { config: { type: 'slack', webhookUrl: other } },
    });
    const changed = (await rawRows([id as string]))[0]?.doc.config as Record<string, unknown>;
    expect(changed.webhookUrl).not.toBe(before.webhookUrl);
    expect(JSON.stringify(changed)).not.toContain('-new');
    const back = await t.repos.notificationChannels.get('acme', id as string);
    expect(back.config.type === 'slack' && back.config.webhookUrl.reveal()).toBe(other);
  });

  it('a ciphertext copied to another tenant, row or field does not decrypt', async () => {
    const t = fixtures();
    const [slackId = '', webhookId = ''] = await createAll();
    const rows = await rawRows([slackId as string, webhookId as string]);
    const slack = rows.find((r) => r.id === slackId) as RawRow;
    const envelope = (slack.doc.config as Record<string, string>).webhookUrl as string;
    // Another row of the same tenant: the webhook's bearer token gets the Slack URL's envelope.
    await t.db.query(
      `UPDATE notification_channels SET doc = jsonb_set(doc, '{config,bearerToken}', to_jsonb($3::text))
        WHERE tenant_id = $1 AND id = $2`,
      ['acme', webhookId, envelope],
    );
    tampered.add(`acme/${webhookId}/config.bearerToken`);
    tampered.add(`globex/${slackId}/config.webhookUrl`);
    const moved = await t.repos.notificationChannels.get('acme', webhookId as string);
    // Read and listed fine (still sealed), refused when used.
    expect(moved.config.type).toBe('webhook');
    expect(
      await codeOf(() => moved.config.type === 'webhook' && moved.config.bearerToken?.reveal()),
    ).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
    // Another tenant: the same row copied to globex, id and all.
    await t.db.query(
      `INSERT INTO notification_channels (tenant_id, id, version, created_at, updated_at, deleted_at, doc, name, type, status)
       SELECT 'globex', id, version, created_at, updated_at, deleted_at, jsonb_set(doc, '{tenantId}', '"globex"'), name, type, status
         FROM notification_channels WHERE tenant_id = 'acme' AND id = $1`,
      [slackId],
    );
    const copied = await createRepositories(t.db, {
      cipher: new FieldCipher(t.keyRing),
      auditKeys: auditKeysOf(t.keyRing),
    }).notificationChannels.get('globex', slackId as string);
    expect(
      await codeOf(() => copied.config.type === 'slack' && copied.config.webhookUrl.reveal()),
    ).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
    // The original still decrypts.
    const original = await t.repos.notificationChannels.get('acme', slackId as string);
    expect(original.config.type === 'slack' && original.config.webhookUrl.reveal()).toBe(SLACK);
  });

  it('without a key ring, secrets can be neither stored nor revealed (never stored in clear)', async () => {
    const t = fixtures();
    const [id] = await createAll();
    const bare = createRepositories(t.db);
    const read = await bare.notificationChannels.get('acme', id as string);
    expect(
      await codeOf(() => read.config.type === 'slack' && read.config.webhookUrl.reveal()),
    ).toBe('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE');
    expect(
      await codeOf(() =>
        bare.notificationChannels.create(
          'acme',
          { name: `bare-${++seq}`, config: { type: 'pagerduty', routingKey: ROUTING } },
          'test',
        ),
      ),
    ).toBe('ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE');
  });

  it('rotation: key 1 data readable under key 1+2, re-encrypted to key 2 in audited batches, idempotent', async () => {
    const t = fixtures();
    const ids = await createAll();
    const [, , pagerDutyId = '', opsgenieId = ''] = ids;
    // A secret stored in clear by a version without encryption.
    await t.db.query(
      `UPDATE notification_channels SET doc = jsonb_set(doc, '{config,apiKey}', to_jsonb($2::text))
        WHERE tenant_id = 'acme' AND id = $1`,
      [opsgenieId, OPSGENIE],
    );
    const next = new KeyRing([
      ...t.keyRing.ids.map((id) => ({ id, key: t.keyRing.key(id) as Uint8Array })),
      { id: `rot${++seq}`, key: KeyRing.generate().current.key },
    ]);
    const cipher = new FieldCipher(next);
    // Audit entries are sealed under the new key too; a ring holding both verifies them all.
    const repos = createRepositories(t.db, { cipher, auditKeys: auditKeysOf(next) });
    // Readable before the rotation, through the new ring.
    const before = await repos.notificationChannels.get('acme', pagerDutyId);
    expect(before.config.type === 'pagerduty' && before.config.routingKey.reveal()).toBe(ROUTING);
    const batches: number[] = [];
    const result = await reencryptSecrets(t.db, cipher, {
      batchSize: 3,
      actor: 'test:rotate',
      onBatch: (p) => batches.push(p.rows),
      auditKeys: auditKeysOf(next),
    });
    expect(result.keyId).toBe(next.current.id);
    expect(result.secrets).toBeGreaterThanOrEqual(4);
    expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    // The envelopes moved by hand (earlier test) do not decrypt: reported, left as they are.
    expect(result.failed).toBe(tampered.size);
    expect(new Set(result.failures.map((f) => `${f.tenantId}/${f.id}/${f.field}`))).toEqual(
      tampered,
    );
    const all = await t.db.query<RawRow>(
      'SELECT tenant_id, id, doc, doc::text AS text FROM notification_channels',
    );
    for (const row of all.rows) {
      const sealed = Object.values(row.doc.config as Record<string, unknown>).filter(
        (v) => typeof v === 'string' && /^ab1:/.test(v),
      );
      const failedHere = [...tampered].some((f) => f.startsWith(`${row.tenant_id}/${row.id}/`));
      if (!failedHere) for (const v of sealed) expect(keyIdOf(String(v))).toBe(next.current.id);
      for (const secret of SECRETS) expect(row.text).not.toContain(secret);
    }
    for (const [i, id] of ids.entries()) {
      const c = await repos.notificationChannels.get('acme', id);
      const value =
        c.config.type === 'slack'
          ? c.config.webhookUrl.reveal()
          : c.config.type === 'webhook'
            ? c.config.bearerToken?.reveal()
            : c.config.type === 'pagerduty'
              ? c.config.routingKey.reveal()
              : c.config.type === 'opsgenie'
                ? c.config.apiKey.reveal()
                : undefined;
      expect(value).toBe(SECRETS[i]);
    }
    const audit = await t.repos.audit.list('acme', { action: 'secrets.reencrypt', limit: 1_000 });
    expect(audit.length).toBeGreaterThan(0);
    expect(
      audit.every((e) => e.actor === 'test:rotate' && e.details.keyId === next.current.id),
    ).toBe(true);
    expect(audit.every((e) => e.keyId === next.current.id)).toBe(true);
    expect((await repos.audit.verify('acme')).ok).toBe(true);
    // The old ring lacks the new key: it cannot vouch for those entries.
    expect(await t.repos.audit.verify('acme')).toMatchObject({ ok: false, reason: 'unknown_key' });
    // Run again: nothing left to do, nothing audited.
    const again = await reencryptSecrets(t.db, cipher);
    expect(again.secrets).toBe(0);
    expect(again.failed).toBe(tampered.size);
    expect(
      (await t.repos.audit.list('acme', { action: 'secrets.reencrypt', limit: 1_000 })).length,
    ).toBe(audit.length);
    // The old ring alone cannot read what is now under the new key.
    const old = await t.repos.notificationChannels.get('acme', pagerDutyId);
    expect(
      await codeOf(() => old.config.type === 'pagerduty' && old.config.routingKey.reveal()),
    ).toBe('ALERTBASE_SECURITY_DECRYPTION_FAILED');
  });
});
