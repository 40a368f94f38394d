import { describe } from 'vitest';
import { createTestDatabase, openDatabase } from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';
import { silenceContract } from './silence-contract.js';

describe('silences: PGlite (memory)', () => {
  silenceContract({ open: () => createTestDatabase() });
});

describeWithServer('silences: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  silenceContract({
    open: async () => {
      server ??= await createServerDatabase();
      return openDatabase({ url: server.url, poolSize: 8 });
    },
    dispose: async () => server?.drop(),
  });
});
