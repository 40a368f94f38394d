// The PromQL, RE2 and Go template checkers live in base/ (every layer uses
// them); they stay importable from here as before.
export * from '../../base/prometheus/index.js';
export * from './alert-rules.js';
export * from './rule-file.js';
export * from './types.js';
export * from './write.js';
