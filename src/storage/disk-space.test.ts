import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDiskSpaceGuard, freeBytesOf } from './disk-space.js';

describe('the disk space guard', () => {
  it('measures the nearest existing directory of a path not yet created', async () => {
    const free = await freeBytesOf(join(tmpdir(), 'alertbase-not-there', 'deeper'));
    expect(free).toBeGreaterThan(0);
    expect(Math.abs(free - (await freeBytesOf(tmpdir())))).toBeLessThan(64 * 1024 * 1024);
  });

  it('passes with room to spare and refuses below the reserve, naming both', async () => {
    await expect(createDiskSpaceGuard(tmpdir(), 1).assert()).resolves.toBeUndefined();
    const guard = createDiskSpaceGuard(tmpdir(), Number.MAX_SAFE_INTEGER);
    const err = await guard.assert().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ALERTBASE_STORAGE_DISK_FULL',
      status: 503,
      context: { dataDir: tmpdir(), reserveMb: Math.ceil(Number.MAX_SAFE_INTEGER / 1048576) },
    });
    // Measured once per interval: the second call refuses from the same measurement.
    await expect(guard.assert()).rejects.toMatchObject({ code: 'ALERTBASE_STORAGE_DISK_FULL' });
  });

  it('lets other errors of the file system through', async () => {
    await expect(freeBytesOf('\0bad')).rejects.toThrow();
  });
});
