/**
 * Authentication and authorization of every request: `Authorization:
 * Bearer <key or session token>`, or the session cookie a login sets; the
 * tenant comes only from the key or the session. A platform
 * administrator key (from configuration) manages tenants and nothing else.
 * A stored key's use is recorded (`lastUsedAt`) after the response, at most
 * once per `DURATIONS.apiKeyLastUsedIntervalMs` per key.
 */

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AUTH_THROTTLE, DURATIONS } from '../base/constants.js';
import type { Role } from '../base/enums/role.js';
import {
  AlertbaseError,
  RateLimitedError,
  TenantIsolationError,
} from '../base/exceptions/index.js';
import {
  createMemoryFailureLimiter,
  type FailureLimiter,
  type FailureVerdict,
} from '../security/index.js';
import {
  API_KEY_PATTERN,
  hashApiKey,
  SESSION_TOKEN_PATTERN,
} from '../storage/repositories/index.js';
import { allows, type Requirement } from './roles.js';

/**
 * The reserved tenant whose keys are platform administrator keys (made by
 * `alertbase admin create-key`): they manage tenants and nothing else.
 */
export const PLATFORM_TENANT = 'platform';

/** The caller of a request: a tenant's key, or the platform administrator. */
export type Principal =
  | {
      readonly kind: 'tenant';
      readonly tenantId: string;
      readonly role: Role;
      /** The key's id, or `session:<id>` for a person's session. */
      readonly keyId: string;
      /** How the audit trail names the caller: `key:<prefix>`, or `user:<e-mail>` for a person. */
      readonly actor: string;
      /** A scoped key's permissions (within its role's); absent: all of the role's. */
      readonly scopes?: readonly string[] | undefined;
      /** The session, when a person logged in (not a key). */
      readonly session?: { readonly id: string; readonly userId: string } | undefined;
    }
  | { readonly kind: 'platform'; readonly actor: string };

/** A tenant principal. */
export type TenantPrincipal = Extract<Principal, { kind: 'tenant' }>;

/** What a key lookup returns: the facts auth needs about a stored key. */
export interface KeyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly prefix: string;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  /** The last recorded use, when the key was looked up. */
  readonly lastUsedAt: Date | null;
  /** A scoped key's permissions; `null` or absent: all of its role's. */
  readonly permissions?: readonly string[] | null;
}

/** What a session lookup returns: a usable session and its person. */
export interface SessionRecordOfAuth {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly role: Role;
}

/** How auth finds keys and tenants (the storage repositories, in the app). */
export interface AuthBackend {
  /** The usable session of a session token (`abs_…`), or `undefined`; absent: sessions are refused. */
  findSession?(token: string, at: Date): Promise<SessionRecordOfAuth | undefined>;
  /** The key whose plain text this is, or `undefined`. */
  findKey(plainKey: string): Promise<KeyRecord | undefined>;
  /** Is the tenant active (exists and not suspended)? */
  tenantIsActive(tenantId: string): Promise<boolean>;
  /**
   * Records that a key was used at `at` (its `lastUsedAt`), unless its
   * recorded use is less than `minIntervalMs` older or it is no longer
   * usable. Called after the response; a rejection is logged, never answered.
   */
  recordKeyUse(key: KeyRecord, at: Date, minIntervalMs: number): Promise<unknown>;
}

/** Options of {@link useAuth}. */
export interface AuthOptions {
  readonly backend: AuthBackend;
  /** SHA-256 digests of the platform administrator keys. */
  readonly platformKeyHashes: readonly string[];
  /** Clock, for key expiry (tests). */
  readonly now?: () => Date;
  /**
   * How long a found key is trusted without asking the database again, in
   * ms; default 5,000. A revocation through this process takes effect at
   * once (`forgetKeys`); through another process, when that change is told
   * (`cache-changes.ts`), and within this time should the notification be lost.
   */
  readonly keyCacheTtlMs?: number;
  /**
   * How long a key the database does not know is remembered as unknown, in
   * ms; default `DURATIONS.unknownKeyCacheMs` (5 s). Repeated bad keys then
   * cost no query.
   */
  readonly unknownKeyCacheMs?: number;
  /**
   * Failed authentication per client address and per key prefix; default: in
   * memory, `AUTH_THROTTLE` (20 failures a minute block for a minute).
   */
  readonly failureLimiter?: FailureLimiter;
  /**
   * Filled with every route registered on the scope and what it requires
   * (`GET /v1/permissions`' tests walk it). A route that declares no
   * requirement is refused at registration: the app does not start.
   */
  readonly routeTable?: RouteRequirement[];
}

/** A route and what it requires. */
export interface RouteRequirement {
  readonly method: string;
  readonly url: string;
  readonly requires: Requirement;
}

/** What {@link useAuth} returns. */
export interface AuthControl {
  /** Forgets every cached key (after a revocation). */
  forgetKeys(): void;
  /** The failed-authentication limiter (logins count their failures in it too). */
  readonly failures: FailureLimiter;
}

/** The cookie a login sets: the session token, `HttpOnly; Secure; SameSite=Strict`. */
export const SESSION_COOKIE = 'alertbase_session';

/** Keys cached at most; the cache is emptied when full. */
const MAX_CACHED_KEYS = 10_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the auth hook on every non-public route. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** What the route requires; routes without it are refused (fail closed). */
    requires?: Requirement;
  }
}

/** Do two SHA-256 hex digests match? Constant-time. */
function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.byteLength === y.byteLength && timingSafeEqual(x, y);
}

const unauthenticated = (reason: string): AlertbaseError =>
  new AlertbaseError('ALERTBASE_AUTH_UNAUTHENTICATED', { reason });

const forbidden = (role: string, action: string): AlertbaseError =>
  new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', { role, action });

/**
 * @internal What failures of one key are counted under besides the client
 * address: `ab_<tenant>_<first 8 hex digits>` (the stored prefix, with its
 * tenant) for alertbase keys, the first 16 characters of anything else.
 */
function prefixOf(key: string): string {
  const session = SESSION_TOKEN_PATTERN.exec(key);
  if (session !== null) return `abs_${session[1]}_${session[2]?.slice(0, 8)}`;
  const match = API_KEY_PATTERN.exec(key);
  return match === null ? `raw:${key.slice(0, 16)}` : `ab_${match[1]}_${match[2]?.slice(0, 8)}`;
}

/** @internal The session token in the request's `Cookie` header, if any. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/**
 * @internal The credential of a request: the `Authorization: Bearer` token
 * (a key or a session token), else the session cookie.
 */
function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    const cookie = sessionCookieOf(request);
    if (cookie !== undefined) return cookie;
    throw unauthenticated('send an API key: Authorization: Bearer <key>');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    throw unauthenticated('expected Authorization: Bearer <key>');
  }
  return match[1];
}

/**
 * Adds the auth hook to `scope`: every route must declare
 * `config.requires`; the hook runs before the body is read, so an
 * unauthenticated or forbidden request is refused without parsing it.
 */
export function useAuth(scope: FastifyInstance, options: AuthOptions): AuthControl {
  const now = options.now ?? (() => new Date());
  const ttl = options.keyCacheTtlMs ?? 5_000;
  const unknownTtl = options.unknownKeyCacheMs ?? DURATIONS.unknownKeyCacheMs;
  const keys = new Map<string, { readonly at: number; readonly record: KeyRecord }>();
  /** Digest → when the database last said it does not know the key. */
  const unknown = new Map<string, number>();
  const failures = options.failureLimiter ?? createMemoryFailureLimiter(AUTH_THROTTLE);
  const usage = keyUsage(options.backend);
  const cachedKey = (digest: string): KeyRecord | undefined => {
    const cached = keys.get(digest);
    return cached !== undefined && Date.now() - cached.at < ttl ? cached.record : undefined;
  };
  const findKey = async (key: string, digest: string): Promise<KeyRecord | undefined> => {
    const at = Date.now();
    const cached = cachedKey(digest);
    if (cached !== undefined) return cached;
    const refused = unknown.get(digest);
    if (refused !== undefined && at - refused < unknownTtl) return undefined;
    const record = await options.backend.findKey(key);
    if (record === undefined) {
      keys.delete(digest);
      if (unknown.size >= MAX_CACHED_KEYS) unknown.clear();
      unknown.set(digest, at);
      return undefined;
    }
    unknown.delete(digest);
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(digest, { at, record });
    return record;
  };
  scope.addHook('onRoute', (route) => {
    const requires = (route.config as { requires?: Requirement } | undefined)?.requires;
    if (requires === undefined) {
      throw new AlertbaseError('ALERTBASE_INTERNAL', {
        reason: `route ${String(route.method)} ${route.url} declares no requirement (config.requires)`,
      });
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') options.routeTable?.push({ method, url: route.url, requires });
    }
  });
  scope.decorateRequest('principal', undefined);
  scope.addHook('onRequest', async (request, reply) => {
    const requires = request.routeOptions.config.requires;
    if (requires === 'public') return;
    const key = bearerOf(request);
    const digest = hashApiKey(key);
    if (options.platformKeyHashes.some((h) => sameDigest(h, digest))) {
      request.principal = { kind: 'platform', actor: 'platform-admin' };
    } else {
      const client = `ip:${request.ip}`;
      const prefix = `key:${prefixOf(key)}`;
      // A key known good (cached) is not held back by others' failures.
      if (cachedKey(digest) === undefined) {
        refuseIfBlocked(reply, [await failures.check(client), await failures.check(prefix)]);
      }
      const failed = async (reason: string): Promise<never> => {
        refuseIfBlocked(reply, [await failures.fail(client), await failures.fail(prefix)]);
        throw unauthenticated(reason);
      };
      if (SESSION_TOKEN_PATTERN.test(key)) {
        const found = await options.backend.findSession?.(key, now());
        if (found === undefined) return failed('unknown, expired or revoked session');
        if (!(await options.backend.tenantIsActive(found.tenantId))) {
          throw forbidden(found.role, 'use a suspended tenant');
        }
        request.principal = {
          kind: 'tenant',
          tenantId: found.tenantId,
          role: found.role,
          keyId: `session:${found.id}`,
          actor: `user:${found.email}`,
          session: { id: found.id, userId: found.userId },
        };
        reply.header('cache-control', 'no-store');
        authorize(request.principal, requires);
        return;
      }
      const record = await findKey(key, digest);
      if (record === undefined) return failed('unknown API key');
      if (record.revokedAt !== null) return failed('the API key was revoked');
      const at = now();
      if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) {
        return failed('the API key has expired');
      }
      // The key authenticated: its use is recorded once the response is sent,
      // even when the request is then refused (role, suspended tenant).
      usage.authenticated(request, record, at);
      if (record.tenantId === PLATFORM_TENANT) {
        request.principal = { kind: 'platform', actor: `key:${record.prefix}` };
      } else {
        if (!(await options.backend.tenantIsActive(record.tenantId))) {
          throw forbidden(record.role, 'use a suspended tenant');
        }
        request.principal = {
          kind: 'tenant',
          tenantId: record.tenantId,
          role: record.role,
          keyId: record.id,
          actor: `key:${record.prefix}`,
          ...(record.permissions === null || record.permissions === undefined
            ? {}
            : { scopes: record.permissions }),
        };
      }
    }
    reply.header('cache-control', 'no-store');
    authorize(request.principal, requires);
  });
  scope.addHook('onResponse', async (request) => usage.responded(request));
  // Closing waits for the uses being written, so the database is not closed under them.
  scope.addHook('onClose', () => usage.settled());
  return {
    forgetKeys: () => {
      keys.clear();
      unknown.clear();
    },
    failures,
  };
}

/**
 * @internal Refuses with 429 `ALERTBASE_RATE_LIMITED` and `Retry-After`
 * when a verdict blocks (the longest wait of those given).
 */
export function refuseIfBlocked(
  reply: { header(name: string, value: string): unknown },
  verdicts: readonly FailureVerdict[],
): void {
  let wait = 0;
  for (const v of verdicts) if (v.blocked) wait = Math.max(wait, v.retryAfterMs);
  if (wait === 0) return;
  const retryAfterSeconds = Math.ceil(wait / 1_000);
  reply.header('retry-after', String(retryAfterSeconds));
  throw new RateLimitedError({
    limit: AUTH_THROTTLE.maxFailures,
    window: `${AUTH_THROTTLE.windowSeconds}s of failed authentication`,
    retryAfterSeconds,
  });
}

/**
 * @internal When each key's use is written: at most once per
 * `DURATIONS.apiKeyLastUsedIntervalMs` per key (judged from the stored
 * `lastUsedAt` and from what this process already wrote), after the
 * response, never failing the request.
 */
function keyUsage(backend: AuthBackend) {
  const interval = DURATIONS.apiKeyLastUsedIntervalMs;
  /** Key id → the last use this process wrote (or is writing), ms. */
  const written = new Map<string, number>();
  /** Uses to write once their request is answered. */
  const due = new WeakMap<FastifyRequest, { readonly record: KeyRecord; readonly at: Date }>();
  const writing = new Set<Promise<void>>();
  return {
    authenticated(request: FastifyRequest, record: KeyRecord, at: Date): void {
      const last = Math.max(
        written.get(record.id) ?? Number.NEGATIVE_INFINITY,
        record.lastUsedAt?.getTime() ?? Number.NEGATIVE_INFINITY,
      );
      if (at.getTime() - last < interval) return;
      // Claimed now, not when written: concurrent requests of one key write once.
      if (written.size >= MAX_CACHED_KEYS) written.clear();
      written.set(record.id, at.getTime());
      due.set(request, { record, at });
    },
    responded(request: FastifyRequest): void {
      const use = due.get(request);
      if (use === undefined) return;
      due.delete(request);
      const write = backend.recordKeyUse(use.record, use.at, interval).then(
        () => {},
        (err: unknown) => {
          request.log.warn(
            { err, keyId: use.record.id, tenantId: use.record.tenantId },
            'could not record the use of an API key',
          );
        },
      );
      writing.add(write);
      void write.finally(() => writing.delete(write));
    },
    async settled(): Promise<void> {
      while (writing.size > 0) await Promise.all(writing);
    },
  };
}

/** @internal Refuses a principal that does not meet a route's requirement. */
function authorize(principal: Principal, requires: Requirement | undefined): void {
  if (requires === undefined || requires === 'public') {
    throw forbidden(principal.kind, 'call an undeclared route');
  }
  if (requires === 'platform') {
    if (principal.kind !== 'platform') throw forbidden(principal.role, 'manage tenants');
    return;
  }
  if (principal.kind !== 'tenant') throw forbidden('platform-admin', 'access tenant data');
  if (!allows(principal.role, requires, principal.scopes)) {
    throw forbidden(
      principal.scopes === undefined ? principal.role : `${principal.role} (scoped key)`,
      requires,
    );
  }
}

/**
 * The tenant principal of an authenticated request (routes that declare a
 * tenant permission always have one).
 */
export function tenantOf(request: FastifyRequest): TenantPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'tenant') {
    throw new AlertbaseError('ALERTBASE_INTERNAL', { reason: 'tenant route without a tenant' });
  }
  return principal;
}

/**
 * The tenancy rule for bodies: a body (or an item of a batch) may name the
 * caller's tenant (`tenantId` or `tenant_id`) or none; naming another is
 * refused with `ALERTBASE_TENANT_ISOLATION` (403). Returns an object body
 * with the caller's tenant set; anything else unchanged.
 */
export function bindTenant(body: unknown, tenantId: string): unknown {
  // Anything but an object is left for the model to refuse, with its path.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const record: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const key of ['tenantId', 'tenant_id']) {
    const named = record[key];
    if (named !== undefined && named !== tenantId) {
      throw new TenantIsolationError(tenantId, String(named));
    }
    delete record[key];
  }
  record.tenantId = tenantId;
  return record;
}
