/**
 * The payload archive's contract, the same for every engine: what is
 * written reads back exactly (hostile keys and text included), tenants
 * never see each other's entries, listings filter and page newest first by
 * keyset, scans go oldest first, purges remove only what is old and only
 * the tenant's, a batch written twice is stored once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/base/utils/ids.js';
import type {
  ArchivedPayload,
  ArchiveFilter,
  PayloadArchive,
} from '../../src/storage/archive/index.js';

/** How a suite gets its archive (a fresh one; `dispose` drops what it made). */
export interface ArchiveFixture {
  open(): Promise<PayloadArchive>;
  dispose?(): Promise<void>;
}

const A = 'tenant-a';
const B = 'tenant-b';
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const MINUTE = 60_000;

/** A body no engine may read as anything but data. */
// JSON.parse: `__proto__` as an own key (an object literal would set the prototype).
const HOSTILE_BODY: unknown = JSON.parse(
  JSON.stringify({
    $where: 'sleep(1000)',
    'labels.alertname': { $gt: '' },
    nested: [{ $set: { tenant_id: B } }, { 'a.b.c': ['$x', '.y'] }],
    '%24literal': '%2E',
    '': 'empty key',
    unicode: 'ünïcödé ✓ 😀 \u202e',
    quote: 'it\'s "quoted" \\ back',
    numbers: [0, -1.5, 1e21, 9007199254740991],
    flags: [true, false, null],
  }).replace('{', '{"__proto__":{"polluted":true},'),
);

function entry(
  tenantId: string,
  minute: number,
  overrides: Partial<ArchivedPayload> = {},
): ArchivedPayload {
  return {
    id: newId(),
    tenantId,
    receivedAt: new Date(T0 + minute * MINUTE),
    requestId: `req-${minute}`,
    keyId: 'key-1',
    door: 'alertmanager-v2',
    format: 'json',
    outcome: 'accepted',
    issues: [],
    bytes: 100 + minute,
    body: [{ labels: { alertname: `A${minute}` } }],
    ...overrides,
  };
}

/** Every page of a listing, following cursors. */
async function allPages(
  archive: PayloadArchive,
  tenantId: string,
  filter: ArchiveFilter,
  limit: number,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let k = 0; k < 100; k++) {
    const page = await archive.list(tenantId, { filter, limit, cursor });
    pages.push(page.items.map((i) => i.requestId));
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
  throw new Error('the listing does not end');
}

/** Runs the contract against one engine. */
export function payloadArchiveContract(fixture: ArchiveFixture): void {
  let archive: PayloadArchive;
  const aEntries = Array.from({ length: 25 }, (_, k) =>
    entry(A, k, {
      outcome: k % 5 === 0 ? 'rejected' : 'accepted',
      format: k % 2 === 0 ? 'json' : 'yaml',
      door: k % 3 === 0 ? 'alerts' : 'alertmanager-v2',
      ...(k % 5 === 0
        ? {
            issues: [
              { index: null, pointer: '', code: 'ALERTBASE_VALIDATION_FAILED', message: 'no' },
            ],
          }
        : {}),
    }),
  );
  const bEntries = Array.from({ length: 5 }, (_, k) => entry(B, k));

  beforeAll(async () => {
    archive = await fixture.open();
    // Both tenants in one write: the engine files each entry under its own tenant.
    await archive.write([...aEntries.slice(0, 10), ...bEntries, ...aEntries.slice(10)]);
  });
  afterAll(async () => {
    await archive?.close();
    await fixture.dispose?.();
  });

  it('reads back exactly what was written: hostile keys, text and numbers as data', async () => {
    const hostile = entry(A, 100, {
      body: HOSTILE_BODY,
      issues: [{ index: 2, pointer: '/labels/$where', code: 'custom', message: "it's bad" }],
      format: 'msgpack',
      door: 'alertmanager-webhook',
      outcome: 'accepted',
    });
    await archive.write([hostile]);
    const got = await archive.get(A, hostile.id);
    expect(got).toEqual(hostile);
    expect(Object.hasOwn(got?.body as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Stored as data: listing with a filter still finds exactly this entry.
    const page = await archive.list(A, { filter: { format: 'msgpack' }, limit: 10 });
    expect(page.items.map((i) => i.id)).toEqual([hostile.id]);
    expect(page.items[0]).not.toHaveProperty('body');
  });

  it('keeps tenants apart: no read, listing, scan or purge reaches another tenant', async () => {
    const theirs = bEntries[0] as ArchivedPayload;
    expect(await archive.get(A, theirs.id)).toBeUndefined();
    expect(await archive.get(B, theirs.id)).toMatchObject({ id: theirs.id, tenantId: B });
    const listed = await allPages(archive, B, {}, 1_000);
    expect(listed.flat()).toHaveLength(5);
    const scanned = await archive.scan(B, {}, 1_000);
    expect(scanned.every((e) => e.tenantId === B)).toBe(true);
    expect(await archive.purge('tenant-c', new Date(T0 + 10_000 * MINUTE), 1_000)).toBe(0);
    expect(await archive.get(B, theirs.id)).toBeDefined();
    for (const hostile of ["' OR '1'='1", '{"$ne": null}', '.*', '%']) {
      expect(await archive.get(hostile, theirs.id)).toBeUndefined();
      expect((await archive.list(hostile, { filter: {}, limit: 10 })).items).toEqual([]);
      expect(await archive.get(A, hostile)).toBeUndefined();
    }
  });

  it('lists newest first and pages by keyset without gaps or repeats', async () => {
    const pages = await allPages(archive, A, { to: new Date(T0 + 25 * MINUTE) }, 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, k) => `req-${24 - k}`));
  });

  it('pages entries received in the same millisecond by id', async () => {
    const at = T0 + 5_000 * MINUTE;
    const same = Array.from({ length: 7 }, (_, k) =>
      entry(A, 0, { receivedAt: new Date(at), requestId: `same-${k}` }),
    );
    await archive.write(same);
    const filter = { from: new Date(at), to: new Date(at + 1) };
    const pages = await allPages(archive, A, filter, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(new Set(pages.flat()).size).toBe(7);
  });

  it('filters by time range, outcome, format and route', async () => {
    const ids = async (filter: ArchiveFilter) => (await allPages(archive, A, filter, 1_000)).flat();
    const range = { from: new Date(T0 + 5 * MINUTE), to: new Date(T0 + 10 * MINUTE) };
    expect(await ids(range)).toEqual(['req-9', 'req-8', 'req-7', 'req-6', 'req-5']);
    expect(await ids({ ...range, outcome: 'rejected' })).toEqual(['req-5']);
    expect(await ids({ ...range, format: 'yaml' })).toEqual(['req-9', 'req-7', 'req-5']);
    expect(await ids({ ...range, door: 'alerts' })).toEqual(['req-9', 'req-6']);
    expect(await ids({ ...range, outcome: 'accepted', format: 'json', door: 'alerts' })).toEqual([
      'req-6',
    ]);
  });

  it('refuses a cursor of another listing', async () => {
    const first = await archive.list(A, { filter: { outcome: 'accepted' }, limit: 2 });
    expect(first.nextCursor).not.toBeNull();
    await expect(
      archive.list(A, {
        filter: { outcome: 'rejected' },
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      }),
    ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_CURSOR_INVALID' });
    await expect(
      archive.list(A, { filter: {}, limit: 2, cursor: 'not-a-cursor' }),
    ).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_CURSOR_INVALID' });
  });

  it('scans oldest first, with the body, up to the limit', async () => {
    const scanned = await archive.scan(
      A,
      { from: new Date(T0 + 3 * MINUTE), to: new Date(T0 + 20 * MINUTE), outcome: 'accepted' },
      4,
    );
    expect(scanned.map((e) => e.requestId)).toEqual(['req-3', 'req-4', 'req-6', 'req-7']);
    expect(scanned[0]?.body).toEqual([{ labels: { alertname: 'A3' } }]);
  });

  it('stores a batch written again once', async () => {
    const again = aEntries.slice(20, 25);
    await archive.write(again);
    const listed = await allPages(
      archive,
      A,
      { from: new Date(T0 + 20 * MINUTE), to: new Date(T0 + 25 * MINUTE) },
      1_000,
    );
    expect(listed.flat()).toEqual(['req-24', 'req-23', 'req-22', 'req-21', 'req-20']);
  });

  it('purges only entries received before the cut-off, at most the limit per call', async () => {
    const cutoff = new Date(T0 + 10 * MINUTE);
    expect(await archive.purge(A, cutoff, 4)).toBe(4);
    expect(await archive.purge(A, cutoff, 100)).toBe(6);
    expect(await archive.purge(A, cutoff, 100)).toBe(0);
    const left = (await allPages(archive, A, { to: new Date(T0 + 25 * MINUTE) }, 1_000)).flat();
    expect(left).toHaveLength(15);
    expect(left.at(-1)).toBe('req-10');
    expect((await allPages(archive, B, {}, 1_000)).flat()).toHaveLength(5);
  });

  it('answers ping', async () => {
    await expect(archive.ping()).resolves.toBeUndefined();
  });
}
