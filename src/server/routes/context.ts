import type { Serializer } from '../../base/serializers/index.js';
import type { AlertbaseConfig } from '../../config/index.js';
import type { NotificationChannel } from '../../domain/index.js';
import type { AlertbaseMetrics } from '../../observability/index.js';
import type { FailureLimiter, IngestQuota, KeyRing } from '../../security/index.js';
import type { Database } from '../../storage/index.js';
import type {
  MemoBudget,
  NotificationGroups,
  NotificationOutbox,
  Repositories,
} from '../../storage/repositories/index.js';
import type { AlertSeries } from '../alert-series.js';
import type { ChannelTestOutcome } from '../channel-test.js';
import type { PayloadArchiveService } from '../payload-archive.js';
import type { QueryCache } from '../query-cache.js';
import type { TenantCache } from '../tenant-cache.js';

/** What every route module is given. */
export interface RouteContext {
  readonly db: Database;
  readonly repos: Repositories;
  /** Tenants, cached for a few seconds. */
  readonly tenants: TenantCache;
  readonly config: AlertbaseConfig;
  readonly serializer: Serializer;
  /** Largest request body, bytes. */
  readonly bodyLimit: number;
  /** Forgets the API keys auth has cached (after a revocation). */
  readonly forgetKeys: () => void;
  /** Failed authentication, per client address and key prefix (logins count here too). */
  readonly authFailures: FailureLimiter;
  /** The key ring (signs audit checkpoints); `undefined` when none is configured. */
  readonly keyRing: KeyRing | undefined;
  /** The metrics, when `METRICS_ENABLED` is on. */
  readonly metrics: AlertbaseMetrics | undefined;
  /** The clock. */
  readonly now: () => Date;
  /** Cached answers of list endpoints (`ENABLE_QUERY_CACHE`). */
  readonly queryCache: QueryCache;
  /** Alerts ingested per minute per tenant (`maxAlertsPerMinute`). */
  readonly ingestQuota: IngestQuota;
  /** The notification outbox and groups, and a way to wake their scheduler. */
  readonly notifications: NotificationService;
  /** Time between two reads of a tenant's audit trail by `GET /v1/events`, ms (default 1,000). */
  readonly eventPollMs?: number | undefined;
  /** The alert time series: its store (statistics), writer and readiness check. */
  readonly series: AlertSeries;
  /** The payload archive: its store (lists, replay) and the writer ingest records into. */
  readonly archive: PayloadArchiveService;
  /**
   * The bytes ingest's memos of resends share: the wire's decoded items, the
   * Alertmanager route's mapped alerts and the repositories' validated ones
   * (a quarter of `MAX_MEMORY_USAGE_MB`; `memo-budget.ts`).
   */
  readonly memoBudget: MemoBudget;
}

/** Notifications as the routes see them. */
export interface NotificationService {
  readonly groups: NotificationGroups;
  readonly outbox: NotificationOutbox;
  /** Wakes this process's notification scheduler (after a change that left events). */
  poke(): void;
  /** Sends a test message through a channel now, and audits it (`POST /v1/channels/{id}/test`). */
  test(tenantId: string, channel: NotificationChannel, actor: string): Promise<ChannelTestOutcome>;
}
