/**
 * Storage: PostgreSQL (a server, or PGlite embedded) with tenant isolation
 * enforced by row-level security. Drivers are loaded only when opened.
 */
export {
  AUDIT_MONTHS_AHEAD,
  type AuditPartition,
  auditPartitionOf,
  dropAuditPartitionIfCut,
  ensureAuditPartitions,
  listAuditPartitions,
} from './audit-partitions.js';
export {
  type AuditRetentionOptions,
  type AuditRetentionResult,
  cutAuditChain,
  purgeExpiredAudit,
} from './audit-retention.js';
export { APP_ROLE, TENANT_SETTING } from './base-database.js';
export type { PgliteDatabase, PgliteDatabaseOptions } from './drivers/pglite.js';
export type { PostgresDatabase, PostgresDatabaseOptions } from './drivers/postgres.js';
export { StorageError } from './errors.js';
export {
  assertIsolation,
  type IsolationCheckOptions,
  type IsolationReport,
} from './isolation-check.js';
export {
  autovacuumEnabled,
  chooseMaintenance,
  discountHotUpdates,
  flushStatistics,
  MAINTENANCE_LOCK,
  type MaintenanceAction,
  type MaintenanceThresholds,
  readTableActivity,
  readTableFootprint,
  runMaintenancePass,
  type TableActivity,
  type TableFootprint,
} from './maintenance.js';
export {
  checksumOf,
  MIGRATION_LOCK_KEY,
  MIGRATIONS_TABLE,
  type MigrateOptions,
  type MigrateResult,
  migrate,
} from './migrate.js';
export { MIGRATIONS } from './migrations/list.js';
export {
  type DatabaseTarget,
  type OpenDatabaseOptions,
  openDatabase,
  redactUrl,
  resolveDatabaseTarget,
} from './open-database.js';
export {
  loadPgliteTemplate,
  type PgliteTemplate,
  type PgliteTemplateOptions,
  type PgliteTemplateSeed,
  type PgliteTemplateSource,
  pgliteTemplate,
  pgliteTemplateSeed,
} from './pglite-template.js';
export * from './repositories/index.js';
export {
  archiveLines,
  exportTenant,
  importTenant,
  MAX_ARCHIVE_LINE_BYTES,
  TENANT_ARCHIVE_FORMAT,
  TENANT_ARCHIVE_MEDIA_TYPE,
  TENANT_ARCHIVE_VERSION,
  type TenantArchiveHeader,
  type TenantImportResult,
} from './tenant-archive.js';
export {
  archiveBytes,
  gzipArchive,
  TENANT_ARCHIVE_GZIP_MEDIA_TYPE,
} from './tenant-archive-stream.js';
export {
  type ArchiveColumn,
  type ArchiveTable,
  archiveTables,
  NOT_MOVED,
} from './tenant-archive-tables.js';
export { createTestDatabase, type TestDatabaseOptions } from './test-database.js';
export type {
  ChannelSubscription,
  Database,
  EngineKind,
  Migration,
  PlannerMethod,
  QueryEvent,
  QueryListener,
  QueryOptions,
  QueryResult,
  SqlClient,
  SqlRow,
  SqlValue,
  TransactionClient,
} from './types.js';
