import { ConflictError, NotFoundError, ValidationError } from '../../base/exceptions/index.js';
import type { InputOf } from '../../base/types/model.js';
import { Tenant } from '../../domain/tenant.js';
import type { Database, TransactionClient } from '../types.js';
import { type AuditKeys, appendAudit, digestOf } from './audit-log.js';
import { notifyCacheChange } from './cache-changes.js';
import { mapWriteError, STORAGE_DUMP, withoutOwned } from './model-repository.js';
import { prepared } from './statements.js';
import type { ActorId, WriteOptions } from './types.js';

/** What `create` accepts. */
export type TenantInput = InputOf<typeof Tenant>;
/** What `update` accepts (`id` is immutable). */
export type TenantPatch = Partial<InputOf<typeof Tenant>>;

const INSERT = prepared(
  `INSERT INTO tenants (tenant_id, name, status, version, created_at, updated_at, doc)
   VALUES ($1, $2, $3, 1, $4, $4, $5::jsonb)`,
);
const SELECT = prepared('SELECT doc, version FROM tenants WHERE tenant_id = $1');
const LOCK = prepared('SELECT doc, version FROM tenants WHERE tenant_id = $1 FOR UPDATE');
const WRITE = prepared(
  `UPDATE tenants SET name = $2, status = $3, version = $4, updated_at = $5, doc = $6::jsonb
    WHERE tenant_id = $1`,
);

/**
 * Tenants. The `tenants` table is under row-level security like the others,
 * scoped by its own id: each call runs in `withTenant(id)` and sees only
 * that tenant's row. A tenant's changes go into its own audit chain.
 */
export class TenantRepository {
  /** The audit entity type. */
  readonly resource = 'Tenant';
  readonly #db: Database;
  readonly #auditKeys: AuditKeys | undefined;

  /** @param auditKeys seal the audit entries (HMAC); without them they are plain SHA-256. */
  constructor(db: Database, auditKeys?: AuditKeys) {
    this.#db = db;
    this.#auditKeys = auditKeys;
  }

  /**
   * Creates a tenant (version 1, timestamps and `createdBy` from `actor`).
   * @throws ValidationError; ConflictError (`ALERTBASE_RESOURCE_ALREADY_EXISTS`).
   */
  async create(input: TenantInput, actor: ActorId): Promise<Tenant> {
    const now = new Date();
    const raw = typeof input === 'object' && input !== null ? withoutOwned(input) : input;
    const tenant = Tenant.parse({
      ...(raw as Record<string, unknown>),
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
      version: 1,
    });
    return this.#db.withTenant(tenant.id, async (tx) => {
      const doc = Tenant.dump(tenant, STORAGE_DUMP);
      try {
        await tx.query(
          INSERT.text,
          [tenant.id, tenant.name, tenant.status, now, doc],
          INSERT.options,
        );
      } catch (err) {
        throw mapWriteError(err, this.resource, tenant.id, tenant.id);
      }
      await this.#audit(tx, tenant.id, actor, null, doc, now, {});
      // An instance that looked the id up before keeps "no such tenant" for a few seconds.
      notifyCacheChange(tx, { kind: 'tenant', tenantId: tenant.id });
      return tenant;
    });
  }

  /** The tenant, or `undefined`. */
  async find(id: string): Promise<Tenant | undefined> {
    const row = await this.#db.withTenant(id, async (tx) => {
      const { rows } = await tx.query<{ doc: Record<string, unknown> }>(
        SELECT.text,
        [id],
        SELECT.options,
      );
      return rows[0];
    });
    return row === undefined ? undefined : Tenant.parse(row.doc);
  }

  /** The tenant. @throws NotFoundError. */
  async get(id: string): Promise<Tenant> {
    const tenant = await this.find(id);
    if (tenant === undefined) throw new NotFoundError(this.resource, id);
    return tenant;
  }

  /** Applies a validated patch. @throws NotFoundError, ConflictError, ValidationError. */
  async update(
    id: string,
    patch: TenantPatch,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<Tenant> {
    if (typeof patch !== 'object' || patch === null) {
      throw new ValidationError(this.resource, [
        { path: [], pointer: '', code: 'invalid_type', message: 'a patch must be an object' },
      ]);
    }
    const fields = withoutOwned(patch);
    return this.#change(id, actor, options, fields, {
      fields: Object.keys(fields).sort().join(',').slice(0, 1_024),
    });
  }

  /** Suspends a tenant (its data stays; the service refuses its requests). */
  suspend(id: string, actor: ActorId, options: WriteOptions = {}): Promise<Tenant> {
    return this.#change(id, actor, options, { status: 'suspended' }, { status: 'suspended' });
  }

  /** Reactivates a suspended tenant. */
  activate(id: string, actor: ActorId, options: WriteOptions = {}): Promise<Tenant> {
    return this.#change(id, actor, options, { status: 'active' }, { status: 'active' });
  }

  async #change(
    id: string,
    actor: ActorId,
    options: WriteOptions,
    patch: Record<string, unknown>,
    details: Readonly<Record<string, string>>,
  ): Promise<Tenant> {
    const now = new Date();
    return this.#db.withTenant(id, async (tx) => {
      const { rows } = await tx.query<{ doc: Record<string, unknown>; version: number }>(
        LOCK.text,
        [id],
        LOCK.options,
      );
      const row = rows[0];
      if (row === undefined) throw new NotFoundError(this.resource, id);
      if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
        throw ConflictError.version(this.resource, id, options.expectedVersion, row.version);
      }
      const current = Tenant.parse(row.doc);
      const version = row.version + 1;
      const next = Tenant.update(current, { ...patch, updatedAt: now, updatedBy: actor, version });
      const doc = Tenant.dump(next, STORAGE_DUMP);
      await tx.query(WRITE.text, [id, next.name, next.status, version, now, doc], WRITE.options);
      await this.#audit(tx, id, actor, row.doc, doc, now, details);
      // Every instance keeps tenants for a few seconds: told at the commit.
      notifyCacheChange(tx, { kind: 'tenant', tenantId: id });
      return next;
    });
  }

  #audit(
    tx: TransactionClient,
    id: string,
    actor: ActorId,
    before: Record<string, unknown> | null,
    after: Record<string, unknown>,
    now: Date,
    details: Readonly<Record<string, string>>,
  ): Promise<unknown> {
    return appendAudit(
      tx,
      id,
      {
        actor,
        action: before === null ? 'create' : 'update',
        entityType: this.resource,
        entityId: id,
        before: digestOf(before),
        after: digestOf(after),
        details,
      },
      now,
      this.#auditKeys,
    );
  }
}
