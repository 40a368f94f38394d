import { createHash, timingSafeEqual } from 'node:crypto';
import { UnknownValueError, ValidationError } from '../../base/exceptions/index.js';
import { canonicalJson, contentHash } from '../../base/utils/canonical-json.js';
import { newId } from '../../base/utils/ids.js';
import { AuditAction as AuditActionSchema, AuditEvent } from '../../domain/audit-event.js';
import { sqlLiteral } from '../base-database.js';
import type { Database, SqlValue, TransactionClient } from '../types.js';
import { auditCutHashAt, auditCutValid, latestAuditCut } from './audit-cut.js';
import { LIST_PLANNER_OFF } from './list-sql.js';
import { prepared } from './statements.js';
import type { ActorId, AuditChainFailure, AuditChainVerification } from './types.js';

/** `prevHash` of the first entry of every tenant's chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit action (`create`, `update`, `ingest`, ...). */
export type AuditAction = AuditEvent['action'];

/** What a repository records about one change. */
export interface AuditEntryInput {
  readonly actor: ActorId;
  readonly action: AuditAction;
  readonly entityType: string;
  readonly entityId: string;
  /** Digest of the entity before the change (`null` on create). */
  readonly before: string | null;
  /** Digest of the entity after the change (`null` on purge). */
  readonly after: string | null;
  readonly result?: 'success' | 'failure';
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The digest of a stored document, as audit `before`/`after`. */
export function digestOf(doc: Readonly<Record<string, unknown>> | null): string | null {
  return doc === null ? null : contentHash(doc);
}

/**
 * The keys that seal a chain (HMAC-SHA-256), held outside the database:
 * `auditKeysOf(ring)` of `alertbase/security`. Without them entries are
 * hashed with plain SHA-256, which anyone who can write the database can
 * recompute.
 */
export interface AuditKeys {
  /** The key id new entries are sealed under. */
  readonly currentId: string;
  /** HMAC-SHA-256 of `data` under key `keyId`, lowercase hex; `undefined` for an unknown key. */
  mac(keyId: string, data: string): string | undefined;
}

/**
 * The hash of an entry: `HMAC-SHA-256(key of entry.keyId, prevHash ‖
 * canonicalJson(entry without hash))` when the entry names a key, else
 * `SHA-256(prevHash ‖ canonicalJson(entry without hash))`; lowercase hex.
 * `undefined` when the entry names a key that `keys` lacks (or no `keys`).
 */
export function chainHash(
  prevHash: string,
  entryWithoutHash: Readonly<Record<string, unknown>>,
  keys?: AuditKeys,
): string | undefined {
  const keyId = entryWithoutHash.keyId;
  const data = prevHash + canonicalJson(entryWithoutHash);
  if (typeof keyId === 'string') return keys?.mac(keyId, data);
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** The newest entry of a tenant's chain: its position and hash. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * @internal A subquery giving the head of tenant `$1`'s chain (zero or one
 * row, `seq` and `hash`), for statements that read it along with their own
 * work, under the lock taken by `withTenant(..., { advisoryLock:
 * auditLockOf(tenant) })`.
 */
export const AUDIT_HEAD_SQL =
  'SELECT seq, hash FROM audit_events WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1';

/** The advisory lock that orders a tenant's audit appends. */
export function auditLockOf(tenantId: string): string {
  return `audit:${tenantId}`;
}

const LOCK = prepared('SELECT pg_advisory_xact_lock(hashtext($1))');
const LAST = prepared(AUDIT_HEAD_SQL);
/**
 * Inserts a JSON array of entry documents (`docs`) for `tenant`; the columns
 * are taken from each document. Given parameters, or literals.
 */
const insertSql = (tenant: string, docs: string): string =>
  `INSERT INTO audit_events
     (tenant_id, seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc)
   SELECT ${tenant}, (d->>'seq')::bigint, d->>'id', d->>'actor', d->>'action', d->>'entityType',
          d->>'entityId', d->>'result', d->>'prevHash', d->>'hash', (d->>'at')::timestamptz, d
     FROM jsonb_array_elements(${docs}::jsonb) AS d`;
const INSERT = prepared(insertSql('$1', '$2'));

/** One entry of {@link appendAuditMany}: what changed, and when. */
export interface TimedAuditEntry {
  readonly entry: AuditEntryInput;
  readonly at: Date;
}

/**
 * Appends one entry to the tenant's hash chain, in the caller's transaction
 * (which must be a `withTenant` transaction of that tenant). See
 * {@link appendAuditMany}.
 *
 * @returns the stored event.
 */
export async function appendAudit(
  tx: TransactionClient,
  tenantId: string,
  entry: AuditEntryInput,
  at: Date = new Date(),
  keys?: AuditKeys,
): Promise<AuditEvent> {
  const [event] = await appendAuditMany(tx, tenantId, [{ entry, at }], undefined, keys);
  return event as AuditEvent;
}

/**
 * Appends entries to the tenant's hash chain in the given order, in the
 * caller's transaction (a `withTenant` transaction of that tenant), with
 * three statements whatever their number.
 *
 * Holds `pg_advisory_xact_lock(hashtext('audit:' || tenant))` until the
 * transaction ends, so concurrent writers of one tenant append one after
 * the other and cannot fork the chain. The lock is taken here, as the last
 * step of a change, so it is held only for the commit.
 *
 * A caller that took the lock with the transaction (`withTenant(tenant, fn,
 * { advisoryLock: auditLockOf(tenant) })`) and read the head in a later
 * statement ({@link AUDIT_HEAD_SQL}) passes it as `head` (`null`: an empty
 * chain), and only the insert runs.
 *
 * Entries are sealed under `keys.currentId` (HMAC-SHA-256) when `keys` is
 * given, else hashed with plain SHA-256 (`keyId` null).
 *
 * With `atCommit`, the insert is sent with the transaction's COMMIT
 * (`TransactionClient.atCommit`), one round trip less: only for a caller
 * that passes `head` and appends nothing more in the transaction (the
 * entries are not in the table until the commit).
 *
 * @returns the stored events, in the order of `entries`.
 */
export async function appendAuditMany(
  tx: TransactionClient,
  tenantId: string,
  entries: readonly TimedAuditEntry[],
  head?: AuditHead | null,
  keys?: AuditKeys,
  options: { readonly atCommit?: boolean } = {},
): Promise<AuditEvent[]> {
  if (entries.length === 0) return [];
  let last = head;
  if (last === undefined) {
    // Two statements: under READ COMMITTED the second takes its snapshot after
    // the lock is granted, so it sees the entry of the writer that held it.
    await tx.query(LOCK.text, [auditLockOf(tenantId)], LOCK.options);
    const { rows } = await tx.query<{ seq: number | string; hash: string }>(
      LAST.text,
      [tenantId],
      LAST.options,
    );
    const row = rows[0];
    last = row === undefined ? null : { seq: Number(row.seq), hash: row.hash };
  }
  let seq = last === null ? 0 : last.seq + 1;
  let prevHash = last === null ? GENESIS_HASH : last.hash;
  const events: AuditEvent[] = [];
  const docs: Record<string, unknown>[] = [];
  for (const { entry, at } of entries) {
    const draft = AuditEvent.parse({
      tenantId,
      id: newId(),
      seq,
      at,
      actor: entry.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: entry.before,
      after: entry.after,
      result: entry.result ?? 'success',
      details: entry.details ?? {},
      prevHash,
      keyId: keys?.currentId ?? null,
      hash: GENESIS_HASH,
    });
    const { hash: _placeholder, ...withoutHash } = AuditEvent.dump(draft, {
      mode: 'json',
      computed: false,
    });
    const hash = chainHash(prevHash, withoutHash, keys);
    if (hash === undefined) throw new TypeError(`audit key ${keys?.currentId} gives no MAC`);
    const doc = { ...withoutHash, hash };
    docs.push(doc);
    events.push(AuditEvent.parse(doc));
    prevHash = hash;
    seq++;
  }
  const json = JSON.stringify(docs);
  if (options.atCommit === true && head !== undefined) {
    tx.atCommit(insertSql(sqlLiteral(tenantId), sqlLiteral(json)));
  } else {
    await tx.query(INSERT.text, [tenantId, json], INSERT.options);
  }
  return events;
}

/** A stored audit row, as {@link verifyAuditChain} reads it. */
type AuditRow = {
  seq: number;
  id: string;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  result: string;
  prev_hash: string | null;
  hash: string;
  created_at: Date;
  doc: Record<string, unknown>;
};

const PAGE = prepared(
  `SELECT seq, id, actor, action, resource_type, resource_id, result, prev_hash, hash, created_at, doc
     FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
);

/** @internal Checks one row against its position, the previous hash and the keys. */
function checkRow(
  row: AuditRow,
  index: number,
  prevHash: string,
  keys: AuditKeys | undefined,
  legacyAllowed: boolean,
): AuditChainFailure | undefined {
  if (row.seq !== index) return 'seq_mismatch';
  const parsed = AuditEvent.safeParse(row.doc);
  if (!parsed.success) return 'invalid_entry';
  const e = parsed.data;
  if (e.seq !== index) return 'seq_mismatch';
  if (
    e.id !== row.id ||
    e.actor !== row.actor ||
    e.action !== row.action ||
    e.entityType !== row.resource_type ||
    e.entityId !== row.resource_id ||
    e.result !== row.result ||
    e.prevHash !== row.prev_hash ||
    e.hash !== row.hash ||
    // The time filters (`since`, `until`) read the column: it must say what was hashed.
    !(row.created_at instanceof Date) ||
    e.at.getTime() !== row.created_at.getTime()
  ) {
    return 'column_mismatch';
  }
  if (e.prevHash !== prevHash) return 'prev_hash_mismatch';
  // With keys, every entry must be sealed: a plain SHA-256 entry is what
  // someone without the key would write. Only entries written before the
  // chain was keyed (a prefix, vouched for by the sealed entry after it,
  // whose HMAC covers their last hash) are plain.
  if (keys !== undefined && e.keyId === null && !legacyAllowed) return 'unkeyed';
  const { hash, ...withoutHash } = row.doc;
  const expected = chainHash(prevHash, withoutHash, keys);
  if (expected === undefined) return 'unknown_key';
  if (!equalHex(expected, String(hash))) return 'hash_mismatch';
  return undefined;
}

/** Constant-time comparison of two hex digests. */
function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditOptions {
  /** Rows read per statement (default 1,000). */
  readonly pageSize?: number | undefined;
  /**
   * The keys of the chain. Given, every entry must be sealed (HMAC) under a
   * key they hold (`unkeyed`, `unknown_key` otherwise), except a prefix of
   * plain SHA-256 entries written before the chain was keyed, when a sealed
   * entry follows it (`unkeyedPrefix` of the result). Without them only
   * plain SHA-256 entries can be checked (`unknown_key` for a sealed one).
   */
  readonly keys?: AuditKeys | undefined;
}

/**
 * Verifies a tenant's audit chain from its first entry: positions are
 * 0, 1, 2, ... without gaps, each entry links to the previous hash, each hash
 * matches its entry (the HMAC under its key, with `keys`), and the indexed
 * columns match the hashed document.
 *
 * After retention removed the oldest entries, the chain is verified from
 * its newest cut (`audit_cuts`): the cut's seal must verify (`bad_cut`; with
 * `keys`, an HMAC under one of them), and the entries from the cut's
 * position on must link to the hash it kept; the result's `from` is that
 * position.
 *
 * Detects a changed, removed, inserted or reordered entry at its index; with
 * `keys`, also one whose following hashes were recomputed without the key.
 * The chain alone cannot tell that its newest entries were cut off: compare
 * the length with a signed checkpoint kept elsewhere for that.
 *
 * @example
 * ```ts
 * const check = await verifyAuditChain(db, 'acme');
 * if (!check.ok) console.error(`audit chain broken at ${check.index}: ${check.reason}`);
 * ```
 */
export async function verifyAuditChain(
  db: Database,
  tenantId: string,
  options: VerifyAuditOptions = {},
): Promise<AuditChainVerification> {
  const pageSize = options.pageSize ?? 1_000;
  const keys = options.keys;
  return db.withTenant(tenantId, async (tx) => {
    // After retention removed its oldest entries, the chain starts at the
    // newest cut, whose seal vouches for the hash of the last removed entry.
    const cut = await latestAuditCut(tx, tenantId);
    if (cut !== undefined && !auditCutValid(tenantId, cut, keys)) {
      return { ok: false, index: cut.seq, reason: 'bad_cut' };
    }
    const start = cut?.seq ?? 0;
    let index = start;
    let prevHash = cut?.prevHash ?? GENESIS_HASH;
    let after = start - 1;
    /** The index of the first sealed entry (a sealed cut counts), once seen. */
    let sealedFrom: number | undefined =
      cut !== undefined && cut.keyId !== null ? start : undefined;
    for (;;) {
      const { rows } = await tx.query<AuditRow>(
        PAGE.text,
        [tenantId, after, pageSize],
        PAGE.options,
      );
      for (const row of rows) {
        const failure = checkRow(row, index, prevHash, keys, sealedFrom === undefined);
        if (failure !== undefined) return { ok: false, index, reason: failure };
        if (sealedFrom === undefined && row.doc.keyId !== null && row.doc.keyId !== undefined) {
          sealedFrom = index;
        }
        prevHash = row.hash;
        after = row.seq;
        index++;
      }
      if (rows.length < pageSize) {
        // Retention never removes a chain's newest entry: a cut with nothing after it is a truncation.
        if (cut !== undefined && index === start) {
          return { ok: false, index: start, reason: 'seq_mismatch' };
        }
        const from = cut === undefined ? {} : { from: start };
        if (keys === undefined || sealedFrom === start || index === 0)
          return { ok: true, length: index, ...from };
        // Plain entries that no sealed entry vouches for: anyone could have written them.
        if (sealedFrom === undefined) return { ok: false, index: start, reason: 'unkeyed' };
        return { ok: true, length: index, unkeyedPrefix: sealedFrom, ...from };
      }
    }
  });
}

/** Options of {@link listAuditEvents} and {@link listAuditPage}; every filter is applied in SQL. */
export interface AuditListOptions {
  /** Entries after this position (the `seq` of the last entry seen); default from the start. */
  readonly afterSeq?: number | undefined;
  /** At most this many, 1 to 1,000; default 100. */
  readonly limit?: number | undefined;
  /** Only entries about this entity id. */
  readonly entityId?: string | undefined;
  /** Only entries about this entity type (`AlertRule`, `Alert`, `ApiKey`, ...). */
  readonly entityType?: string | undefined;
  /** Only entries by this actor. */
  readonly actor?: ActorId | undefined;
  /** Only entries of this action. @throws UnknownValueError for another value. */
  readonly action?: AuditAction | undefined;
  /** Only entries at or after this time (`at >= since`). */
  readonly since?: Date | undefined;
  /** Only entries before this time (`at < until`); must not be before `since`. */
  readonly until?: Date | undefined;
}

/** One page of {@link listAuditPage}. */
export interface AuditPage {
  /** Up to `limit` matching entries, in chain order. */
  readonly items: readonly AuditEvent[];
  /**
   * Pass it as `afterSeq` for the next page (the `seq` of the last item);
   * `null` when no matching entry follows.
   */
  readonly nextAfter: number | null;
}

function refuse(key: string, code: string, message: string): ValidationError {
  return new ValidationError('AuditListOptions', [
    { path: [key], pointer: `/${key}`, code, message },
  ]);
}

/** The WHERE clause and parameters of a listing; `$2` is the row count. */
function auditWhere(
  tenantId: string,
  options: AuditListOptions,
): { where: string; params: SqlValue[] } {
  const params: SqlValue[] = [tenantId, 0];
  const add = (value: SqlValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const after = options.afterSeq ?? -1;
  if (!Number.isInteger(after)) throw refuse('afterSeq', 'invalid_type', 'expected an integer');
  const where = ['tenant_id = $1', `seq > ${add(after)}`];
  const text = (key: 'entityId' | 'entityType' | 'actor', column: string): void => {
    const value = options[key];
    if (value === undefined) return;
    if (typeof value !== 'string') throw refuse(key, 'invalid_type', 'expected a string');
    where.push(`${column} = ${add(value)}`);
  };
  // Entity type before id: the order of the index (tenant_id, resource_type, resource_id, seq).
  text('entityType', 'resource_type');
  text('entityId', 'resource_id');
  text('actor', 'actor');
  if (options.action !== undefined) {
    const parsed = AuditActionSchema.safeParse(options.action);
    if (!parsed.success)
      throw new UnknownValueError('AuditAction', options.action, AuditActionSchema.options);
    where.push(`action = ${add(parsed.data)}`);
  }
  const time = (key: 'since' | 'until'): Date | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
    throw refuse(key, 'invalid_type', 'expected a valid Date');
  };
  const since = time('since');
  const until = time('until');
  if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) {
    throw refuse('until', 'too_small', 'expected until at or after since');
  }
  if (since !== undefined) where.push(`created_at >= ${add(since)}::timestamptz`);
  if (until !== undefined) where.push(`created_at < ${add(until)}::timestamptz`);
  return { where: where.join(' AND '), params };
}

/** Up to `count` matching entries after `afterSeq`, in chain order. */
async function readAudit(
  db: Database,
  tenantId: string,
  options: AuditListOptions,
  count: (limit: number) => number,
): Promise<{ limit: number; events: AuditEvent[] }> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1_000);
  const { where, params } = auditWhere(tenantId, options);
  params[1] = count(limit);
  const statement = prepared(`SELECT doc FROM audit_events WHERE ${where} ORDER BY seq LIMIT $2`);
  // A page is each partition's index walked in chain order, merged, and
  // stopped by the LIMIT, whatever the statistics (docs/storage.md, "List plans").
  const rows = await db.withTenant(
    tenantId,
    async (tx) => {
      const result = await tx.query<{ doc: Record<string, unknown> }>(
        statement.text,
        params,
        statement.options,
      );
      return result.rows;
    },
    { plannerOff: LIST_PLANNER_OFF },
  );
  return { limit, events: rows.map((r) => AuditEvent.parse(r.doc)) };
}

/**
 * A tenant's audit events in chain order (the read side of the audit
 * repository; writes happen only through the other repositories).
 * See {@link listAuditPage} to know whether more follow.
 *
 * @throws ValidationError for an option of the wrong type or `until` before
 *   `since`; UnknownValueError for an unknown `action`.
 */
export async function listAuditEvents(
  db: Database,
  tenantId: string,
  options: AuditListOptions = {},
): Promise<AuditEvent[]> {
  return (await readAudit(db, tenantId, options, (limit) => limit)).events;
}

/**
 * One page of a tenant's audit events in chain order: exactly `limit`
 * matching entries unless it is the last page, and `nextAfter` null exactly
 * when no matching entry follows.
 *
 * @throws as {@link listAuditEvents}.
 * @example
 * ```ts
 * let page = await listAuditPage(db, 'acme', { actor: 'user:42', limit: 50 });
 * while (page.nextAfter !== null)
 *   page = await listAuditPage(db, 'acme', { actor: 'user:42', limit: 50, afterSeq: page.nextAfter });
 * ```
 */
export async function listAuditPage(
  db: Database,
  tenantId: string,
  options: AuditListOptions = {},
): Promise<AuditPage> {
  const { limit, events } = await readAudit(db, tenantId, options, (n) => n + 1);
  const items = events.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextAfter: events.length > limit && last !== undefined ? last.seq : null };
}

/**
 * The entry at one position of a tenant's chain: its hash (for the entry
 * right before a retention cut, the hash the cut kept), or `undefined` when
 * the chain is shorter or retention removed it.
 */
export async function auditHashAt(
  db: Database,
  tenantId: string,
  seq: number,
): Promise<string | undefined> {
  return db.withTenant(tenantId, async (tx) => {
    const result = await tx.query<{ hash: string }>(
      'SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2',
      [tenantId, seq],
    );
    // The entry right before a retention cut lives on as the cut's hash.
    return result.rows[0]?.hash ?? (await auditCutHashAt(tx, tenantId, seq));
  });
}

/** The head of a tenant's chain now: its length and the newest hash (64 zeros when empty). */
export async function auditHeadOf(
  db: Database,
  tenantId: string,
): Promise<{ length: number; hash: string }> {
  const rows = await db.withTenant(tenantId, async (tx) => {
    const result = await tx.query<{ seq: number | string; hash: string }>(AUDIT_HEAD_SQL, [
      tenantId,
    ]);
    return result.rows;
  });
  const row = rows[0];
  return row === undefined
    ? { length: 0, hash: GENESIS_HASH }
    : { length: Number(row.seq) + 1, hash: row.hash };
}
