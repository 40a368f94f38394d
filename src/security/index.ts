export * from './failure-limiter.js';
