/**
 * The PostgreSQL payload archive's bodies (migration 0011): new entries keep
 * their JSON text in `body_json`, rows written before it (a `jsonb` body)
 * still read back, and the column is compressed with LZ4 where the server
 * has it (PGlite has only pglz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/base/utils/ids.js';
import {
  type ArchivedPayload,
  createPgPayloadArchive,
  type PayloadArchive,
} from '../../src/storage/archive/index.js';
import { createTestDatabase, type Database, openDatabase } from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';

const TENANT = 'acme';

function entry(requestId: string, overrides: Partial<ArchivedPayload> = {}): ArchivedPayload {
  return {
    id: newId(),
    tenantId: TENANT,
    receivedAt: new Date('2026-11-01T00:00:00.000Z'),
    requestId,
    keyId: 'key-1',
    door: 'alertmanager-v2',
    format: 'json',
    outcome: 'accepted',
    issues: [],
    bytes: 10,
    body: [{ labels: { alertname: requestId } }],
    ...overrides,
  };
}

function bodySuite(open: () => Promise<Database>, compression: string): void {
  let db: Database;
  let archive: PayloadArchive;
  beforeAll(async () => {
    db = await open();
    archive = createPgPayloadArchive(db);
  });
  afterAll(async () => db?.close());

  it('stores the text it was given as it is, and the tree written out otherwise', async () => {
    const text = '[ {"labels": {"alertname": "Spaced"}, "value": 12.50, "value": 3} ]';
    const asText = entry('as-text', { bodyJson: text, body: JSON.parse(text) as unknown });
    const asTree = entry('as-tree', { body: { n: 1, s: 'ü\u202e' } });
    const none = entry('no-body', { body: null });
    await archive.write([asText, asTree, none]);
    const { rows } = await db.withTenant(TENANT, (tx) =>
      tx.query<{ request_id: string; body_json: string | null; body: unknown }>(
        'SELECT request_id, body_json, body FROM payload_archive ORDER BY request_id',
      ),
    );
    expect(rows).toEqual([
      { request_id: 'as-text', body_json: text, body: null },
      { request_id: 'as-tree', body_json: '{"n":1,"s":"ü\u202e"}', body: null },
      { request_id: 'no-body', body_json: 'null', body: null },
    ]);
    expect((await archive.get(TENANT, asText.id))?.body).toEqual([
      { labels: { alertname: 'Spaced' }, value: 3 },
    ]);
    expect((await archive.get(TENANT, none.id))?.body).toBeNull();
  });

  it('reads a body written before migration 0011 (jsonb, no text)', async () => {
    const id = newId();
    await db.withTenant(TENANT, (tx) =>
      tx.query(
        `INSERT INTO payload_archive (tenant_id, id, received_at, request_id, key_id, door, format, outcome, bytes, body)
         VALUES ($1, $2, now(), 'legacy', 'key-1', 'alerts', 'yaml', 'accepted', 5, $3::jsonb)`,
        [TENANT, id, '{"labels": {"alertname": "Old"}}'],
      ),
    );
    const read = await archive.get(TENANT, id);
    expect(read?.body).toEqual({ labels: { alertname: 'Old' } });
    const scanned = await archive.scan(TENANT, { format: 'yaml' }, 10);
    expect(scanned.map((e) => [e.requestId, e.body])).toEqual([
      ['legacy', { labels: { alertname: 'Old' } }],
    ]);
  });

  it(`compresses the bodies with ${compression}`, async () => {
    const { rows } = await db.query<{ method: string }>(
      `SELECT attcompression::text AS method FROM pg_attribute
        WHERE attrelid = 'payload_archive'::regclass AND attname = 'body_json'`,
    );
    // `l`: LZ4; empty: the default (pglz).
    expect(rows[0]?.method).toBe(compression === 'lz4' ? 'l' : '');
  });
}

describe('payload archive bodies: PGlite', () => {
  bodySuite(() => createTestDatabase(), 'pglz (PGlite has no lz4)');
});

describeWithServer('payload archive bodies: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  afterAll(async () => server?.drop());
  bodySuite(async () => {
    server = await createServerDatabase();
    return openDatabase({ url: server.url, poolSize: 2 });
  }, 'lz4');
});
