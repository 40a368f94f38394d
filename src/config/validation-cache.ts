import type { ValidationCacheOptions } from '../base/validators/cache.js';
import type { AlertbaseConfig } from './schema.js';

/**
 * The validation cache a configuration asks for: `false` when
 * `validation.cache_enabled` is off or `VALIDATION_CACHE_TTL` is 0, else
 * its TTL. Pass it as `createValidator({ cache })`.
 *
 * @example
 * ```ts
 * createValidator({ model: AlertRule, cache: validationCacheOf(config) });
 * ```
 */
export function validationCacheOf(config: AlertbaseConfig): ValidationCacheOptions | false {
  const { cacheEnabled, cacheTtl } = config.validation;
  return cacheEnabled && cacheTtl > 0 ? { ttlSeconds: cacheTtl } : false;
}
