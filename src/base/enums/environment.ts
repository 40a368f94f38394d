import { defineEnum } from './define-enum.js';

/**
 * Deployment environment an alert or rule belongs to.
 *
 * @example
 * ```ts
 * Environment.parse('staging'); // 'staging'
 * ```
 */
export const Environment = defineEnum(
  'Environment',
  ['production', 'staging', 'development', 'test'],
  { description: 'Deployment environment.' },
);
/** Deployment environment: `production`, `staging`, `development`, `test`. */
export type Environment = (typeof Environment.values)[number];
