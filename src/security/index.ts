export * from './failure-limiter.js';
export * from './request-limiter.js';
