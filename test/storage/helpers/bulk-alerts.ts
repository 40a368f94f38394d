import type { Database } from '../../../src/storage/index.js';

/** What {@link fillAlerts} writes. */
export interface BulkAlerts {
  readonly tenantId: string;
  readonly rows: number;
  /** Rows are numbered from `offset + 1`: numbers must not repeat within a database. */
  readonly offset: number;
  /** A tenant holding at least one alert stored by ingest: its document is the template. */
  readonly templateTenant: string;
  /** How many of the newest rows are open (firing, acknowledged, suppressed); default 2,000. */
  readonly open?: number;
}

/** Rows per statement: a bounded transaction, whatever the total. */
const CHUNK = 25_000;

/**
 * Alerts of one tenant in the shape ingest writes them, fast: the document
 * of a real ingested alert with its fields varied, the typed columns derived
 * from the same values, `INSERT ... SELECT generate_series` as the superuser
 * (about 100 times faster than ingest, which validates, de-duplicates and
 * audits every item). Row `n` starts at 2026-01-01 + n/2 s, has level
 * `critical`..`info` in turn, labels `alertname=A(n%50)`, `instance=host-(n%500)`,
 * `job=api|db|web|queue` and a unique `n`; one row in 1,000 is deleted. Most
 * rows are resolved history; the `open` newest are firing (half),
 * acknowledged or suppressed. The `fingerprint` column is a unique stand-in
 * (an MD5 prefix), not the fingerprint of the labels.
 */
export async function fillAlerts(db: Database, spec: BulkAlerts): Promise<void> {
  const { rows: docs } = await db.query<{ doc: Record<string, unknown> }>(
    'SELECT doc FROM alerts WHERE tenant_id = $1 LIMIT 1',
    [spec.templateTenant],
  );
  const template = docs[0]?.doc;
  if (template === undefined) throw new Error(`no alert of ${spec.templateTenant} to copy`);
  const openFrom = spec.offset + spec.rows - (spec.open ?? 2_000);
  for (let done = 0; done < spec.rows; done += CHUNK) {
    const count = Math.min(CHUNK, spec.rows - done);
    await db.query(
      `WITH g AS (
         SELECT n, timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => n * 0.5) AS at,
                (ARRAY['critical','high','medium','low','info'])[1 + (n * 7) % 5] AS level,
                CASE WHEN n > $5::int THEN
                       (ARRAY['firing','firing','acknowledged','suppressed'])[1 + n % 4]
                     ELSE 'resolved' END AS status,
                jsonb_build_object('alertname', 'A' || (n % 50), 'instance', 'host-' || (n % 500),
                                   'job', (ARRAY['api','db','web','queue'])[1 + n % 4],
                                   'n', n::text) AS labels
           FROM generate_series($3::int + 1, $3::int + $2::int) AS n
       ), r AS (
         SELECT g.*, '0190' || lpad(to_hex(n), 12, '0') AS raw,
                substr(md5($1 || n::text), 1, 16) AS fingerprint,
                CASE WHEN status = 'resolved' THEN at + interval '5 minutes' END AS ends_at,
                6 - array_position(ARRAY['critical','high','medium','low','info'], level) AS rank
           FROM g
       )
       INSERT INTO alerts (tenant_id, id, fingerprint, rule_id, status, level, level_rank, labels,
                           annotations, starts_at, ends_at, last_received_at, duplicate_count,
                           version, created_at, updated_at, deleted_at, doc)
       SELECT $1, id, fingerprint, NULL, status, level, rank, labels, '{"summary":"s"}', at,
              ends_at, at, 0, 1, at, at, CASE WHEN n % 1000 = 0 THEN at END,
              $4::jsonb || jsonb_build_object(
                'id', id, 'tenantId', $1::text, 'labels', labels, 'status', status,
                'level', level, 'startsAt', to_json(at), 'endsAt', to_json(ends_at),
                'createdAt', to_json(at), 'updatedAt', to_json(at), 'lastReceivedAt', to_json(at))
         FROM (SELECT r.*, substr(raw, 1, 8) || '-' || substr(raw, 9, 4) || '-7' || substr(raw, 13, 3)
                           || '-8' || substr(md5(raw), 1, 3) || '-' || substr(md5(raw), 4, 12) AS id
                 FROM r) AS x`,
      [spec.tenantId, count, spec.offset + done, template, openFrom],
    );
  }
}
