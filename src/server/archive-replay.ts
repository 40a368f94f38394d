/**
 * Replay of the payload archive: a tenant's archived bodies of a time range,
 * oldest first, sent again through the ingest of the route that received
 * them (the same validation, tenancy rule, quota, de-duplication and audit
 * as when they arrived, under the caller's key), up to `limit` payloads per
 * call. A replayed body is not archived again. The replay itself is one
 * audit entry (`ingest` of `payload_archive`, with what it did).
 */
import { AlertbaseError, QuotaExceededError } from '../base/exceptions/index.js';
import type { ArchiveDoor, ArchivedPayload, ArchiveFilter } from '../storage/archive/index.js';
import { appendAudit } from '../storage/repositories/audit-log.js';
import type { IngestResult } from '../storage/repositories/index.js';
import type { TenantPrincipal } from './auth.js';
import { ingestPostableBody, ingestWebhookBody } from './routes/alertmanager.js';
import { ingestAlertBody } from './routes/alerts.js';
import type { RouteContext } from './routes/context.js';

/** Payloads one replay takes at most. */
export const MAX_REPLAY = 1_000;

/** What a replay is asked. */
export interface ReplayRequest {
  readonly from: Date;
  readonly to: Date;
  /** `accepted`: the payloads that were accepted; `all`: rejected ones too. */
  readonly outcome: 'accepted' | 'all';
  /** Payloads at most (1–{@link MAX_REPLAY}). */
  readonly limit: number;
}

/** What a replay did. */
export interface ReplayResult {
  /** Payloads ingested again. */
  readonly payloads: number;
  /** Payloads the ingest refused whole (not a batch, another tenant named). */
  readonly refused: number;
  /** The items of the ingested payloads, as an ingest counts them. */
  readonly counts: IngestResult['counts'];
  /** Where the next replay of the range starts (`from`), when payloads are left; else `null`. */
  readonly nextFrom: Date | null;
}

/** The ingest of each door. */
const INGEST: Readonly<Record<ArchiveDoor, typeof ingestAlertBody>> = {
  alerts: ingestAlertBody,
  'alertmanager-v2': ingestPostableBody,
  'alertmanager-webhook': ingestWebhookBody,
};

/**
 * Replays `request` for `who`; stops early (with `nextFrom`) when the
 * tenant's ingest quota is spent.
 */
export async function replayArchive(
  ctx: RouteContext,
  who: TenantPrincipal,
  request: ReplayRequest,
  reply: Parameters<typeof ingestAlertBody>[3]['reply'],
): Promise<ReplayResult> {
  const limit = Math.max(1, Math.min(MAX_REPLAY, Math.trunc(request.limit)));
  const filter: ArchiveFilter = {
    from: request.from,
    to: request.to,
    ...(request.outcome === 'accepted' ? { outcome: 'accepted' } : {}),
  };
  const entries = await ctx.archive.store.scan(who.tenantId, filter, limit + 1);
  const counts = { created: 0, deduplicated: 0, resolved: 0, rejected: 0 };
  let payloads = 0;
  let refused = 0;
  let stoppedAt: ArchivedPayload | undefined = entries[limit];
  for (const entry of entries.slice(0, limit)) {
    try {
      const result = await INGEST[entry.door](ctx, who, entry.body, {
        batchId: `replay:${entry.id}`,
        now: ctx.now(),
        reply,
      });
      payloads++;
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) {
        counts[key] += result.counts[key];
      }
    } catch (err) {
      if (err instanceof QuotaExceededError) {
        stoppedAt = entry;
        break;
      }
      // A body refused whole (4xx) is counted; anything else (the database away) ends the replay.
      if (!(err instanceof AlertbaseError) || err.status >= 500) throw err;
      refused++;
    }
  }
  const result: ReplayResult = {
    payloads,
    refused,
    counts,
    nextFrom: stoppedAt?.receivedAt ?? null,
  };
  await ctx.db.withTenant(who.tenantId, (tx) =>
    appendAudit(
      tx,
      who.tenantId,
      {
        actor: who.actor,
        // An ingest of archived payloads: `entityType` payload_archive tells it from a request's.
        action: 'ingest',
        entityType: 'payload_archive',
        entityId: who.tenantId,
        before: null,
        after: null,
        details: {
          from: request.from.toISOString(),
          to: request.to.toISOString(),
          outcome: request.outcome,
          replay: true,
          payloads,
          refused,
          ...counts,
          nextFrom: result.nextFrom?.toISOString() ?? null,
        },
      },
      ctx.now(),
      ctx.repos.auditKeys,
    ),
  );
  return result;
}
