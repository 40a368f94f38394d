export * from './canonical-json.js';
export * from './case.js';
export * from './deep-freeze.js';
export * from './duration.js';
export * from './entropy.js';
export * from './fingerprint.js';
export * from './ids.js';
export { isoString } from './iso-time.js';
export * from './promql.js';
