import { createHash, randomBytes } from 'node:crypto';
import type { InputOf } from '../../base/types/model.js';
import type { User } from '../../domain/user.js';
import type { Database, TransactionClient } from '../types.js';
import { appendAudit } from './audit-log.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { USERS } from './specs.js';
import { prepared } from './statements.js';
import type { ActorId, StatusFilter, WriteOptions } from './types.js';

/** What `create` accepts: a user with a password hash (made by `hashPassword`, or imported). */
export type UserInput = Omit<InputOf<typeof User>, 'tenantId'> & { readonly tenantId?: string };
/** What `update` accepts. */
export type UserPatch = Partial<InputOf<typeof User>>;

/**
 * Session tokens are `abs_<tenant>_<48 hex digits>` (192 random bits); the
 * tenant says where to look the session up; only the token's SHA-256 is stored.
 */
export const SESSION_TOKEN_PATTERN = /^abs_([a-z0-9][a-z0-9-]{0,62})_([0-9a-f]{48})$/;

/** A session, as stored. */
export interface SessionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

/** A usable session and its user, as a request authenticates. */
export interface SessionUser {
  readonly session: SessionRecord;
  readonly user: User;
}

/** A new session: the record, and the token (given to the client once; only its hash is kept). */
export interface OpenedSession {
  readonly session: SessionRecord;
  readonly token: string;
}

const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const BY_EMAIL = prepared(
  'SELECT doc FROM users WHERE tenant_id = $1 AND email = $2 AND deleted_at IS NULL',
);
const INSERT_SESSION = prepared(
  `INSERT INTO sessions (tenant_id, id, user_id, token_hash, created_at, updated_at, expires_at, client)
   VALUES ($1, $2, $3, $4, $5, $5, $6, $7)`,
);
const BY_TOKEN = prepared(
  `SELECT s.id, s.user_id, s.created_at, s.expires_at, s.revoked_at, u.doc
     FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
    WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
      AND u.deleted_at IS NULL AND u.status = 'active'`,
);
const REVOKE_ONE = prepared(
  `UPDATE sessions SET revoked_at = $3, updated_at = $3
    WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id, user_id`,
);
const REVOKE_USER = prepared(
  `UPDATE sessions SET revoked_at = $3, updated_at = $3
    WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
);
const RECORD_LOGIN = prepared(
  `UPDATE users SET doc = jsonb_set(doc, '{lastLoginAt}', to_jsonb($3::text))
    WHERE tenant_id = $1 AND id = $2`,
);

type SessionRow = {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  doc: Record<string, unknown>;
};

/**
 * Users of a tenant (CRUD through the model repository; e-mail addresses
 * unique per tenant) and their login sessions.
 */
export class UserRepository extends ModelRepository<User, UserInput, UserPatch, StatusFilter> {
  constructor(db: Database, options: ModelRepositoryOptions = {}) {
    super(db, USERS, options);
  }

  /** The (not deleted) user of an e-mail address, compared in lower case. */
  async findByEmail(tenantId: string, email: string): Promise<User | undefined> {
    const row = await this.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<{ doc: Record<string, unknown> }>(
        BY_EMAIL.text,
        [tenantId, email.trim().toLowerCase()],
        BY_EMAIL.options,
      );
      return rows[0];
    });
    return row === undefined ? undefined : this.fromDoc(tenantId, row.doc);
  }

  /** Replaces a user's password hash (audit `update`, `fields: passwordHash`). */
  async setPasswordHash(
    tenantId: string,
    id: string,
    passwordHash: string,
    actor: ActorId,
    options: WriteOptions = {},
  ): Promise<User> {
    return this.update(tenantId, id, { passwordHash }, actor, options);
  }

  /**
   * Disables a user and revokes their sessions, in one transaction (audit
   * `update` and one `logout` per session); a disabled user changes nothing.
   */
  async disable(tenantId: string, id: string, actor: ActorId): Promise<User> {
    return this.db.withTenant(tenantId, async (tx) => {
      const user = await this.update(tenantId, id, { disabledAt: new Date() }, actor, {
        transaction: tx,
      });
      await this.revokeSessionsOf(tx, tenantId, id, actor, 'user disabled');
      return user;
    });
  }

  /**
   * Opens a session of `ttlMs` for a user who just proved their password,
   * records the login (`lastLoginAt`, audit `login`), and returns its token.
   */
  async openSession(
    tenantId: string,
    user: User,
    ttlMs: number,
    client: string | null,
  ): Promise<OpenedSession> {
    const token = `abs_${tenantId}_${randomBytes(24).toString('hex')}`;
    const now = new Date();
    const session: SessionRecord = {
      id: `ses_${randomBytes(12).toString('hex')}`,
      tenantId,
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
      revokedAt: null,
    };
    await this.db.withTenant(tenantId, async (tx) => {
      await tx.query(
        INSERT_SESSION.text,
        [tenantId, session.id, user.id, hashToken(token), now, session.expiresAt, client],
        INSERT_SESSION.options,
      );
      await tx.query(
        RECORD_LOGIN.text,
        [tenantId, user.id, now.toISOString()],
        RECORD_LOGIN.options,
      );
      await appendAudit(
        tx,
        tenantId,
        {
          actor: `user:${user.email}`,
          action: 'login',
          entityType: 'Session',
          entityId: session.id,
          before: null,
          after: null,
          details: { userId: user.id, client: client?.slice(0, 256) ?? null },
        },
        now,
        this.auditKeys,
      );
    });
    return { session, token };
  }

  /** Records a refused login in the tenant's trail (`login`, result `failure`). */
  async recordFailedLogin(
    tenantId: string,
    email: string,
    reason: string,
    client: string | null,
  ): Promise<void> {
    await this.db.withTenant(tenantId, (tx) =>
      appendAudit(
        tx,
        tenantId,
        {
          actor: `user:${email.slice(0, 200)}`,
          action: 'login',
          entityType: 'Session',
          entityId: '-',
          before: null,
          after: null,
          result: 'failure',
          details: { reason, client: client?.slice(0, 256) ?? null },
        },
        new Date(),
        this.auditKeys,
      ),
    );
  }

  /**
   * The usable session of a token and its active user, or `undefined`
   * (unknown, expired or revoked token; deleted or disabled user).
   */
  async findSession(token: string, at: Date = new Date()): Promise<SessionUser | undefined> {
    const tenantId = typeof token === 'string' ? SESSION_TOKEN_PATTERN.exec(token)?.[1] : undefined;
    if (tenantId === undefined) return undefined;
    const row = await this.db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<SessionRow>(
        BY_TOKEN.text,
        [tenantId, hashToken(token), at],
        BY_TOKEN.options,
      );
      return rows[0];
    });
    if (row === undefined) return undefined;
    const user = this.fromDoc(tenantId, row.doc);
    if (user.disabledAt !== null) return undefined;
    return {
      session: {
        id: row.id,
        tenantId,
        userId: row.user_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
      },
      user,
    };
  }

  /**
   * Records a password change (`password.change`) in the tenant's trail:
   * `by` the user themself or an administrator, or refused (`failure`,
   * with the reason). In `transaction` when given (the change's own).
   */
  async recordPasswordChange(
    tenantId: string,
    userId: string,
    actor: ActorId,
    outcome: {
      readonly by: 'self' | 'admin';
      readonly result: 'success' | 'failure';
      readonly reason?: string | undefined;
      readonly sessionsEnded?: number | undefined;
    },
    transaction?: TransactionClient,
  ): Promise<void> {
    const write = (tx: TransactionClient) =>
      appendAudit(
        tx,
        tenantId,
        {
          actor,
          action: 'password.change',
          entityType: this.resource,
          entityId: userId,
          before: null,
          after: null,
          result: outcome.result,
          details: {
            by: outcome.by,
            ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
            ...(outcome.sessionsEnded === undefined
              ? {}
              : { sessionsEnded: outcome.sessionsEnded }),
          },
        },
        new Date(),
        this.auditKeys,
      );
    if (transaction !== undefined) await write(transaction);
    else await this.db.withTenant(tenantId, write);
  }

  /** Revokes one session (audit `logout`); returns whether it was open. */
  async revokeSession(
    tenantId: string,
    sessionId: string,
    actor: ActorId,
    reason = 'logout',
  ): Promise<boolean> {
    return this.db.withTenant(tenantId, async (tx) => {
      const now = new Date();
      const { rows } = await tx.query<{ id: string; user_id: string }>(
        REVOKE_ONE.text,
        [tenantId, sessionId, now],
        REVOKE_ONE.options,
      );
      const row = rows[0];
      if (row === undefined) return false;
      await appendAudit(
        tx,
        tenantId,
        {
          actor,
          action: 'logout',
          entityType: 'Session',
          entityId: row.id,
          before: null,
          after: null,
          details: { userId: row.user_id, reason },
        },
        now,
        this.auditKeys,
      );
      return true;
    });
  }

  /** Revokes every open session of a user, in the caller's transaction; returns how many. */
  async revokeSessionsOf(
    tx: TransactionClient,
    tenantId: string,
    userId: string,
    actor: ActorId,
    reason: string,
  ): Promise<number> {
    const now = new Date();
    const { rows } = await tx.query<{ id: string }>(
      REVOKE_USER.text,
      [tenantId, userId, now],
      REVOKE_USER.options,
    );
    for (const row of rows) {
      await appendAudit(
        tx,
        tenantId,
        {
          actor,
          action: 'logout',
          entityType: 'Session',
          entityId: row.id,
          before: null,
          after: null,
          details: { userId, reason },
        },
        now,
        this.auditKeys,
      );
    }
    return rows.length;
  }
}
