/**
 * Ingest, step two: the statements. Validated items folded by fingerprint
 * into one row per occurrence, stored by one statement per round (see
 * `alert-ingest-sql.ts`), each item's outcome recorded, then one audit event
 * per caller's batch.
 */
import { AlertLevel } from '../../base/enums/index.js';
import { contentHash } from '../../base/utils/canonical-json.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { StorageError } from '../errors.js';
import type { SeriesPoint } from '../series/types.js';
import type { TransactionClient } from '../types.js';
import type { AlertChange } from './alert-changes.js';
import { documentJson, jsonOf, keyOf, type ValidItem } from './alert-ingest-items.js';
import {
  INGEST,
  INGEST_FIRING,
  INGEST_NEW,
  type IngestRow,
  type RowKind,
} from './alert-ingest-sql.js';
import { HeartbeatCounter, ingestPoints } from './alert-series-points.js';
import { type AuditHead, type AuditKeys, appendAuditMany } from './audit-log.js';
import { digestOf, type WrittenRow } from './heartbeat-index.js';
import type {
  ActorId,
  IngestCounts,
  IngestItemResult,
  IngestOptions,
  IngestResult,
} from './types.js';

/** What an ingest transaction wrote, applied to the heartbeat index after its commit. */
export interface Written {
  /** The rows written, for the heartbeat index (when there is one). */
  readonly rows: WrittenRow[] | undefined;
  readonly changes: AlertChange[];
  /** The series points of the rows written, when the repository has an event sink. */
  points: SeriesPoint[] | undefined;
}

/** What the audit event of a caller's batch records. */
export interface AuditedBatch {
  readonly actor: ActorId;
  readonly options: IngestOptions;
  readonly firstId: string;
  readonly received: number;
  readonly now: Date;
  /** One entry per input item. */
  readonly results: IngestItemResult[];
}

/**
 * A group whose fingerprints the caller knows no open row of (new alerts):
 * its rows are tried with a plain insert ({@link INGEST_NEW}) first.
 * `conflicted` tells the caller that one had an open row after all.
 */
export interface FreshRows {
  conflicted: boolean;
}

/** SQLSTATE unique_violation: here, an open row of the fingerprint (`alerts_open_fingerprint_key`). */
const UNIQUE_VIOLATION = '23505';
const FRESH_SAVEPOINT = 'ingest_fresh';

/** Items of one fingerprint that fold into one row: firing items, then resolving ones. */
interface Segment {
  readonly fingerprint: string;
  readonly items: ValidItem[];
  resolving: boolean;
}

/** Counts of a batch's outcomes. */
export function countOf(results: readonly IngestItemResult[]): IngestCounts {
  const counts = { created: 0, deduplicated: 0, resolved: 0, rejected: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** @internal The outcome of each item of a segment, from what the statement did to its row. */
function outcomes(segment: Segment, kind: RowKind): IngestItemResult['outcome'][] {
  let resolvedReported = false;
  return segment.items.map((item, k) => {
    if (kind === 'twin' || kind === 'updated') return 'deduplicated';
    if (kind === 'inserted' && k === 0) return 'created';
    // An inserted row resolves something only if it fired first in this batch.
    const closes = kind === 'resolved' || segment.items[0]?.resolving === false;
    if (item.resolving && !resolvedReported && closes) {
      resolvedReported = true;
      return 'resolved';
    }
    return 'deduplicated';
  });
}

/**
 * Stores validated items in order (folded by fingerprint, as one after the
 * other) and records each one's result; returns the audit chain's head.
 * With `fresh`, the first round (each fingerprint once) tries the plain
 * insert; later rounds meet the rows of the first and always upsert.
 */
export async function storeItems(
  tx: TransactionClient,
  tenantId: string,
  items: readonly ValidItem[],
  written: Written,
  fresh?: FreshRows,
): Promise<AuditHead | null> {
  const segments = new Map<string, Segment[]>();
  for (const item of items) {
    let list = segments.get(item.fingerprint);
    if (list === undefined) {
      list = [];
      segments.set(item.fingerprint, list);
    }
    let current = list[list.length - 1];
    // A firing item after a resolving one starts a new occurrence (a new row).
    if (current === undefined || (current.resolving && !item.resolving)) {
      current = { fingerprint: item.fingerprint, items: [], resolving: false };
      list.push(current);
    }
    current.items.push(item);
    if (item.resolving) current.resolving = true;
  }
  let head: AuditHead | null = null;
  for (let round = 0; ; round++) {
    const segs = [...segments.values()]
      .map((list) => list[round])
      .filter((s): s is Segment => s !== undefined);
    if (segs.length === 0) return head;
    head = await upsert(tx, tenantId, segs, written, round === 0 ? fresh : undefined);
  }
}

/**
 * Rows none of whose fingerprints the caller knows open: a plain insert,
 * in a savepoint. An open row of one of them (written by another instance,
 * or before this process started) fails it on the partial unique index; it
 * is then rolled back to the savepoint and `undefined` returned: the caller
 * upserts the rows instead, with the same outcome as if it had at once.
 */
async function insertFresh(
  tx: TransactionClient,
  tenantId: string,
  input: string,
  fresh: FreshRows,
): Promise<IngestRow[] | undefined> {
  await tx.query(`SAVEPOINT ${FRESH_SAVEPOINT}`);
  try {
    return (await tx.query<IngestRow>(INGEST_NEW.text, [tenantId, input], INGEST_NEW.options)).rows;
  } catch (err) {
    if (!(err instanceof StorageError) || err.sqlState !== UNIQUE_VIOLATION) throw err;
    fresh.conflicted = true;
    await tx.query(`ROLLBACK TO SAVEPOINT ${FRESH_SAVEPOINT}`);
    return undefined;
  }
}

/** One audit event per batch, after its rows; the results of each batch. */
export async function auditBatches(
  tx: TransactionClient,
  tenantId: string,
  group: readonly AuditedBatch[],
  head: AuditHead | null,
  auditKeys: AuditKeys | undefined,
): Promise<IngestResult[]> {
  const entries = group.map((batch) => {
    const counts = countOf(batch.results);
    const stored = batch.results.flatMap((r) =>
      r.outcome === 'rejected' ? [] : [[r.id, r.outcome]],
    );
    const batchId = batch.options.batchId;
    return {
      counts,
      entry: {
        actor: batch.actor,
        action: 'ingest' as const,
        entityType: 'Alert',
        entityId: batchId ?? `batch:${batch.firstId}`,
        before: null,
        after: contentHash(stored),
        details: {
          ...(batchId === undefined ? {} : { batchId }),
          received: batch.received,
          ...counts,
        },
      },
      at: batch.now,
    };
  });
  // The last statement of an ingest transaction: sent with its COMMIT.
  const events = await appendAuditMany(tx, tenantId, entries, head, auditKeys, { atCommit: true });
  return group.map((batch, k) => ({
    items: batch.results,
    counts: (entries[k] as (typeof entries)[number]).counts,
    auditEventId: (events[k] as AuditEvent).id,
  }));
}

/**
 * Runs the ingest statement for one segment per fingerprint and records
 * each item's outcome; returns the head of the audit chain.
 */
async function upsert(
  tx: TransactionClient,
  tenantId: string,
  batch: readonly Segment[],
  written: Written,
  fresh: FreshRows | undefined,
): Promise<AuditHead | null> {
  // One JSON array for all rows: the statement derives the columns from
  // each document, so every value is sent once, without array escaping.
  let input = '[';
  for (let k = 0; k < batch.length; k++) {
    const segment = batch[k] as Segment;
    const first = segment.items[0] as ValidItem;
    let doc = jsonOf(first);
    let level = first.data.level;
    if (segment.items.length > 1) {
      const last = segment.items[segment.items.length - 1] as ValidItem;
      level = last.data.level;
      let start = first.data.startsAt;
      for (const item of segment.items) if (item.data.startsAt < start) start = item.data.startsAt;
      doc = documentJson({
        ...last.data,
        id: first.id,
        startsAt: start,
        createdAt: first.data.createdAt,
        duplicateCount: segment.items.length - 1,
        status: segment.resolving ? 'resolved' : last.data.status,
      });
    }
    if (k > 0) input += ',';
    input += `{"f":"${segment.fingerprint}","r":${AlertLevel.rank(level)},"n":${segment.items.length - 1},"d":${doc}}`;
  }
  input += ']';
  const resolving = batch.some((segment) => segment.resolving);
  const statement = resolving ? INGEST : INGEST_FIRING;
  const rows =
    (fresh !== undefined && !resolving
      ? await insertFresh(tx, tenantId, input, fresh)
      : undefined) ??
    (await tx.query<IngestRow>(statement.text, [tenantId, input], statement.options)).rows;
  let head: AuditHead | null = null;
  const byFingerprint = new Map<string, IngestRow & { kind: RowKind }>();
  for (const r of rows) {
    if (r.kind === 'head') head = { seq: Number(r.id), hash: r.fingerprint };
    else byFingerprint.set(r.fingerprint, r as IngestRow & { kind: RowKind });
  }
  const points = written.points;
  const heartbeats = points === undefined ? undefined : new HeartbeatCounter();
  for (const segment of batch) {
    const row = byFingerprint.get(segment.fingerprint);
    /* v8 ignore next -- every input row yields exactly one output row */
    if (row === undefined) throw new Error(`ingest: no row returned for ${segment.fingerprint}`);
    const kinds = outcomes(segment, row.kind);
    const open = row.kind === 'inserted' || row.kind === 'updated';
    const last = segment.items[segment.items.length - 1] as ValidItem;
    if (written.rows !== undefined) {
      written.rows.push({
        id: row.id,
        fingerprint: segment.fingerprint,
        status: row.status,
        version: row.version,
        open: open && row.status !== 'resolved',
        key: open ? keyOf(last) : '',
      });
    }
    // A new row is news to no instance's index; a changed one is.
    if (row.kind !== 'inserted') {
      written.changes.push(
        open ? [row.id, row.version, digestOf(keyOf(last), row.status)] : [row.id, row.version],
      );
    }
    segment.items.forEach((item, k) => {
      item.results[item.index] = {
        index: item.index,
        outcome: kinds[k] as 'created' | 'deduplicated' | 'resolved',
        id: row.id,
        fingerprint: segment.fingerprint,
        status: row.status,
      };
    });
    if (points !== undefined && heartbeats !== undefined) {
      const received = (segment.items[0] as ValidItem).data.lastReceivedAt;
      ingestPoints(
        tenantId,
        segment.items,
        row.kind,
        received instanceof Date ? received.getTime() : Date.now(),
        points,
        heartbeats,
      );
    }
  }
  if (points !== undefined) heartbeats?.drainInto(points);
  return head;
}
