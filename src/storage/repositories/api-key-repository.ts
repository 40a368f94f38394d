import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlertbaseError } from '../../base/exceptions/errors.js';
import type { InputOf } from '../../base/types/model.js';
import { ApiKey } from '../../domain/api-key.js';
import type { Database, TransactionClient } from '../types.js';
import type { AuditAction } from './audit-log.js';
import { notifyCacheChange } from './cache-changes.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { API_KEYS } from './specs.js';
import { prepared } from './statements.js';
import type { ActorId, CreateOptions, StatusFilter, WriteOptions } from './types.js';

/** What `create` accepts: a key record with its hash (imports); use `issue` to make a new key. */
export type ApiKeyInput = Omit<InputOf<typeof ApiKey>, 'tenantId'> & { readonly tenantId?: string };
/** What `update` accepts (`prefix` and `keyHash` are immutable). */
export type ApiKeyPatch = Partial<InputOf<typeof ApiKey>>;
/** What `issue` needs: the key's name, role and optional expiry. */
export type ApiKeyRequest = Pick<InputOf<typeof ApiKey>, 'name' | 'role' | 'expiresAt'>;

/** A newly issued key: the record, and the key itself (shown once, never stored). */
export interface IssuedApiKey {
  readonly apiKey: ApiKey;
  /** `ab_<tenant>_<48 hex digits>`: give it to the client now; only its hash is kept. */
  readonly key: string;
}

/**
 * API keys are `ab_<tenant>_<48 hex digits>` (192 random bits). The tenant in
 * the key says where to look it up, so authentication runs inside that
 * tenant's row-level security like every other query; the stored record
 * keeps `ab_<first 8 hex digits>` as its prefix and the SHA-256 of the key.
 */
export const API_KEY_PATTERN = /^ab_([a-z0-9][a-z0-9-]{0,62})_([0-9a-f]{48})$/;

/** SHA-256 of a key, lowercase hex (what `keyHash` holds). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The tenant a key belongs to, or `undefined` when it is not an alertbase key. */
export function tenantOfApiKey(key: string): string | undefined {
  return API_KEY_PATTERN.exec(key)?.[1];
}

const BY_PREFIX = prepared(
  `SELECT doc, key_hash FROM api_keys
    WHERE tenant_id = $1 AND key_prefix = $2 AND deleted_at IS NULL`,
);

/**
 * Sets `lastUsedAt` (the column and the stored document) without a new
 * version, `updatedAt` or audit event: a use is not a change of the key.
 * Only a usable key is touched, and only when its last recorded use is at
 * or before `$4` (the interval), so concurrent processes write at most once
 * per interval and never move the time back.
 */
const RECORD_USE = prepared(
  `UPDATE api_keys
      SET last_used_at = $3::timestamptz, doc = jsonb_set(doc, '{lastUsedAt}', to_jsonb($5::text))
    WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL AND status = 'active'
      AND (expires_at IS NULL OR expires_at > $3::timestamptz)
      AND (last_used_at IS NULL OR last_used_at <= $4::timestamptz)
    RETURNING id`,
);

/**
 * The other usable owner keys of a tenant, after taking the tenant's
 * owner-key lock: two concurrent changes of its last two owner keys are
 * serialised, so the second sees the first and is refused.
 */
const OWNER_KEY_LOCK = prepared(
  `SELECT pg_advisory_xact_lock(hashtextextended('alertbase:owner-keys:' || $1, 0))`,
);
const OTHER_OWNER_KEYS = prepared(
  `SELECT count(*)::int AS n FROM api_keys
    WHERE tenant_id = $1 AND id <> $2 AND deleted_at IS NULL AND status = 'active'
      AND doc->>'role' = 'owner' AND (expires_at IS NULL OR expires_at > now())`,
);

/** Is the key an owner key that can be used (not revoked, expired or deleted)? */
const usableOwner = (key: ApiKey, deletedAt: Date | null): boolean =>
  key.role === 'owner' && key.isUsable && deletedAt === null;

/** API keys: issue, find by the plain key (constant-time hash comparison), revoke. */
export class ApiKeyRepository extends ModelRepository<
  ApiKey,
  ApiKeyInput,
  ApiKeyPatch,
  StatusFilter
> {
  constructor(db: Database, options: ModelRepositoryOptions = {}) {
    super(db, API_KEYS, options);
  }

  /**
   * Makes a new key for a tenant and stores its hash (audit `key.create`).
   *
   * @example
   * ```ts
   * const { key, apiKey } = await apiKeys.issue('acme', { name: 'prometheus', role: 'responder' }, 'user:42');
   * // key = 'ab_acme_3f9c…' — show it once
   * ```
   */
  async issue(
    tenantId: string,
    request: ApiKeyRequest,
    actor: ActorId,
    options: CreateOptions = {},
  ): Promise<IssuedApiKey> {
    return this.issueAs(tenantId, request, actor, 'key.create', {}, options);
  }

  /**
   * Break-glass: issues a new owner key to a tenant on a platform
   * administrator's authority (when its owners lost their keys), audited in
   * the tenant's own trail as `key.break_glass` with the reason given.
   *
   * @example
   * ```ts
   * const { key } = await apiKeys.issueBreakGlassOwnerKey('acme', 'platform-admin', 'owner left');
   * ```
   */
  async issueBreakGlassOwnerKey(
    tenantId: string,
    actor: ActorId,
    reason: string,
  ): Promise<IssuedApiKey> {
    return this.issueAs(
      tenantId,
      { name: 'break-glass-owner', role: 'owner' },
      actor,
      'key.break_glass',
      { reason: reason.slice(0, 1_024) },
    );
  }

  private async issueAs(
    tenantId: string,
    request: ApiKeyRequest,
    actor: ActorId,
    action: AuditAction,
    details: Readonly<Record<string, string>>,
    options: CreateOptions = {},
  ): Promise<IssuedApiKey> {
    const secret = randomBytes(24).toString('hex');
    const key = `ab_${tenantId}_${secret}`;
    const now = new Date();
    const apiKey = this.build(
      tenantId,
      { ...request, prefix: `ab_${secret.slice(0, 8)}`, keyHash: hashApiKey(key) },
      actor,
      now,
    );
    await this.within(tenantId, options, async (tx) => {
      const doc = await this.insert(tx, tenantId, apiKey, now);
      await this.audit(tx, tenantId, action, actor, apiKey.id, null, doc, now, details);
    });
    return { apiKey, key };
  }

  /**
   * The usable (not revoked, not expired, not deleted) key record of a plain
   * key, or `undefined`. Looks only inside the tenant the key names, by
   * prefix, and compares SHA-256 digests in constant time.
   */
  async findByKey(plainKey: string): Promise<ApiKey | undefined> {
    const match = typeof plainKey === 'string' ? API_KEY_PATTERN.exec(plainKey) : null;
    if (match === null) return undefined;
    const [, tenantId, secret] = match as unknown as [string, string, string];
    const wanted = Buffer.from(hashApiKey(plainKey), 'hex');
    const rows = await this.db.withTenant(tenantId, async (tx) => {
      const result = await tx.query<{ doc: Record<string, unknown>; key_hash: string }>(
        BY_PREFIX.text,
        [tenantId, `ab_${secret.slice(0, 8)}`],
        BY_PREFIX.options,
      );
      return result.rows;
    });
    let found: Record<string, unknown> | undefined;
    for (const row of rows) {
      const stored = Buffer.from(row.key_hash, 'hex');
      // Every candidate is compared, whatever matched before.
      if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) found = row.doc;
    }
    if (found === undefined) return undefined;
    const apiKey = ApiKey.parse(found);
    return apiKey.isUsable ? apiKey : undefined;
  }

  /**
   * Records that a key was used at `at`: sets `lastUsedAt`, unless the key is
   * revoked, expired or deleted, or its recorded use is less than
   * `minIntervalMs` before `at`. Not a change of the key: no new version, no
   * `updatedAt`, no audit event. Returns whether it wrote.
   *
   * @example
   * ```ts
   * await apiKeys.recordUse('acme', key.id, new Date(), DURATIONS.apiKeyLastUsedIntervalMs); // true
   * await apiKeys.recordUse('acme', key.id, new Date(), DURATIONS.apiKeyLastUsedIntervalMs); // false
   * ```
   */
  async recordUse(tenantId: string, id: string, at: Date, minIntervalMs = 0): Promise<boolean> {
    const { rowCount } = await this.db.withTenant(tenantId, (tx) =>
      tx.query(
        RECORD_USE.text,
        [tenantId, id, at, new Date(at.getTime() - minIntervalMs), at.toISOString()],
        RECORD_USE.options,
      ),
    );
    return rowCount > 0;
  }

  /**
   * Every instance keeps keys in memory for a few seconds: a key changed
   * (revoked, its role or expiry, deleted) is told to all at the commit.
   */
  protected override async afterWrite(tx: TransactionClient, tenantId: string): Promise<void> {
    notifyCacheChange(tx, { kind: 'keys', tenantId });
  }

  /**
   * Refuses any change (revoke, a role below owner, an expiry, a delete)
   * that would leave the tenant without a usable owner key:
   * `ALERTBASE_AUTH_LAST_OWNER_KEY` (409).
   */
  protected override async beforeChange(
    tx: TransactionClient,
    tenantId: string,
    current: ApiKey,
    next: ApiKey,
    deletedAt: Date | null,
    action: AuditAction,
  ): Promise<void> {
    if (!usableOwner(current, null) || usableOwner(next, deletedAt)) return;
    await tx.query(OWNER_KEY_LOCK.text, [tenantId], OWNER_KEY_LOCK.options);
    const { rows } = await tx.query<{ n: number }>(
      OTHER_OWNER_KEYS.text,
      [tenantId, current.id],
      OTHER_OWNER_KEYS.options,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    throw new AlertbaseError('ALERTBASE_AUTH_LAST_OWNER_KEY', {
      tenantId,
      id: current.id,
      action:
        action === 'key.revoke'
          ? 'revoke'
          : action === 'delete' || action === 'purge'
            ? action
            : 'demote',
    });
  }

  /** Revokes a key (audit `key.revoke`); revoking a revoked key changes nothing. */
  async revoke(
    tenantId: string,
    id: string,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<ApiKey> {
    return this.change(
      tenantId,
      id,
      actor,
      options,
      'key.revoke',
      false,
      (current, owned, _row, now) =>
        current.revokedAt !== null
          ? undefined
          : {
              next: ApiKey.update(current, { ...owned, revokedAt: now }),
              deleted: undefined,
              details: {},
            },
    );
  }
}
