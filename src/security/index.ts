export * from './audit-chain-keys.js';
export * from './audit-checkpoint.js';
export * from './failure-limiter.js';
export * from './field-cipher.js';
export * from './ingest-quota.js';
export * from './key-ring.js';
export * from './passwords.js';
export * from './request-limiter.js';
