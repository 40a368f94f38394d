import type { InputOf } from '../../base/types/model.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { InhibitRule } from '../../domain/inhibit-rule.js';
import type { NotificationChannel } from '../../domain/notification-channel.js';
import type { RoutingTree } from '../../domain/routing-tree.js';
import type { AlertEventSink } from '../series/types.js';
import type { Database } from '../types.js';
import { AlertRepository } from './alert-repository.js';
import { AlertRuleRepository, RuleNameIndex } from './alert-rule-repository.js';
import { ApiKeyRepository } from './api-key-repository.js';
import {
  type AuditKeys,
  type AuditListOptions,
  type AuditPage,
  listAuditEvents,
  listAuditPage,
  verifyAuditChain,
} from './audit-log.js';
import type { MemoBudget } from './memo-budget.js';
import { ModelRepository } from './model-repository.js';
import type { SecretCipher } from './secret-fields.js';
import { SilenceIndex } from './silence-index.js';
import { SilenceRepository } from './silence-repository.js';
import { INHIBIT_RULES, NOTIFICATION_CHANNELS, ROUTING_TREES } from './specs.js';
import { TenantRepository } from './tenant-repository.js';
import type { AuditChainVerification, StatusFilter } from './types.js';
import { UserRepository } from './user-repository.js';

/** Input of a new record of model `M`: its input without `tenantId` (the repository sets it). */
export type CreateInput<M> = Omit<InputOf<M>, 'tenantId'> & { readonly tenantId?: string };
/** A patch of a record of model `M`. */
export type PatchInput<M> = Partial<InputOf<M>>;

/** Notification channels: filter by status (`enabled`/`disabled`). */
export type NotificationChannelRepository = ModelRepository<
  NotificationChannel,
  CreateInput<typeof import('../../domain/notification-channel.js').NotificationChannel>,
  PatchInput<typeof import('../../domain/notification-channel.js').NotificationChannel>,
  StatusFilter
>;
/** Inhibition rules (no filters). */
export type InhibitRuleRepository = ModelRepository<
  InhibitRule,
  CreateInput<typeof import('../../domain/inhibit-rule.js').InhibitRule>,
  PatchInput<typeof import('../../domain/inhibit-rule.js').InhibitRule>,
  Record<string, never>
>;

/** Routing trees (one live tree per tenant; no filters). */
export type RoutingTreeRepository = ModelRepository<
  RoutingTree,
  CreateInput<typeof import('../../domain/routing-tree.js').RoutingTree>,
  PatchInput<typeof import('../../domain/routing-tree.js').RoutingTree>,
  Record<string, never>
>;

/** The read side of the audit trail (writes happen in the other repositories' transactions). */
export interface AuditRepository {
  /** Verifies the tenant's hash chain; see {@link verifyAuditChain}. */
  verify(tenantId: string): Promise<AuditChainVerification>;
  /** Events in chain order, filtered; see {@link listAuditEvents}. */
  list(tenantId: string, options?: AuditListOptions): Promise<AuditEvent[]>;
  /** A page of events in chain order, with `nextAfter`; see {@link listAuditPage}. */
  page(tenantId: string, options?: AuditListOptions): Promise<AuditPage>;
}

/** Every repository of alertbase over one database. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly alertRules: AlertRuleRepository;
  readonly alerts: AlertRepository;
  readonly notificationChannels: NotificationChannelRepository;
  readonly silences: SilenceRepository;
  readonly inhibitRules: InhibitRuleRepository;
  readonly routingTrees: RoutingTreeRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly users: UserRepository;
  readonly audit: AuditRepository;
  /** The keys the audit entries of these repositories are sealed with, if any. */
  readonly auditKeys: AuditKeys | undefined;
}

/** Options of {@link createRepositories}. */
export interface RepositoriesOptions {
  /**
   * Encrypts secret fields at rest (channel tokens, webhook URLs, routing
   * keys): `new FieldCipher(keyRing)` of `alertbase/security`. Without it,
   * records with secrets can be neither stored nor revealed
   * (`ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE`); everything else works.
   */
  readonly cipher?: SecretCipher | undefined;
  /**
   * Seals the audit chain (HMAC-SHA-256 under a key outside the database):
   * `auditKeysOf(keyRing)` of `alertbase/security`. With them every entry is
   * sealed and `audit.verify` requires it; without them entries are plain
   * SHA-256, which anyone who can write the database can recompute.
   */
  readonly auditKeys?: AuditKeys | undefined;
  /**
   * Where alert changes go as time-series points once committed (the
   * service's series writer; see `docs/stores.md`). Absent: none are made.
   */
  readonly alertEvents?: AlertEventSink | undefined;
  /**
   * How long ingest may hold a heartbeat before writing it, ms (see
   * `AlertIndexes.heartbeatWindowMs`); default 0: every resend is written
   * before the answer. Call `repos.alerts.close()` before closing the
   * database when it is above 0.
   */
  readonly heartbeatWindowMs?: number | undefined;
  /** A heartbeat flush failed (it is retried with the next window). */
  readonly onHeartbeatError?: ((err: unknown) => void) | undefined;
  /**
   * Entries of the heartbeat index of all tenants at most (the service:
   * `heartbeatEntriesFor(MAX_MEMORY_USAGE_MB)`); absent: 500,000 per tenant only.
   */
  readonly heartbeatMaxEntries?: number | undefined;
  /**
   * The bytes ingest's memo of validated alerts may hold, shared with other
   * memos of the same budget (`memo-budget.ts`; the service shares one with
   * its routes); absent: a budget of its own, 128 MiB.
   */
  readonly memoBudget?: MemoBudget | undefined;
}

/**
 * The repositories of every domain model over one database (PGlite or a
 * server); they hold no state besides the database (and the cipher).
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url: process.env.DATABASE_URL });
 * const repos = createRepositories(db, { cipher: new FieldCipher(KeyRing.parse(process.env.ALERTBASE_ENCRYPTION_KEYS ?? '')) });
 * await repos.tenants.create({ id: 'acme', name: 'Acme' }, 'admin');
 * const rule = await repos.alertRules.create('acme', { name: 'cpu', level: 'high', priority: 'P2', condition: 'cpu > 80' }, 'user:42');
 * ```
 */
export function createRepositories(db: Database, options: RepositoriesOptions = {}): Repositories {
  const silenceIndex = new SilenceIndex(db);
  const ruleNames = new RuleNameIndex(db);
  const auditKeys = options.auditKeys;
  const sealed = { auditKeys };
  return Object.freeze({
    tenants: new TenantRepository(db, auditKeys),
    alertRules: new AlertRuleRepository(db, ruleNames, sealed),
    alerts: new AlertRepository(
      db,
      {
        silences: silenceIndex,
        ruleNames,
        events: options.alertEvents,
        heartbeatWindowMs: options.heartbeatWindowMs,
        onHeartbeatError: options.onHeartbeatError,
        heartbeatMaxEntries: options.heartbeatMaxEntries,
        memoBudget: options.memoBudget,
      },
      sealed,
    ),
    notificationChannels: new ModelRepository(db, NOTIFICATION_CHANNELS, {
      cipher: options.cipher,
      auditKeys,
    }),
    silences: new SilenceRepository(db, silenceIndex, { ...sealed, events: options.alertEvents }),
    inhibitRules: new ModelRepository(db, INHIBIT_RULES, sealed),
    routingTrees: new ModelRepository(db, ROUTING_TREES, sealed),
    apiKeys: new ApiKeyRepository(db, sealed),
    users: new UserRepository(db, sealed),
    auditKeys,
    audit: Object.freeze({
      verify: (tenantId: string) => verifyAuditChain(db, tenantId, { keys: auditKeys }),
      list: (tenantId: string, options?: AuditListOptions) =>
        listAuditEvents(db, tenantId, options),
      page: (tenantId: string, options?: AuditListOptions) => listAuditPage(db, tenantId, options),
    }),
  });
}
