import { describe, expect, it } from 'vitest';
import { ValidationError } from '../exceptions/index.js';
import { isUuidV7, newId, UUID_V7_PATTERN, uuidV7Timestamp } from './ids.js';

function issueCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues[0]?.code;
  }
  return undefined;
}

describe('newId', () => {
  it('makes canonical lowercase UUIDv7s', () => {
    const id = newId();
    expect(id).toMatch(UUID_V7_PATTERN);
    expect(isUuidV7(id)).toBe(true);
  });

  it('makes ids that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 1_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('embeds the current time', () => {
    const before = Date.now();
    const at = uuidV7Timestamp(newId());
    // uuid keeps ids increasing, which may move the embedded time ahead by a few ms.
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThan(Date.now() + 1_000);
  });

  it('embeds a given time', () => {
    expect(uuidV7Timestamp(newId(1_700_000_000_000))).toBe(1_700_000_000_000);
    expect(uuidV7Timestamp(newId(new Date('2020-01-01T00:00:00Z')))).toBe(
      Date.parse('2020-01-01T00:00:00Z'),
    );
    expect(uuidV7Timestamp(newId(0))).toBe(0);
    expect(newId(new Date('2020-01-01T00:00:00Z')) < newId()).toBe(true);
  });

  it.each([-1, 1.5, 2 ** 48, Number.NaN])('refuses the time %d', (at) => {
    expect(issueCode(() => newId(at))).toBe('invalid_timestamp');
  });

  it('refuses an invalid Date', () => {
    expect(issueCode(() => newId(new Date(Number.NaN)))).toBe('invalid_timestamp');
  });
});

describe('isUuidV7', () => {
  it.each([
    ['0190a4b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b', true],
    ['0190a4b2-7c3d-7e4f-ba1b-2c3d4e5f6a7b', true],
    ['0190A4B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B', false],
    ['550e8400-e29b-41d4-a716-446655440000', false],
    ['0190a4b2-7c3d-7e4f-ca1b-2c3d4e5f6a7b', false],
    ['0190a4b27c3d7e4f8a1b2c3d4e5f6a7b', false],
    ['{0190a4b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b}', false],
    ['', false],
    [42, false],
    [null, false],
  ])('%j → %s', (value, expected) => {
    expect(isUuidV7(value)).toBe(expected);
  });
});

describe('uuidV7Timestamp', () => {
  it('reads the first 48 bits as Unix milliseconds', () => {
    expect(uuidV7Timestamp('0190a4b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b')).toBe(0x0190a4b27c3d);
    expect(uuidV7Timestamp('ffffffff-ffff-7fff-bfff-ffffffffffff')).toBe(2 ** 48 - 1);
  });

  it('refuses anything but a canonical UUIDv7', () => {
    expect(issueCode(() => uuidV7Timestamp('550e8400-e29b-41d4-a716-446655440000'))).toBe(
      'invalid_uuid_v7',
    );
  });
});
