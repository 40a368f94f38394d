export * from './alertmanager/index.js';
export * from './prometheus/index.js';
