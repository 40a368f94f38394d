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
  type AuditKeys,
  type AuditListOptions,
  type AuditPage,
  appendAudit,
  appendAuditMany,
  auditHashAt,
  auditHeadOf,
  chainHash,
  digestOf,
  GENESIS_HASH,
  listAuditEvents,
  listAuditPage,
  type TimedAuditEntry,
  type VerifyAuditOptions,
  verifyAuditChain,
} from './audit-log.js';
export {
  CACHE_CHANGES_CHANNEL,
  type CacheChange,
  notifyCacheChange,
  parseCacheChange,
} from './cache-changes.js';
export {
  type AuditRepository,
  type CreateInput,
  createRepositories,
  type InhibitRuleRepository,
  type NotificationChannelRepository,
  type PatchInput,
  type Repositories,
  type RepositoriesOptions,
  type RoutingTreeRepository,
} from './create-repositories.js';
export { cacheVersionOf, dataVersionOf } from './data-version.js';
export {
  HEARTBEAT_ENTRY_BYTES,
  HEARTBEAT_MEMORY_SHARE,
  heartbeatEntriesFor,
} from './heartbeat-index.js';
export {
  type BudgetedMemo,
  DEFAULT_MEMO_BUDGET_BYTES,
  MEMO_MEMORY_SHARE,
  MemoBudget,
  memoBudgetBytes,
} from './memo-budget.js';
export {
  type FilterSpec,
  ModelRepository,
  type ModelRepositoryOptions,
  STORAGE_DUMP,
  type StoredModel,
} from './model-repository.js';
export {
  NotificationGroups,
  type NotificationGroupsOptions,
} from './notification-groups.js';
export {
  type AttemptOutcome,
  type ClaimedNotification,
  type NotificationFilter,
  NotificationOutbox,
  type OutboxOptions,
} from './notification-outbox.js';
export { type OpenAlertView, readOpenAlerts } from './open-alerts.js';
export {
  type RecordPlace,
  type SecretCipher,
  type StoredSecretPlace,
  sealSecrets,
  unsealSecrets,
} from './secret-fields.js';
export {
  type ReencryptFailure,
  type ReencryptOptions,
  type ReencryptProgress,
  type ReencryptResult,
  reencryptSecrets,
} from './secret-rotation.js';
export {
  type CompiledSilence,
  compileSilence,
  isSilenceActive,
  SilenceIndex,
  TenantSilences,
} from './silence-index.js';
export { SILENCE_SCHEDULE, type SilenceInput, SilenceRepository } from './silence-repository.js';
export { ROUTING_TREE_NAME } from './specs.js';
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
export {
  type OpenedSession,
  SESSION_TOKEN_PATTERN,
  type SessionRecord,
  type SessionUser,
  type UserInput,
  type UserPatch,
  UserRepository,
} from './user-repository.js';
