export {
  type AlertInput,
  type AlertPatch,
  AlertRepository,
} from './alert-repository.js';
export {
  AlertRuleRepository,
  type RuleIdsByName,
  RuleNameIndex,
} from './alert-rule-repository.js';
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
  type AuditRepository,
  type CreateInput,
  createRepositories,
  type InhibitRuleRepository,
  type NotificationChannelRepository,
  type PatchInput,
  type Repositories,
} from './create-repositories.js';
export { dataVersionOf } from './data-version.js';
export {
  type FilterSpec,
  ModelRepository,
  STORAGE_DUMP,
  type StoredModel,
} from './model-repository.js';
export { type OpenAlertView, readOpenAlerts } from './open-alerts.js';
export {
  type CompiledSilence,
  compileSilence,
  isSilenceActive,
  SilenceIndex,
  TenantSilences,
} from './silence-index.js';
export { SILENCE_SCHEDULE, type SilenceInput, SilenceRepository } from './silence-repository.js';
export { applySilences, SILENCER_ACTOR, type SuppressionResult } from './suppression.js';
export {
  type MemoLoader,
  type MemoStamp,
  TenantMemo,
  type TenantMemoOptions,
  tableStamp,
} from './tenant-memo.js';
export { type TenantInput, type TenantPatch, TenantRepository } from './tenant-repository.js';
export * from './types.js';
