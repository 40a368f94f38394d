/**
 * `alertbase keys rotate`: re-encrypts every stored secret that is not
 * under the key ring's newest key (or is still in clear, written by a
 * version without encryption), while the service runs: tenant by tenant,
 * in short transactions of `batchSize` rows, each audited.
 */
import { AlertbaseError } from '../../base/exceptions/index.js';
import type { Database } from '../types.js';
import { type AuditKeys, appendAudit } from './audit-log.js';
import type { TableSpec } from './model-repository.js';
import type { SecretCipher } from './secret-fields.js';
import { NOTIFICATION_CHANNELS } from './specs.js';
import type { ActorId } from './types.js';

/** The tables whose rows hold encrypted secrets. */
const SEALED_TABLES: readonly TableSpec<object>[] = [
  NOTIFICATION_CHANNELS as unknown as TableSpec<object>,
];

/** Options of {@link reencryptSecrets}. */
export interface ReencryptOptions {
  /** Rows per transaction (default 100): the longest any row is locked. */
  readonly batchSize?: number | undefined;
  /** Who rotates, for the audit trail (default `system:keys-rotate`). */
  readonly actor?: ActorId | undefined;
  /** Called after each batch (progress). */
  readonly onBatch?: ((progress: ReencryptProgress) => void) | undefined;
  /** Seals its audit entries (HMAC); without them they are plain SHA-256. */
  readonly auditKeys?: AuditKeys | undefined;
}

/** What one batch did. */
export interface ReencryptProgress {
  readonly tenantId: string;
  readonly resource: string;
  /** Rows read in the batch. */
  readonly rows: number;
  /** Secrets re-encrypted in the batch. */
  readonly secrets: number;
  /** Secrets no key of the ring decrypts (left as they are). */
  readonly failed: number;
}

/** A stored secret that no key of the ring decrypts. */
export interface ReencryptFailure {
  readonly tenantId: string;
  readonly resource: string;
  readonly id: string;
  readonly field: string;
  readonly reason: string;
}

/** What a rotation did in all. */
export interface ReencryptResult {
  /** The key every secret is now encrypted with. */
  readonly keyId: string;
  readonly tenants: number;
  readonly rows: number;
  /** Secrets re-encrypted (stale envelopes and values found in clear). */
  readonly secrets: number;
  /**
   * Secrets that no key of the ring decrypts (altered, copied from another
   * place, or sealed under a key removed from the ring): left as they are,
   * the first 100 listed. A rotation with failures is not complete.
   */
  readonly failed: number;
  readonly failures: readonly ReencryptFailure[];
}

type Row = { id: string; doc: Record<string, unknown> };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Re-encrypts the secrets at `paths` of `doc` that are not under the newest
 * key; returns the new document, how many it changed, and the secrets it
 * could not decrypt (left as they are).
 */
function refresh(
  doc: Record<string, unknown>,
  paths: readonly string[],
  record: { tenantId: string; resource: string; id: string },
  cipher: SecretCipher,
): { doc: Record<string, unknown>; changed: number; failures: ReencryptFailure[] } {
  let changed = 0;
  const failures: ReencryptFailure[] = [];
  const visit = (node: unknown, parts: readonly string[], done: string): unknown => {
    const [head, ...rest] = parts;
    if (head === undefined) {
      if (typeof node !== 'string') return node;
      const place = { ...record, field: done };
      if (cipher.isSealed(node)) {
        if (!cipher.isStale(node)) return node;
        let plain: string;
        try {
          plain = cipher.open(node, place);
        } catch (err) {
          if (!(err instanceof AlertbaseError)) throw err;
          failures.push({ ...place, reason: String(err.context.reason ?? err.message) });
          return node;
        }
        changed++;
        return cipher.seal(plain, place);
      }
      changed++;
      return cipher.seal(node, place);
    }
    const at = (k: string): string => (done === '' ? k : `${done}.${k}`);
    if (head === '*') {
      return Array.isArray(node) ? node.map((v, i) => visit(v, rest, at(String(i)))) : node;
    }
    if (!isRecord(node) || !Object.hasOwn(node, head)) return node;
    return { ...node, [head]: visit(node[head], rest, at(head)) };
  };
  let out: unknown = doc;
  for (const path of paths) out = visit(out, path.split('.'), '');
  return { doc: out as Record<string, unknown>, changed, failures };
}

/**
 * Re-encrypts every secret not under `cipher`'s newest key, in every
 * tenant: rows are read in id order, `batchSize` at a time, each batch in
 * its own transaction (`FOR UPDATE`, so a concurrent write of the same row
 * waits or is waited for; the row's version is not changed: its content
 * is the same). Each batch that changed something appends a
 * `secrets.reencrypt` event to the tenant's audit trail. Idempotent: run
 * again, it finds nothing to do.
 *
 * Every instance of the service must have the newest key in its ring
 * before this runs (they could not read the re-encrypted rows otherwise).
 *
 * A secret no key of the ring decrypts is left as it is and reported
 * (`failed`, `failures`); the others of its batch are re-encrypted.
 */
export async function reencryptSecrets(
  db: Database,
  cipher: SecretCipher & { readonly ring: { readonly current: { readonly id: string } } },
  options: ReencryptOptions = {},
): Promise<ReencryptResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, 10_000));
  const actor = options.actor ?? 'system:keys-rotate';
  const keyId = cipher.ring.current.id;
  const { rows: tenants } = await db.query<{ id: string }>(
    'SELECT tenant_id AS id FROM tenants ORDER BY tenant_id',
  );
  let rowsSeen = 0;
  let secrets = 0;
  let failed = 0;
  const failures: ReencryptFailure[] = [];
  for (const { id: tenantId } of tenants) {
    for (const spec of SEALED_TABLES) {
      const paths = spec.secretFields ?? [];
      const resource = spec.model.name;
      let after = '';
      for (;;) {
        const batch = await db.withTenant(tenantId, async (tx) => {
          const { rows } = await tx.query<Row>(
            `SELECT id, doc FROM ${spec.table} WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE`,
            [tenantId, after, batchSize],
          );
          let changed = 0;
          let failing = 0;
          for (const row of rows) {
            const next = refresh(row.doc, paths, { tenantId, resource, id: row.id }, cipher);
            failing += next.failures.length;
            for (const f of next.failures) if (failures.length < 100) failures.push(f);
            if (next.changed === 0) continue;
            changed += next.changed;
            await tx.query(
              `UPDATE ${spec.table} SET doc = $3::jsonb WHERE tenant_id = $1 AND id = $2`,
              [tenantId, row.id, next.doc],
            );
          }
          if (changed > 0) {
            await appendAudit(
              tx,
              tenantId,
              {
                actor,
                action: 'secrets.reencrypt',
                entityType: resource,
                entityId: rows[0]?.id ?? '-',
                before: null,
                after: null,
                details: {
                  keyId,
                  rows: rows.length,
                  secrets: changed,
                  lastId: rows[rows.length - 1]?.id ?? null,
                },
              },
              new Date(),
              options.auditKeys,
            );
          }
          return { rows, changed, failing };
        });
        rowsSeen += batch.rows.length;
        secrets += batch.changed;
        failed += batch.failing;
        options.onBatch?.({
          tenantId,
          resource,
          rows: batch.rows.length,
          secrets: batch.changed,
          failed: batch.failing,
        });
        const last = batch.rows[batch.rows.length - 1];
        if (last === undefined || batch.rows.length < batchSize) break;
        after = last.id;
      }
    }
  }
  return { keyId, tenants: tenants.length, rows: rowsSeen, secrets, failed, failures };
}
