/**
 * Audited reads: every successful read of tenant data (alerts, rules,
 * channels, silences, keys, users, the audit trail) is counted in memory
 * when it is answered, and written to the tenant's audit trail in batches
 * (one `read` event per caller and route) at most once a second, off the
 * request's path: a read costs a map update, never a database write.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../storage/index.js';
import {
  type AuditKeys,
  appendAuditMany,
  type TimedAuditEntry,
} from '../storage/repositories/index.js';

/** Route prefixes whose reads are audited, and the entity type recorded. */
const AUDITED: readonly (readonly [string, string])[] = [
  ['/v1/alerts', 'Alert'],
  ['/api/v2/alerts', 'Alert'],
  ['/v1/rules', 'AlertRule'],
  ['/v1/channels', 'NotificationChannel'],
  ['/v1/silences', 'Silence'],
  ['/api/v2/silence', 'Silence'],
  ['/v1/keys', 'ApiKey'],
  ['/v1/users', 'User'],
  ['/v1/audit', 'AuditEvent'],
  // Raw ingest bodies: whatever senders put in them, read for forensics.
  ['/v1/archive', 'PayloadArchive'],
];

/** Routes under an audited prefix that read no records (verification, checkpoints). */
const NOT_AUDITED = new Set(['/v1/audit/verify']);

/** What the audited type of a route is, or `undefined` for a route whose reads are not audited. */
export function auditedEntityOf(routeUrl: string): string | undefined {
  if (NOT_AUDITED.has(routeUrl)) return undefined;
  return AUDITED.find(([prefix]) => routeUrl === prefix || routeUrl.startsWith(`${prefix}/`))?.[1];
}

interface Tally {
  readonly tenantId: string;
  readonly actor: string;
  readonly entityType: string;
  readonly route: string;
  count: number;
  readonly first: Date;
  last: Date;
}

/** Options of {@link useReadAudit}. */
export interface ReadAuditOptions {
  /** How often counted reads are written, ms (default 1,000). */
  readonly flushMs?: number | undefined;
  /** Clock. */
  readonly now?: (() => Date) | undefined;
  /** Seal the read events (HMAC). */
  readonly auditKeys?: AuditKeys | undefined;
}

/** What {@link useReadAudit} returns. */
export interface ReadAudit {
  /** Writes what is counted now (tests; closing does it too). */
  flush(): Promise<void>;
}

/**
 * Counts successful `GET`s of audited routes on `scope` after they are
 * answered, and writes them every `flushMs` (and when the app closes):
 * per tenant, one transaction appending one `read` event per caller and
 * route with `details.requests`, `first` and `last`. A failed write is
 * logged and its counts dropped (reads are never refused for it).
 */
export function useReadAudit(
  scope: FastifyInstance,
  db: Database,
  options: ReadAuditOptions = {},
): ReadAudit {
  const now = options.now ?? (() => new Date());
  let pending = new Map<string, Tally>();
  let writing: Promise<void> = Promise.resolve();
  const count = (request: FastifyRequest, statusCode: number): void => {
    const principal = request.principal;
    if (request.method !== 'GET' || statusCode >= 400 || principal?.kind !== 'tenant') return;
    const route = request.routeOptions.url ?? '';
    const entityType = auditedEntityOf(route);
    if (entityType === undefined) return;
    const key = `${principal.tenantId}\u0000${principal.actor}\u0000${route}`;
    const at = now();
    const tally = pending.get(key);
    if (tally === undefined) {
      pending.set(key, {
        tenantId: principal.tenantId,
        actor: principal.actor,
        entityType,
        route,
        count: 1,
        first: at,
        last: at,
      });
    } else {
      tally.count++;
      tally.last = at;
    }
  };
  const flush = (): Promise<void> => {
    const batch = pending;
    pending = new Map();
    if (batch.size === 0) return writing;
    const byTenant = new Map<string, TimedAuditEntry[]>();
    for (const t of batch.values()) {
      const entries = byTenant.get(t.tenantId) ?? [];
      entries.push({
        at: t.last,
        entry: {
          actor: t.actor,
          action: 'read',
          entityType: t.entityType,
          entityId: t.route,
          before: null,
          after: null,
          details: { requests: t.count, first: t.first.toISOString(), last: t.last.toISOString() },
        },
      });
      byTenant.set(t.tenantId, entries);
    }
    writing = writing.then(async () => {
      for (const [tenantId, entries] of byTenant) {
        try {
          await db.withTenant(tenantId, (tx) =>
            appendAuditMany(tx, tenantId, entries, undefined, options.auditKeys),
          );
        } catch (err) {
          scope.log.warn({ err, tenantId, events: entries.length }, 'could not audit reads');
        }
      }
    });
    return writing;
  };
  scope.addHook('onResponse', async (request, reply) => count(request, reply.statusCode));
  let timer: NodeJS.Timeout | undefined;
  scope.addHook('onReady', async () => {
    timer = setInterval(() => void flush(), options.flushMs ?? 1_000);
    timer.unref();
  });
  scope.addHook('onClose', async () => {
    if (timer !== undefined) clearInterval(timer);
    await flush();
  });
  return { flush };
}
