import { describe, expect, it } from 'vitest';
import { warmModules } from './warm-up.js';

describe('warmModules (performance.lazy_loading off)', () => {
  it('imports the drivers, ioredis, the metrics server, the password and format libraries', async () => {
    expect(await warmModules()).toEqual([
      'postgres driver',
      'pglite driver',
      'pg',
      '@electric-sql/pglite',
      'ioredis',
      'metrics server',
      '@node-rs/argon2',
      'bcryptjs',
      'msgpackr',
      'protobufjs',
      'fast-xml-parser',
    ]);
  });
});
