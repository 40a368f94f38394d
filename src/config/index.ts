export {
  type CacheBudget,
  cacheBudgetOf,
  L1_MAX_ENTRIES,
  L1_MEMORY_SHARE,
} from './cache-budget.js';
export type { EnvVars } from './env-layer.js';
export { formatConfig, maskUrl, URL_SECRET_MASK } from './format-config.js';
export type { ConfigSource } from './layer.js';
export { liveSummary } from './live-summary.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.js';
export {
  ADMIN_KEY_ENV,
  type AlertbaseConfig,
  type AlertbaseConfigOverrides,
  AlertbaseConfigSchema,
  adminKeysOf,
  CONFIG_FILE_ENV,
  CONFIG_SETTINGS,
  type ConfigSection,
  type ConfigSetting,
  ENCRYPTION_KEYS_ENV,
  FILE_ROOT_KEY,
  SECRET_FILE_SUFFIX,
  SERIALIZATION_FORMATS,
  type SerializationFormat,
} from './schema.js';
export { validationCacheOf } from './validation-cache.js';
