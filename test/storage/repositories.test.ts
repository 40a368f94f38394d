import { describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  hashApiKey,
  openDatabase,
  tenantOfApiKey,
} from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';
import { repositoryContract } from './repository-contract.js';

describe('repository contract: PGlite (memory)', () => {
  repositoryContract({ open: () => createTestDatabase() });
});

describeWithServer('repository contract: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  repositoryContract({
    open: async () => {
      server ??= await createServerDatabase();
      return openDatabase({ url: server.url, poolSize: 8 });
    },
    dispose: async () => server?.drop(),
  });
});

describe('API key format', () => {
  it('names its tenant and hashes with SHA-256', () => {
    expect(tenantOfApiKey(`ab_acme-prod_${'0'.repeat(48)}`)).toBe('acme-prod');
    expect(tenantOfApiKey('ab_acme_short')).toBeUndefined();
    expect(hashApiKey('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
