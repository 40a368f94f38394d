/**
 * The MongoDB engine when its server does not answer (no MongoDB server runs
 * on the machines alertbase is built on; the contract runs against one when
 * `MONGODB_URL` is set): reads answer `ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE`
 * (503), a write rejects with the driver's error (the writer retries it),
 * nothing connects before first use, and close is safe at any time.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../base/utils/ids.js';
import { createMongoPayloadArchive } from './mongo-payload-archive.js';

/** A port that refuses connections: a listener opened, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('MongoDB payload archive, server away', () => {
  let url: string;
  beforeAll(async () => {
    url = `mongodb://127.0.0.1:${await closedPort()}/alertbase_test`;
  });
  const archive = () => createMongoPayloadArchive({ url, timeoutMs: 300 });
  const opened: ReturnType<typeof archive>[] = [];
  afterAll(async () => {
    for (const a of opened) await a.close();
  });

  it('answers reads with ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE', async () => {
    const a = archive();
    opened.push(a);
    expect(a.engine).toBe('mongodb');
    const unavailable = { code: 'ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE', status: 503 };
    await expect(a.ping()).rejects.toMatchObject(unavailable);
    await expect(
      a.list('acme', { filter: { outcome: 'accepted' }, limit: 5 }),
    ).rejects.toMatchObject(unavailable);
    await expect(a.get('acme', 'x')).rejects.toMatchObject(unavailable);
    await expect(a.scan('acme', { from: new Date(0), to: new Date() }, 5)).rejects.toMatchObject(
      unavailable,
    );
    await expect(a.purge('acme', new Date(), 5)).rejects.toMatchObject(unavailable);
  });

  it('rejects a write with the driver error, and writes nothing for an empty batch', async () => {
    const a = archive();
    opened.push(a);
    await expect(a.write([])).resolves.toBeUndefined();
    const err = await a
      .write([
        {
          id: newId(),
          tenantId: 'acme',
          receivedAt: new Date(),
          requestId: 'r',
          keyId: 'k',
          door: 'alerts',
          format: 'json',
          outcome: 'accepted',
          issues: [],
          bytes: 2,
          body: [],
        },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toMatch(/^Mongo/);
  });

  it('closes whether or not it was used', async () => {
    await expect(archive().close()).resolves.toBeUndefined();
  });
});
