import { describe } from 'vitest';
import { openDatabase } from '../../src/storage/index.js';
import { engineContract } from './engine-contract.js';

describe('engine contract: PGlite in a worker thread (memory)', () => {
  engineContract({ open: () => openDatabase({ url: 'memory://', pgliteThread: 'worker' }) });
});
