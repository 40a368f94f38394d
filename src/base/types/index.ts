export * from './compiler/settings.js';
export * from './fields.js';
export * from './model.js';
export * from './secret.js';
export type { StandardSchemaV1 } from './standard-schema.js';
