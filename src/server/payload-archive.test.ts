import { describe, expect, it } from 'vitest';
import { StorageError } from '../storage/errors.js';
import { isRefusal } from './payload-archive.js';

const named = (name: string) => Object.assign(new Error('x'), { name });

describe('payload archive: which failed writes are dropped rather than retried', () => {
  it('drops what the store refuses for its content', () => {
    const bad = new StorageError('ALERTBASE_STORAGE_QUERY_FAILED', {}, { sqlState: '22P02' });
    expect(isRefusal(bad)).toBe(true);
    expect(isRefusal(named('MongoServerError'))).toBe(true);
    expect(isRefusal(named('BSONError'))).toBe(true);
    expect(isRefusal(named('MongoInvalidArgumentError'))).toBe(true);
  });

  it('retries what may pass later: the store away, a lock, anything unknown', () => {
    expect(isRefusal(new StorageError('ALERTBASE_STORAGE_UNAVAILABLE', { reason: 'down' }))).toBe(
      false,
    );
    const locked = new StorageError('ALERTBASE_STORAGE_QUERY_FAILED', {}, { sqlState: '40P01' });
    expect(isRefusal(locked)).toBe(false);
    expect(isRefusal(named('MongoServerSelectionError'))).toBe(false);
    expect(isRefusal(named('MongoNetworkError'))).toBe(false);
    expect(isRefusal(null)).toBe(false);
  });
});
