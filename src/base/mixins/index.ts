export * from './audit.js';
export * from './metadata.js';
export * from './mixin.js';
export * from './soft-delete.js';
export * from './tenant.js';
export * from './timestamp.js';
export * from './versioned.js';
