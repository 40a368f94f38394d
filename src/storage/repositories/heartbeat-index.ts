/**
 * The per-tenant index of open alerts that ingest answers heartbeats from:
 * fingerprint → the open row's id, version, status and the content a resend
 * is compared on (see {@link contentKeyOf}). It is a cache of the database,
 * never the truth: an entry is written only from the rows an ingest
 * transaction returned, after its commit, and dropped when a change of that
 * row is told (`alert-changes.ts`) with a newer version. A miss, or a resend
 * whose content differs, goes to the database.
 */
import { hash } from 'node:crypto';
import type { AlertChange } from './alert-changes.js';

/** One open alert, as the last committed write of this instance saw it. */
export interface HeartbeatEntry {
  readonly id: string;
  readonly fingerprint: string;
  readonly status: string;
  readonly version: number;
  /** What a resend must equal to be a heartbeat ({@link contentKeyOf}). */
  readonly key: string;
  /** {@link digestOf} of key and status, as told to other instances. */
  readonly digest: string;
}

/** A row an ingest transaction wrote, as its statement returned it. */
export interface WrittenRow {
  readonly id: string;
  readonly fingerprint: string;
  readonly status: string;
  readonly version: number;
  /** Whether the row is open after the write (not resolved). */
  readonly open: boolean;
  /** The content key of the item written last into it (open rows). */
  readonly key: string;
}

/**
 * Fields a resend does not compare: those ingest keeps from the stored row
 * (identity, status, acknowledgement, counters) and the times a resend moves.
 */
const NOT_COMPARED: ReadonlySet<string> = new Set([
  'id',
  'tenantId',
  'ruleId',
  'labels',
  'startsAt',
  'createdAt',
  'status',
  'previousStatus',
  'acknowledgedBy',
  'acknowledgedAt',
  'silencedBy',
  'duplicateCount',
  'version',
  'endsAt',
  'lastReceivedAt',
  'updatedAt',
]);

/**
 * What a resend is compared on: every field of the validated alert that a
 * de-duplicating write would store (annotations, level, priority, value,
 * generator URL, ...), and whether `endsAt` is set. Two items with equal
 * keys differ only in what a heartbeat moves: `endsAt`, `lastReceivedAt`.
 * Returned as the SHA-256 digest of that content (base64).
 */
export function contentKeyOf(data: Readonly<Record<string, unknown>>): string {
  const parts: unknown[] = [];
  for (const key in data) if (!NOT_COMPARED.has(key)) parts.push(key, data[key]);
  parts.push(data.endsAt === null || data.endsAt === undefined);
  // A SHA-256 digest, not the content itself: an entry costs about a hundred
  // bytes whatever the alert's annotations (the content would be kilobytes per
  // open alert, hundreds of MiB at the per-tenant bound).
  return hash('sha256', JSON.stringify(parts), 'base64');
}

/** 64 bits of SHA-256 of a row's content key and status. */
export function digestOf(key: string, status: string): string {
  return hash('sha256', `${status}\0${key}`, 'hex').slice(0, 16);
}

/** Entries per tenant at most; past it the tenant's index starts over. */
const MAX_ENTRIES_PER_TENANT = 500_000;

/**
 * The memory an entry holds: the entry in both maps and its strings (id,
 * fingerprint, content key, digest). Measured: 257 bytes of heap for the
 * entry and the maps, about 190 more for the strings only it keeps.
 */
export const HEARTBEAT_ENTRY_BYTES = 450;

/** The share of `MAX_MEMORY_USAGE_MB` the service gives the index, all tenants together. */
export const HEARTBEAT_MEMORY_SHARE = 0.25;

/**
 * Entries of all tenants for a `MAX_MEMORY_USAGE_MB`: a quarter of it at
 * {@link HEARTBEAT_ENTRY_BYTES} an entry, about 300,000 open alerts at the
 * default 512.
 */
export function heartbeatEntriesFor(maxMemoryUsageMb: number): number {
  return Math.floor(
    (maxMemoryUsageMb * 1_048_576 * HEARTBEAT_MEMORY_SHARE) / HEARTBEAT_ENTRY_BYTES,
  );
}

/** One tenant's entries and the bookkeeping of writes in flight. */
class TenantEntries {
  readonly byFingerprint = new Map<string, HeartbeatEntry>();
  readonly byId = new Map<string, HeartbeatEntry>();
  /** Fingerprints with items on their way to the database (queued or in a transaction). */
  readonly pending = new Map<string, number>();
  /** Transactions of this tenant between their start and their entries being written. */
  writes = 0;
  /** Changes told while writes were in flight, by id: a write older than them must not fill the index. */
  readonly told = new Map<string, { version: number; digest: string | undefined }>();
  /** Large batches stored in one transaction while validated: no heartbeats meanwhile. */
  streaming = 0;

  drop(entry: HeartbeatEntry): void {
    if (this.byFingerprint.get(entry.fingerprint) === entry)
      this.byFingerprint.delete(entry.fingerprint);
    if (this.byId.get(entry.id) === entry) this.byId.delete(entry.id);
  }
}

/** Options of {@link HeartbeatIndex}. */
export interface HeartbeatIndexOptions {
  /**
   * Entries of all tenants at most (default: no bound but the tenants').
   * Past it an open row gets no entry until others go (their alerts
   * resolved or changed): its resends go to the database.
   */
  readonly maxEntries?: number | undefined;
}

/** The heartbeat index of every tenant; see the module comment. */
export class HeartbeatIndex {
  readonly #tenants = new Map<string, TenantEntries>();
  readonly #maxEntries: number;
  /** Entries of all tenants. */
  #total = 0;
  /** Times {@link reset} ran: a write that began before a reset must not fill the index. */
  #resets = 0;

  constructor(options: HeartbeatIndexOptions = {}) {
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  }

  #of(tenantId: string): TenantEntries {
    let t = this.#tenants.get(tenantId);
    if (t === undefined) {
      t = new TenantEntries();
      this.#tenants.set(tenantId, t);
    }
    return t;
  }

  /**
   * Whether the tenant's index holds an entry of `fingerprint` (even while
   * items of it are on their way): only a batch with such an item can have
   * a resend answered from the index, so only such a batch needs the read
   * barrier.
   */
  holds(tenantId: string, fingerprint: string): boolean {
    const t = this.#tenants.get(tenantId);
    return t !== undefined && t.streaming === 0 && t.byFingerprint.has(fingerprint);
  }

  /**
   * The entry a resend of `fingerprint` may be answered from: none while
   * items of that fingerprint are on their way to the database (they come
   * first), or while a large batch of the tenant is being stored.
   */
  lookup(tenantId: string, fingerprint: string): HeartbeatEntry | undefined {
    const t = this.#tenants.get(tenantId);
    if (t === undefined || t.streaming > 0 || t.pending.has(fingerprint)) return undefined;
    return t.byFingerprint.get(fingerprint);
  }

  /** Marks items of a fingerprint as on their way to the database. */
  hold(tenantId: string, fingerprint: string): void {
    const t = this.#of(tenantId);
    t.pending.set(fingerprint, (t.pending.get(fingerprint) ?? 0) + 1);
  }

  /** Undoes {@link hold} once those items are committed or failed. */
  release(tenantId: string, fingerprints: readonly string[]): void {
    const t = this.#tenants.get(tenantId);
    if (t === undefined) return;
    for (const fp of fingerprints) {
      const n = (t.pending.get(fp) ?? 0) - 1;
      if (n > 0) t.pending.set(fp, n);
      else t.pending.delete(fp);
    }
  }

  /** A large batch is stored while validated: no heartbeats for the tenant until {@link endStream}. */
  beginStream(tenantId: string): void {
    this.#of(tenantId).streaming++;
  }

  endStream(tenantId: string): void {
    const t = this.#tenants.get(tenantId);
    if (t !== undefined) t.streaming = Math.max(0, t.streaming - 1);
  }

  /** An ingest transaction of the tenant starts; pair with {@link endWrite}, passing what this returns. */
  beginWrite(tenantId: string): number {
    this.#of(tenantId).writes++;
    return this.#resets;
  }

  /**
   * An ingest transaction ended: after a commit, `rows` are what it wrote
   * (empty after a failure). An open row becomes its fingerprint's entry
   * unless a newer change of it was told meanwhile; a closed row's entry
   * goes.
   */
  endWrite(tenantId: string, began: number, rows: readonly WrittenRow[]): void {
    const t = this.#of(tenantId);
    const before = t.byFingerprint.size;
    for (const row of began === this.#resets ? rows : []) {
      const told = t.told.get(row.id);
      const previous = t.byFingerprint.get(row.fingerprint);
      if (previous !== undefined) t.drop(previous);
      const old = t.byId.get(row.id);
      if (old !== undefined) t.drop(old);
      if (!row.open) continue;
      const digest = digestOf(row.key, row.status);
      let version = row.version;
      if (told !== undefined && (told.version < 0 || told.version > version)) {
        // Changed again after this write, elsewhere: keep it only if to the same content.
        if (told.version < 0 || told.digest !== digest) continue;
        version = told.version;
      }
      const entry: HeartbeatEntry = {
        id: row.id,
        fingerprint: row.fingerprint,
        status: row.status,
        version,
        key: row.key,
        digest,
      };
      if (t.byFingerprint.size >= MAX_ENTRIES_PER_TENANT) {
        t.byFingerprint.clear();
        t.byId.clear();
      }
      // Full in all: the row gets no entry (its resends go to the database).
      if (this.#total + (t.byFingerprint.size - before) >= this.#maxEntries) continue;
      t.byFingerprint.set(row.fingerprint, entry);
      t.byId.set(row.id, entry);
    }
    this.#total += t.byFingerprint.size - before;
    t.writes = Math.max(0, t.writes - 1);
    if (t.writes === 0) t.told.clear();
  }

  /**
   * Rows changed (told by `alert-changes.ts`, this instance's own changes
   * included): an entry older than the change goes, unless the change is a
   * write of the same content and status (another instance storing the
   * same resend).
   */
  changed(tenantId: string, changes: readonly AlertChange[]): void {
    const t = this.#tenants.get(tenantId);
    if (t === undefined) return;
    const before = t.byFingerprint.size;
    for (const [id, version, digest] of changes) {
      if (t.writes > 0) {
        const told = t.told.get(id);
        if (told === undefined || version < 0 || (told.version >= 0 && version > told.version)) {
          t.told.set(id, { version, digest });
        }
      }
      const entry = t.byId.get(id);
      if (entry === undefined) continue;
      if (version >= 0 && version <= entry.version) continue;
      if (version >= 0 && digest !== undefined && digest === entry.digest) {
        const kept = { ...entry, version };
        t.byId.set(id, kept);
        t.byFingerprint.set(entry.fingerprint, kept);
        continue;
      }
      t.drop(entry);
    }
    this.#total += t.byFingerprint.size - before;
  }

  /** Forgets every entry of every tenant (changes may have been missed). */
  reset(): void {
    this.#resets++;
    for (const t of this.#tenants.values()) {
      t.byFingerprint.clear();
      t.byId.clear();
    }
    this.#total = 0;
  }

  /** Entries held, for tests and metrics. */
  size(tenantId: string): number {
    return this.#tenants.get(tenantId)?.byFingerprint.size ?? 0;
  }

  /** Entries held for all tenants. */
  get total(): number {
    return this.#total;
  }
}
