export * from './cache.js';
export * from './check.js';
export * from './consistency.js';
export * from './injection.js';
export * from './performance.js';
export {
  createValidator,
  type DefaultCheckOptions,
  defaultChecks,
  type Locate,
  type ValidateOptions,
  type Validator,
  type ValidatorOptions,
} from './pipeline.js';
export * from './promql-analysis.js';
export * from './result.js';
export * from './secrets.js';
export * from './security.js';
export { type SemanticCheckOptions, semanticChecks } from './semantic.js';
export * from './ssrf.js';
export * from './syntax.js';
export * from './template.js';
export * from './validators.js';
