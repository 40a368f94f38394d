export * from './constants.js';
export * from './enums/index.js';
export * from './exceptions/index.js';
export * from './mixins/index.js';
export * from './serializers/index.js';
export * from './types/index.js';
export * from './utils/index.js';
export * from './validators/index.js';
