export * from './base/index.js';
export * from './domain/index.js';
