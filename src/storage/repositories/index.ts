export {
  type AlertInput,
  type AlertPatch,
  AlertRepository,
} from './alert-repository.js';
export {
  API_KEY_PATTERN,
  type ApiKeyInput,
  type ApiKeyPatch,
  ApiKeyRepository,
  type ApiKeyRequest,
  hashApiKey,
  type IssuedApiKey,
  tenantOfApiKey,
} from './api-key-repository.js';
export {
  type AuditAction,
  type AuditEntryInput,
  type AuditListOptions,
  type AuditPage,
  appendAudit,
  chainHash,
  digestOf,
  GENESIS_HASH,
  listAuditEvents,
  listAuditPage,
  verifyAuditChain,
} from './audit-log.js';
export {
  type AlertRuleRepository,
  type AuditRepository,
  type CreateInput,
  createRepositories,
  type NotificationChannelRepository,
  type PatchInput,
  type Repositories,
  type SilenceRepository,
} from './create-repositories.js';
export {
  type FilterSpec,
  ModelRepository,
  STORAGE_DUMP,
  type StoredModel,
} from './model-repository.js';
export { type TenantInput, type TenantPatch, TenantRepository } from './tenant-repository.js';
export * from './types.js';
