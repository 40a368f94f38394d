export * from './alert-rules.js';
export * from './promql-check.js';
export * from './re2.js';
export * from './rule-file.js';
export * from './template.js';
export * from './types.js';
export * from './write.js';
