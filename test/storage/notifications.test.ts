import { describe } from 'vitest';
import { createTestDatabase, openDatabase } from '../../src/storage/index.js';
import { createServerDatabase, describeWithServer, type ServerDatabase } from './helpers/server.js';
import { notificationContract } from './notification-contract.js';

describe('notifications: PGlite (memory)', () => {
  notificationContract({ open: () => createTestDatabase() });
});

describeWithServer('notifications: PostgreSQL server', () => {
  let server: ServerDatabase | undefined;
  notificationContract({
    open: async () => {
      server ??= await createServerDatabase();
      return openDatabase({ url: server.url, poolSize: 8 });
    },
    dispose: async () => server?.drop(),
  });
});
