export * from './go-template.js';
export * from './promql-check.js';
export * from './re2.js';
export * from './template-memo.js';
