import { Counter, Gauge, type Registry, type RegistryContentType } from 'prom-client';
import type { AlertbaseMetrics, IngestOutcome } from './metrics.js';

/** What {@link observeIngest} wraps: a store with alertbase's `ingest` (the alert repository). */
export interface IngestStore<A extends unknown[], R extends IngestCounted> {
  ingest(tenantId: string, ...rest: A): Promise<R>;
}

/** A result carrying the counts of its outcomes. */
export interface IngestCounted {
  readonly counts: Readonly<Partial<Record<IngestOutcome, number>>>;
}

/**
 * Counts the outcomes of every batch `store.ingest` stores, per tenant
 * (`alertbase_ingest_alerts_total`), by wrapping that one method of that
 * one object: every route that ingests is counted, and the store itself
 * knows nothing of metrics.
 *
 * @example
 * ```ts
 * observeIngest(repos.alerts, metrics);
 * ```
 */
export function observeIngest<A extends unknown[], R extends IngestCounted>(
  store: IngestStore<A, R>,
  metrics: AlertbaseMetrics,
): void {
  const ingest = store.ingest.bind(store);
  store.ingest = async (tenantId, ...rest) => {
    const result = await ingest(tenantId, ...rest);
    metrics.ingest(tenantId, result.counts);
    return result;
  };
}

/** What {@link observeMemoBudget} reads: a memo budget (`storage/repositories/memo-budget.ts`). */
export interface MemoBudgetView {
  readonly maxBytes: number;
  readonly used: number;
  readonly startOvers: number;
  readonly refused: number;
}

/**
 * Exports what ingest's memos of resends hold, read at each scrape:
 * `alertbase_ingest_memo_bytes` (estimated), its bound
 * `alertbase_ingest_memo_limit_bytes` (a quarter of `MAX_MEMORY_USAGE_MB`),
 * `alertbase_ingest_memo_start_overs_total` and
 * `alertbase_ingest_memo_refused_total`. Refusals that keep rising tell
 * that more distinct alerts fire than the memos hold: the resends of those
 * not kept are validated in full (raise `MAX_MEMORY_USAGE_MB`).
 *
 * @example
 * ```ts
 * observeMemoBudget(metrics.registry, memoBudget);
 * ```
 */
export function observeMemoBudget(
  registry: Registry<RegistryContentType>,
  budget: MemoBudgetView,
): void {
  new Gauge({
    name: 'alertbase_ingest_memo_bytes',
    help: 'Memory held by the memos of resends (decoded, mapped and validated alerts), estimated.',
    registers: [registry],
    collect() {
      this.set(budget.used);
    },
  });
  new Gauge({
    name: 'alertbase_ingest_memo_limit_bytes',
    help: 'The bytes the memos of resends may hold before they start over (MAX_MEMORY_USAGE_MB / 4).',
    registers: [registry],
  }).set(budget.maxBytes);
  const counters: readonly [string, string, () => number][] = [
    [
      'alertbase_ingest_memo_start_overs_total',
      'Times the memos of resends started over because an entry did not fit their bytes.',
      () => budget.startOvers,
    ],
    [
      'alertbase_ingest_memo_refused_total',
      'Entries the memos of resends did not keep: full, and started over less than 10 minutes ago.',
      () => budget.refused,
    ],
  ];
  registerReadCounters(registry, counters);
}

/**
 * Counters whose values are read at each scrape from a running total kept
 * elsewhere (`read`, which only grows): each moves by what it grew since
 * the scrape before.
 */
function registerReadCounters(
  registry: Registry<RegistryContentType>,
  counters: readonly (readonly [string, string, () => number])[],
): void {
  for (const [name, help, read] of counters) {
    let counted = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        this.inc(value - counted);
        counted = value;
      },
    });
  }
}

/** What {@link observeIngestTransactions} reads: the alert repository's running totals. */
export interface IngestTransactionsView {
  readonly ingestTransactions: {
    readonly committed: number;
    readonly batches: number;
    readonly alerts: number;
    readonly seconds: number;
  };
}

/**
 * Exports ingest's transactions, read at each scrape:
 * `alertbase_ingest_transactions_total` (committed), the callers' batches
 * they committed (`alertbase_ingest_transaction_batches_total`), the alerts
 * they stored (`alertbase_ingest_transaction_alerts_total`) and the seconds
 * they held their tenants' audit locks
 * (`alertbase_ingest_transaction_seconds_total`). Batches over transactions
 * is the size of the groups that commit together; seconds over
 * transactions, how long a batch with something to store waits at least.
 * Heartbeats answered from the index are in none of them.
 *
 * @example
 * ```ts
 * observeIngestTransactions(metrics.registry, repos.alerts);
 * ```
 */
export function observeIngestTransactions(
  registry: Registry<RegistryContentType>,
  store: IngestTransactionsView,
): void {
  registerReadCounters(registry, [
    [
      'alertbase_ingest_transactions_total',
      "Ingest transactions committed (each a group of callers' batches, all tenants together).",
      () => store.ingestTransactions.committed,
    ],
    [
      'alertbase_ingest_transaction_batches_total',
      "Callers' batches that ingest transactions committed.",
      () => store.ingestTransactions.batches,
    ],
    [
      'alertbase_ingest_transaction_alerts_total',
      'Alerts that ingest transactions stored (heartbeats answered from the index are not among them).',
      () => store.ingestTransactions.alerts,
    ],
    [
      'alertbase_ingest_transaction_seconds_total',
      "Seconds from each ingest transaction's first statement to its commit, summed.",
      () => store.ingestTransactions.seconds,
    ],
  ]);
}

/** What {@link observeHeartbeatIndex} reads: the alert repository's index count and its bound. */
export interface HeartbeatIndexView {
  readonly heartbeatIndexEntries: number;
}

/**
 * Exports the heartbeat index's size, read at each scrape:
 * `alertbase_ingest_heartbeat_index_entries` and its bound
 * `alertbase_ingest_heartbeat_index_limit_entries` (a quarter of
 * `MAX_MEMORY_USAGE_MB`). At the bound, new open alerts get no entry: their
 * resends are committed before the answer, as without the index.
 *
 * @example
 * ```ts
 * observeHeartbeatIndex(metrics.registry, repos.alerts, heartbeatEntriesFor(512));
 * ```
 */
export function observeHeartbeatIndex(
  registry: Registry<RegistryContentType>,
  store: HeartbeatIndexView,
  limit: number,
): void {
  new Gauge({
    name: 'alertbase_ingest_heartbeat_index_entries',
    help: 'Open alerts the heartbeat index holds, all tenants together.',
    registers: [registry],
    collect() {
      this.set(store.heartbeatIndexEntries);
    },
  });
  new Gauge({
    name: 'alertbase_ingest_heartbeat_index_limit_entries',
    help: 'Entries the heartbeat index holds at most (a quarter of MAX_MEMORY_USAGE_MB).',
    registers: [registry],
  }).set(limit);
}
