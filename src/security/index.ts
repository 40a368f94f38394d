export * from './failure-limiter.js';
export * from './ingest-quota.js';
export * from './request-limiter.js';
