/**
 * MongoDB has no row-level security: the payload archive's isolation rests
 * on one function, `tenantFilter`. This reads the engine's source and checks
 * that every call on the collection that reads or deletes passes a filter
 * built by it, that the collection is opened in one place, and that the
 * only other calls are the insert (each document carries its entry's
 * tenant) and the index.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tenantFilter } from './mongo-payload-archive.js';

const source = readFileSync(
  fileURLToPath(new URL('./mongo-payload-archive.ts', import.meta.url)),
  'utf8',
);

/** Every `coll.<method>(` / `coll\n.<method>(` call and the text of its first argument. */
function collectionCalls(text: string): { method: string; argument: string }[] {
  const calls: { method: string; argument: string }[] = [];
  const pattern = /\bcoll\s*\.\s*(\w+)\s*(?:<[^>]*>)?\(\s*/g;
  for (const match of text.matchAll(pattern)) {
    const rest = text.slice((match.index ?? 0) + match[0].length);
    calls.push({ method: match[1] ?? '', argument: rest.slice(0, 40) });
  }
  return calls;
}

describe('MongoDB payload archive: every query carries the tenant', () => {
  it('every read and delete on the collection goes through tenantFilter', () => {
    const calls = collectionCalls(source);
    expect(calls.length).toBeGreaterThanOrEqual(6);
    const methods = new Set(calls.map((c) => c.method));
    expect([...methods].sort()).toEqual(
      ['createIndex', 'deleteMany', 'find', 'findOne', 'insertMany'].sort(),
    );
    for (const call of calls) {
      if (call.method === 'insertMany' || call.method === 'createIndex') continue;
      expect(call.argument, `coll.${call.method}(...)`).toMatch(/^tenantFilter\(tenantId,/);
    }
  });

  it('reaches the collection in one place, and no other handle escapes', () => {
    expect(source.match(/\.collection\s*</g)).toHaveLength(1);
    // The driver's handles are never returned from the engine's methods.
    expect(source).not.toMatch(/return\s+coll\b/);
    expect(source).not.toMatch(/\.(aggregate|updateMany|updateOne|replaceOne|bulkWrite|watch)\(/);
  });

  it('puts the tenant last, so no condition can name another', () => {
    expect(tenantFilter('acme', { tenant_id: 'globex', outcome: 'accepted' })).toEqual({
      tenant_id: 'acme',
      outcome: 'accepted',
    });
    expect(tenantFilter('acme')).toEqual({ tenant_id: 'acme' });
    expect(() => tenantFilter('')).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_STORAGE_TENANT_REQUIRED' }),
    );
  });
});
