import {
  ConflictError,
  NotFoundError,
  TenantIsolationError,
  ValidationError,
} from '../../base/exceptions/index.js';
import type { DumpOptions, SafeParseResult } from '../../base/types/model.js';
import { contentHash } from '../../base/utils/canonical-json.js';
import { StorageError } from '../errors.js';
import type { Database, SqlValue, TenantTransactionOptions, TransactionClient } from '../types.js';
import {
  type AuditAction,
  type AuditKeys,
  appendAudit,
  auditLockOf,
  digestOf,
} from './audit-log.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  type FilterSpec,
  filterSql,
  LIST_PLANNER_OFF,
  listSql,
  refuseKeys,
  statusBranches,
} from './list-sql.js';
import { type SecretCipher, sealSecrets, unsealSecrets } from './secret-fields.js';
import { prepared, type Statement } from './statements.js';
import {
  type ActorId,
  type CreateOptions,
  DEFAULT_PAGE_SIZE,
  type GetOptions,
  type ListOptions,
  MAX_PAGE_SIZE,
  type Page,
  type TenantRepository,
  type WriteOptions,
} from './types.js';

/** The keys of `ListOptions`; any other is refused. */
const LIST_OPTION_KEYS: ReadonlySet<string> = new Set([
  'limit',
  'cursor',
  'order',
  'includeDeleted',
  'filter',
]);
/** Filter keys a caller may put beside `filter` by mistake. */
const LIST_FILTER_HINT: ReadonlySet<string> = new Set([
  'status',
  'levelAtLeast',
  'labels',
  'fingerprint',
  'activeSince',
  'activeUntil',
]);
/** What a repository needs of a model (every `defineModel` model has it). */
export interface StoredModel<T> {
  readonly name: string;
  readonly fields: readonly string[];
  parse(input: unknown): T;
  safeParse(input: unknown): SafeParseResult<T>;
  update(instance: T, patch: Record<string, unknown>): T;
  dump(instance: T, options?: DumpOptions): Record<string, unknown>;
}

export type { FilterSpec } from './list-sql.js';

/** @internal The table behind a repository: its model and typed key columns. */
export interface TableSpec<T> {
  readonly table: string;
  readonly model: StoredModel<T>;
  /** Typed columns besides the common ones (`tenant_id, id, version, created_at, updated_at, deleted_at, doc`). */
  readonly columns: readonly { readonly name: string; readonly cast?: string }[];
  /** The columns' values of an instance, in `columns` order. */
  readonly values: (instance: T, at: Date) => SqlValue[];
  readonly filters: FilterSpec;
  /**
   * How the document is read when it is not the stored `doc` alone: the
   * columns selected beside it, and the document made of such a row (alerts
   * lay the heartbeat's columns over it: `alert-document.ts`).
   */
  readonly document?: {
    readonly columns: readonly string[];
    read(row: StoredRow): Record<string, unknown>;
  };
  /**
   * Paths of the model's secret fields stored encrypted
   * (`secretPaths(model.shape)`); absent: the model's secrets (a key's hash)
   * are stored as they are.
   */
  readonly secretFields?: readonly string[];
}

/** Options of a {@link ModelRepository}. */
export interface ModelRepositoryOptions {
  /** Encrypts the spec's `secretFields` at rest; without it they can be neither stored nor revealed. */
  readonly cipher?: SecretCipher | undefined;
  /** Seals the audit entries of its changes (HMAC); without them they are plain SHA-256. */
  readonly auditKeys?: AuditKeys | undefined;
}

/** @internal A row as the repositories read it. */
export type StoredRow = {
  doc: Record<string, unknown>;
  version: number;
  deleted_at: Date | null;
};

/** Fields a repository sets itself; values a caller gives for them are replaced. */
const OWNED_FIELDS = [
  'tenantId',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'deletedAt',
  'deletedBy',
] as const;

/** Dump options of the stored document: JSON, secrets in clear, no computed fields. */
export const STORAGE_DUMP: DumpOptions = Object.freeze({
  mode: 'json',
  revealSecrets: true,
  computed: false,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @internal `input` without the fields the repository owns. */
export function withoutOwned(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!(OWNED_FIELDS as readonly string[]).includes(k)) out[k] = v;
  }
  return out;
}

/** @internal Maps unique and foreign-key violations to domain errors. */
export function mapWriteError(
  err: unknown,
  resource: string,
  id: string,
  tenantId: string,
): unknown {
  if (err instanceof StorageError) {
    if (err.sqlState === '23505') {
      return new ConflictError(
        'ALERTBASE_RESOURCE_ALREADY_EXISTS',
        { resource, id },
        { cause: err },
      );
    }
    if (err.sqlState === '23503') return new NotFoundError('Tenant', tenantId, { cause: err });
  }
  return err;
}

function checkVersion(resource: string, id: string, current: number, options: WriteOptions): void {
  const expected = options.expectedVersion;
  if (expected !== undefined && expected !== current) {
    throw ConflictError.version(resource, id, expected, current);
  }
}

/**
 * A tenant-scoped repository of one model on PostgreSQL (server or PGlite):
 * the store-independent {@link TenantRepository} contract over a table with
 * `doc jsonb` holding the whole model and typed key columns for filters.
 *
 * Every call runs in `db.withTenant(tenantId, ...)`, so row-level security
 * limits it to that tenant; every statement also names the tenant, so the
 * primary key and indexes are used.
 */
export class ModelRepository<T extends object, I, P, F> implements TenantRepository<T, I, P, F> {
  readonly resource: string;
  protected readonly db: Database;
  protected readonly spec: TableSpec<T>;
  readonly #cipher: SecretCipher | undefined;
  /** The keys audit entries of this repository are sealed with. */
  protected readonly auditKeys: AuditKeys | undefined;
  readonly #fields: ReadonlySet<string>;
  readonly #insert: Statement;
  readonly #select: Statement;
  readonly #lock: Statement;
  readonly #write: Statement;
  readonly #purge: Statement;

  constructor(db: Database, spec: TableSpec<T>, options: ModelRepositoryOptions = {}) {
    this.db = db;
    this.spec = spec;
    this.#cipher = options.cipher;
    this.auditKeys = options.auditKeys;
    this.resource = spec.model.name;
    this.#fields = new Set(spec.model.fields);
    const { table, columns } = spec;
    const extra = (spec.document?.columns ?? []).map((c) => `, ${c}`).join('');
    const names = columns.map((c) => c.name);
    const casts = columns.map((c, i) => `$${i + 8}${c.cast ?? ''}`);
    this.#insert = prepared(
      `INSERT INTO ${table} (tenant_id, id, version, created_at, updated_at, deleted_at, doc${names.map((n) => `, ${n}`).join('')})
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb${casts.map((c) => `, ${c}`).join('')})`,
    );
    this.#select = prepared(
      `SELECT doc, version, deleted_at${extra} FROM ${table} WHERE tenant_id = $1 AND id = $2`,
    );
    this.#lock = prepared(
      `SELECT doc, version, deleted_at${extra} FROM ${table} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    );
    this.#write = prepared(
      `UPDATE ${table} SET version = $3, updated_at = $4, deleted_at = $5, doc = $6::jsonb${names
        .map((n, i) => `, ${n} = $${i + 7}${columns[i]?.cast ?? ''}`)
        .join('')}
       WHERE tenant_id = $1 AND id = $2`,
    );
    this.#purge = prepared(`DELETE FROM ${table} WHERE tenant_id = $1 AND id = $2`);
  }

  /** Does the model have this field? */
  protected has(field: string): boolean {
    return this.#fields.has(field);
  }

  /** The repository-owned fields of a new record, for the fields the model has. */
  protected ownedOnCreate(tenantId: string, actor: ActorId, now: Date): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const set = (k: string, v: unknown): void => {
      if (this.has(k)) out[k] = v;
    };
    set('tenantId', tenantId);
    set('createdAt', now);
    set('updatedAt', now);
    set('createdBy', actor);
    set('updatedBy', actor);
    set('version', 1);
    set('deletedAt', null);
    set('deletedBy', null);
    return out;
  }

  /** The repository-owned fields of a change. */
  protected ownedOnChange(actor: ActorId, now: Date, version: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.has('updatedAt')) out.updatedAt = now;
    if (this.has('updatedBy')) out.updatedBy = actor;
    if (this.has('version')) out.version = version;
    return out;
  }

  /** The stored document of an instance, its secret fields encrypted. */
  protected toDoc(tenantId: string, instance: T): Record<string, unknown> {
    const doc = this.spec.model.dump(instance, STORAGE_DUMP);
    if (this.spec.secretFields === undefined || this.spec.secretFields.length === 0) return doc;
    const record = { tenantId, resource: this.resource, id: String(doc.id) };
    return sealSecrets(instance, doc, record, this.#cipher);
  }

  /** An instance from its stored document: secret fields stay sealed until revealed. */
  protected fromDoc(tenantId: string, doc: Record<string, unknown>): T {
    const paths = this.spec.secretFields;
    if (paths === undefined || paths.length === 0) return this.spec.model.parse(doc);
    const record = { tenantId, resource: this.resource, id: String(doc.id) };
    return this.spec.model.parse(unsealSecrets(doc, record, paths, this.#cipher));
  }

  /** Validates input for a new record, with the owned fields set. */
  protected build(tenantId: string, input: unknown, actor: ActorId, now: Date): T {
    if (!isRecord(input)) return this.spec.model.parse(input);
    const given = input.tenantId;
    if (this.has('tenantId') && given !== undefined && given !== tenantId) {
      throw new TenantIsolationError(tenantId, String(given));
    }
    return this.spec.model.parse({
      ...withoutOwned(input),
      ...this.ownedOnCreate(tenantId, actor, now),
    });
  }

  /** Inserts a validated instance. */
  protected async insert(
    tx: TransactionClient,
    tenantId: string,
    instance: T,
    now: Date,
  ): Promise<Record<string, unknown>> {
    const doc = this.toDoc(tenantId, instance);
    const id = String(doc.id);
    const createdAt =
      instance instanceof Object && 'createdAt' in instance ? (instance.createdAt as Date) : now;
    const updatedAt = 'updatedAt' in instance ? (instance.updatedAt as Date) : now;
    const deletedAt = 'deletedAt' in instance ? (instance.deletedAt as Date | null) : null;
    try {
      await tx.query(
        this.#insert.text,
        [tenantId, id, 1, createdAt, updatedAt, deletedAt, doc, ...this.spec.values(instance, now)],
        this.#insert.options,
      );
    } catch (err) {
      throw mapWriteError(err, this.resource, id, tenantId);
    }
    return doc;
  }

  /** Writes a changed instance and its version. */
  protected async write(
    tx: TransactionClient,
    tenantId: string,
    id: string,
    instance: T,
    version: number,
    deletedAt: Date | null,
    now: Date,
  ): Promise<Record<string, unknown>> {
    const doc = this.toDoc(tenantId, instance);
    const updatedAt = 'updatedAt' in instance ? (instance.updatedAt as Date) : now;
    try {
      await tx.query(
        this.#write.text,
        [tenantId, id, version, updatedAt, deletedAt, doc, ...this.spec.values(instance, now)],
        this.#write.options,
      );
    } catch (err) {
      throw mapWriteError(err, this.resource, id, tenantId);
    }
    return doc;
  }

  /** Reads and locks a row for a change; NotFoundError when absent (or deleted, unless allowed). */
  protected async lock(
    tx: TransactionClient,
    tenantId: string,
    id: string,
    includeDeleted: boolean,
  ): Promise<StoredRow> {
    const { rows } = await tx.query<StoredRow>(this.#lock.text, [tenantId, id], this.#lock.options);
    const row = rows[0];
    if (row === undefined || (!includeDeleted && row.deleted_at !== null)) {
      throw new NotFoundError(this.resource, id);
    }
    return this.#read(row);
  }

  /** The row with its document as read (`TableSpec.document`). */
  #read<R extends StoredRow>(row: R): R {
    const document = this.spec.document;
    if (document !== undefined) row.doc = document.read(row);
    return row;
  }

  /** Appends the audit event of a change. */
  protected audit(
    tx: TransactionClient,
    tenantId: string,
    action: AuditAction,
    actor: ActorId,
    id: string,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    now: Date,
    details: Readonly<Record<string, string | number | boolean | null>> = {},
  ): Promise<unknown> {
    return appendAudit(
      tx,
      tenantId,
      {
        actor,
        action,
        entityType: this.resource,
        entityId: id,
        before: digestOf(before),
        after: digestOf(after),
        details,
      },
      now,
      this.auditKeys,
    );
  }

  /**
   * Runs `fn` in the caller's transaction when given (for the same tenant),
   * else in its own (with `txOptions`).
   */
  protected within<R>(
    tenantId: string,
    options: CreateOptions,
    fn: (tx: TransactionClient) => Promise<R>,
    txOptions: TenantTransactionOptions = {},
  ): Promise<R> {
    const tx = options.transaction;
    if (tx === undefined) return this.db.withTenant(tenantId, fn, txOptions);
    if (tx.tenantId !== tenantId) {
      return Promise.reject(new TenantIsolationError(tenantId, String(tx.tenantId)));
    }
    return fn(tx);
  }

  async create(
    tenantId: string,
    input: I,
    actor: ActorId,
    options: CreateOptions = {},
  ): Promise<T> {
    const now = new Date();
    const instance = this.build(tenantId, input, actor, now);
    let used: TransactionClient | undefined;
    const created = await this.within(tenantId, options, async (tx) => {
      used = tx;
      const doc = await this.insert(tx, tenantId, instance, now);
      await this.audit(tx, tenantId, 'create', actor, String(doc.id), null, doc, now);
      await this.afterWrite(tx, tenantId, now);
      return instance;
    });
    this.afterCommit(tenantId, used);
    return created;
  }

  /**
   * Runs at the end of every write's transaction (create, update, delete,
   * restore, purge), after its audit event: what a write of this model sets
   * in motion in the same transaction. Default: nothing.
   */
  protected async afterWrite(
    _tx: TransactionClient,
    _tenantId: string,
    _now: Date,
  ): Promise<void> {}

  /**
   * Runs after a write's transaction committed (caches), or, for a write in
   * a caller's transaction, when the write is done (a cache reloaded before
   * that transaction commits is at most its age out of date). `tx` is the
   * transaction the write ran in (to pick up what its `afterWrite` left).
   * Default: nothing.
   */
  protected afterCommit(_tenantId: string, _tx: TransactionClient | undefined): void {}

  async find(tenantId: string, id: string, options: GetOptions = {}): Promise<T | undefined> {
    const row = await this.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<StoredRow>(
        this.#select.text,
        [tenantId, id],
        this.#select.options,
      );
      return rows[0];
    });
    if (row === undefined || (row.deleted_at !== null && options.includeDeleted !== true)) {
      return undefined;
    }
    return this.fromDoc(tenantId, this.#read(row).doc);
  }

  async get(tenantId: string, id: string, options: GetOptions = {}): Promise<T> {
    const found = await this.find(tenantId, id, options);
    if (found === undefined) throw new NotFoundError(this.resource, id);
    return found;
  }

  async versionOf(tenantId: string, id: string): Promise<number> {
    const row = await this.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<StoredRow>(
        this.#select.text,
        [tenantId, id],
        this.#select.options,
      );
      return rows[0];
    });
    if (row === undefined) throw new NotFoundError(this.resource, id);
    return row.version;
  }

  async update(
    tenantId: string,
    id: string,
    patch: P,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<T> {
    if (!isRecord(patch)) {
      throw new ValidationError(this.resource, [
        { path: [], pointer: '', code: 'invalid_type', message: 'a patch must be an object' },
      ]);
    }
    return this.change(tenantId, id, actor, options, 'update', false, (current, owned) => ({
      next: this.spec.model.update(current, { ...withoutOwned(patch), ...owned }),
      deleted: undefined,
      details: { fields: Object.keys(withoutOwned(patch)).sort().join(',').slice(0, 1_024) },
    }));
  }

  async delete(
    tenantId: string,
    id: string,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.change(tenantId, id, actor, options, 'delete', true, (current, owned, row, now) => {
      if (row.deleted_at !== null) return undefined;
      const soft = this.has('deletedAt') ? { deletedAt: now, deletedBy: actor } : {};
      return {
        next: this.spec.model.update(current, { ...owned, ...soft }),
        deleted: now,
        details: {},
      };
    });
  }

  async restore(
    tenantId: string,
    id: string,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.change(tenantId, id, actor, options, 'restore', true, (current, owned, row) => {
      if (row.deleted_at === null) return undefined;
      const soft = this.has('deletedAt') ? { deletedAt: null, deletedBy: null } : {};
      return {
        next: this.spec.model.update(current, { ...owned, ...soft }),
        deleted: null,
        details: {},
      };
    });
  }

  async purge(
    tenantId: string,
    id: string,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<void> {
    const now = new Date();
    let used: TransactionClient | undefined;
    await this.within(tenantId, options, async (tx) => {
      used = tx;
      const row = await this.lock(tx, tenantId, id, true);
      checkVersion(this.resource, id, row.version, options);
      if (row.deleted_at === null) {
        // A purged row is gone: to the invariants, as deleted as can be.
        const current = this.fromDoc(tenantId, row.doc);
        await this.beforeChange(tx, tenantId, current, current, now, 'purge');
      }
      await tx.query(this.#purge.text, [tenantId, id], this.#purge.options);
      await this.audit(tx, tenantId, 'purge', actor, id, row.doc, null, now);
      await this.afterWrite(tx, tenantId, now);
    });
    this.afterCommit(tenantId, used);
  }

  /**
   * Called inside the transaction of every change, after the row is locked
   * and the next instance computed, before it is written: a subclass refuses
   * a change that breaks an invariant across rows by throwing (the
   * transaction rolls back). Does nothing here.
   */
  protected async beforeChange(
    _tx: TransactionClient,
    _tenantId: string,
    _current: T,
    _next: T,
    _deletedAt: Date | null,
    _action: AuditAction,
  ): Promise<void> {}

  /**
   * The read-check-write cycle of every change: lock the row, check the
   * version, compute the next instance (or `undefined`: nothing to do),
   * write it with the next version, audit it; all in one transaction.
   */
  protected async change(
    tenantId: string,
    id: string,
    actor: ActorId,
    options: WriteOptions,
    action: AuditAction,
    includeDeleted: boolean,
    compute: (
      current: T,
      owned: Record<string, unknown>,
      row: StoredRow,
      now: Date,
    ) =>
      | {
          next: T;
          /** The new `deleted_at`; `undefined` keeps it. */
          deleted: Date | null | undefined;
          details: Readonly<Record<string, string | number | boolean | null>>;
        }
      | undefined,
  ): Promise<T> {
    const now = new Date();
    // The tenant's audit lock first, then the row: the order ingest and the
    // heartbeat write-behind take them in. Row first (the audit lock came
    // with the audit event) deadlocked against a heartbeat flush of the same
    // row on another instance: PostgreSQL aborted one, and an acknowledge
    // answered 500.
    let used: TransactionClient | undefined;
    const changed = await this.within(
      tenantId,
      options,
      async (tx) => {
        used = tx;
        const row = await this.lock(tx, tenantId, id, includeDeleted);
        checkVersion(this.resource, id, row.version, options);
        const current = this.fromDoc(tenantId, row.doc);
        const version = row.version + 1;
        const step = compute(current, this.ownedOnChange(actor, now, version), row, now);
        if (step === undefined) return current;
        const deletedAt = step.deleted === undefined ? row.deleted_at : step.deleted;
        await this.beforeChange(tx, tenantId, current, step.next, deletedAt, action);
        const doc = await this.write(tx, tenantId, id, step.next, version, deletedAt, now);
        await this.audit(tx, tenantId, action, actor, id, row.doc, doc, now, step.details);
        await this.afterWrite(tx, tenantId, now);
        return step.next;
      },
      { advisoryLock: auditLockOf(tenantId) },
    );
    this.afterCommit(tenantId, used);
    return changed;
  }

  async list(tenantId: string, options: ListOptions<F> = {}): Promise<Page<T>> {
    // An unknown option is a mistake (a filter key given beside `filter`, say),
    // not something to ignore: the listing would silently be unfiltered.
    refuseKeys(
      'ListOptions',
      Object.keys(options).filter((k) => !LIST_OPTION_KEYS.has(k)),
      (k) =>
        LIST_FILTER_HINT.has(k)
          ? `unknown list option "${k}": filters go under "filter"`
          : `unknown list option "${k}"`,
    );
    const order = options.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') {
      throw new ValidationError('ListOptions', [
        {
          path: ['order'],
          pointer: '/order',
          code: 'invalid_value',
          message: 'expected asc or desc',
        },
      ]);
    }
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new ValidationError('ListOptions', [
        {
          path: ['limit'],
          pointer: '/limit',
          code: 'too_big',
          message: `expected an integer from 1 to ${MAX_PAGE_SIZE}`,
        },
      ]);
    }
    const includeDeleted = options.includeDeleted === true;
    const filter = (options.filter ?? {}) as Record<string, unknown>;
    const params: SqlValue[] = [tenantId];
    const add = (value: SqlValue): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['tenant_id = $1'];
    if (!includeDeleted) where.push('deleted_at IS NULL');
    // Validates the filter first: its digest below would refuse an invalid Date less clearly.
    where.push(...filterSql(this.spec.filters, this.resource, filter, add));
    const branches = statusBranches(this.spec.filters, filter, add);
    const scope = contentHash({ filter, includeDeleted }).slice(0, 16);
    if (options.cursor !== undefined) {
      const cursor = decodeCursor(options.cursor, order, scope);
      const op = order === 'asc' ? '>' : '<';
      where.push(
        `(created_at, id) ${op} (${add(cursor.createdAt)}::timestamptz, ${add(cursor.id)})`,
      );
    }
    const sql = listSql(
      this.spec.table,
      where,
      branches,
      order,
      add(limit + 1),
      this.spec.document?.columns,
    );
    const statement = prepared(sql);
    const rows = await this.db.withTenant(
      tenantId,
      async (tx) => {
        const result = await tx.query<StoredRow & { id: string; ts: string }>(
          statement.text,
          params,
          statement.options,
        );
        return result.rows;
      },
      { plannerOff: LIST_PLANNER_OFF },
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.fromDoc(tenantId, this.#read(r).doc)),
      nextCursor:
        rows.length > limit && last !== undefined
          ? encodeCursor({ createdAt: last.ts, id: last.id, order, scope })
          : null,
    };
  }
}
