import { describe, expect, it } from 'vitest';
import { isUnavailable, StorageError, toStorageError, unavailableReason } from './errors.js';

const withCode = (message: string, code: string): Error =>
  Object.assign(new Error(message), { code });

describe('toStorageError: unavailable or failed', () => {
  it.each([
    [withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'network: ECONNREFUSED'],
    [withCode('read ECONNRESET', 'ECONNRESET'), 'network: ECONNRESET'],
    [withCode('terminating connection due to administrator command', '57P01'), 'SQLSTATE 57P01'],
    [withCode('the database system is starting up', '57P03'), 'SQLSTATE 57P03'],
    [withCode('canceling statement due to statement timeout', '57014'), 'SQLSTATE 57014'],
    [withCode('canceling statement due to lock timeout', '55P03'), 'SQLSTATE 55P03'],
    [withCode('sorry, too many clients already', '53300'), 'SQLSTATE 53300'],
    [withCode('could not extend file: No space left on device', '53100'), 'SQLSTATE 53100'],
    [withCode('server closed the connection unexpectedly', '08006'), 'SQLSTATE 08006'],
    [
      new Error('Connection terminated unexpectedly'),
      'connection: Connection terminated unexpectedly',
    ],
    [
      new Error('timeout exceeded when trying to connect'),
      'connection: timeout exceeded when trying to connect',
    ],
  ])('%s is ALERTBASE_STORAGE_UNAVAILABLE (503)', (err, reason) => {
    expect(unavailableReason(err)).toBe(reason);
    const wrapped = toStorageError(err);
    expect([wrapped.code, wrapped.status, wrapped.context.reason, wrapped.cause]).toEqual([
      'ALERTBASE_STORAGE_UNAVAILABLE',
      503,
      reason,
      err,
    ]);
    expect(isUnavailable(wrapped)).toBe(true);
  });

  it.each([
    [withCode('duplicate key value violates unique constraint', '23505')],
    [withCode('new row violates row-level security policy', '42501')],
    [withCode('syntax error', '42601')],
    [new Error('something else')],
    ['not an error'],
  ])('%s stays ALERTBASE_STORAGE_QUERY_FAILED', (err) => {
    expect(unavailableReason(err)).toBeUndefined();
    const wrapped = toStorageError(err);
    expect(wrapped.code).toBe('ALERTBASE_STORAGE_QUERY_FAILED');
    expect(isUnavailable(wrapped)).toBe(false);
  });

  it('keeps a StorageError as it is; only a StorageError is unavailable', () => {
    const err = new StorageError('ALERTBASE_STORAGE_UNAVAILABLE', { reason: 'x' });
    expect(toStorageError(err)).toBe(err);
    expect(isUnavailable(new Error('ALERTBASE_STORAGE_UNAVAILABLE'))).toBe(false);
  });
});
