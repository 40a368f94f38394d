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
