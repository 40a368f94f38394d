/**
 * The InfluxDB 1.x series store, over InfluxDB's HTTP API with `fetch`:
 * line protocol to `/write`, InfluxQL to `/query`, `/ping`. No client
 * library: the JavaScript client InfluxData maintains
 * (`@influxdata/influxdb-client`) speaks the 2.x API, which InfluxDB 1.x
 * answers only from 1.8 on (Debian packages 1.6), and the three endpoints
 * used here are small and stable; writing the line protocol here also keeps
 * its escaping in one tested place (`line-protocol.ts`, and `series-line.ts`
 * for the lines of alert points).
 *
 * Measurements `alert_<kind>`; tags `tenant`, `rule`, `alertname`,
 * `severity`, `status`; integer fields `count` and `duration_ms`. Each tier
 * (`TenantTier`) has its retention policy, `alertbase_<tier>`, lasting the
 * tier's `retentionDays`; a tenant's points go to its tier's policy, and
 * queries read all of them (so a tenant that changes tier keeps its history
 * until each policy expires it).
 */
import { type TenantTier, TIER_QUOTAS } from '../../base/enums/tenant-tier.js';
import { StorageError } from '../errors.js';
import { influxqlIdentifier, influxqlString } from './line-protocol.js';
import { createSeriesLineFormatter } from './series-line.js';
import { mergeRows, type PartialRow } from './stats-rows.js';
import {
  type SeriesPoint,
  type SeriesStore,
  STEP_MS,
  type StatsQuery,
  type StatsRow,
} from './types.js';

/** Options of {@link createInfluxSeriesStore}. */
export interface InfluxSeriesStoreOptions {
  /**
   * `http(s)://[user:password@]host:port[/database]` (`INFLUXDB_URL`); the
   * database defaults to `alertbase` and is created when missing.
   */
  readonly url: string;
  /** A tenant's tier, for its retention policy (default: `free` for every tenant). */
  readonly tierOf?: ((tenantId: string) => Promise<TenantTier | undefined>) | undefined;
  /** Longest wait for one write or ping, ms (default 5,000). */
  readonly timeoutMs?: number | undefined;
  /** Longest wait for a statistics query, ms (default 30,000). */
  readonly queryTimeoutMs?: number | undefined;
}

/** The InfluxDB store, with what it knows of its server. */
export interface InfluxSeriesStore extends SeriesStore {
  /** The database points go to. */
  readonly database: string;
  /** Points the server refused on the last writes (beyond their retention policy). */
  readonly refused: () => number;
}

const TIERS = Object.keys(TIER_QUOTAS) as TenantTier[];
const policyOf = (tier: TenantTier): string => `alertbase_${tier}`;

/** The tag a `by` groups on. */
const TAG_OF = { severity: 'severity', rule: 'rule', status: 'status' } as const;

/** What `/query` answers. */
interface QueryResponse {
  readonly results?: readonly {
    readonly error?: string;
    readonly series?: readonly {
      readonly tags?: Readonly<Record<string, string>>;
      readonly columns: readonly string[];
      readonly values: readonly (readonly (number | string | null)[])[];
    }[];
  }[];
  readonly error?: string;
}

/** A nanosecond timestamp made unique within a millisecond (InfluxDB keeps one point per series and time). */
function uniqueNs(ms: number, seq: number): string {
  return `${ms}${String(seq % 1_000_000).padStart(6, '0')}`;
}

/** The URL of `INFLUXDB_URL` split: base, database, Basic credentials. */
function parseUrl(url: string): { base: string; database: string; auth: string | undefined } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'alertbase';
  const auth =
    parsed.username === ''
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
  return { base: `${parsed.protocol}//${parsed.host}`, database, auth };
}

/**
 * Creates the InfluxDB store. Nothing is sent until the first call; the
 * database and the retention policies are created then (and again after the
 * server lost them).
 *
 * @example
 * ```ts
 * const store = createInfluxSeriesStore({ url: 'http://127.0.0.1:8086/alertbase', tierOf });
 * await store.write(points);
 * ```
 */
export function createInfluxSeriesStore(options: InfluxSeriesStoreOptions): InfluxSeriesStore {
  const { base, database, auth } = parseUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  const tierOf = options.tierOf ?? (async () => 'free' as const);
  let prepared: Promise<void> | undefined;
  let seq = 0;
  let refused = 0;
  /**
   * The timestamps of points whose write failed: a batch written again
   * after a failure (part of it may have reached the server) writes the
   * same lines, which InfluxDB keeps once. Only failed writes are kept (a
   * weak map of every point written costs more in garbage collection than
   * the rest of the write).
   */
  const failed = new WeakMap<SeriesPoint, string>();
  let anyFailed = false;
  const stampOf = (p: SeriesPoint): string =>
    (anyFailed ? failed.get(p) : undefined) ?? uniqueNs(p.time, seq++);
  const format = createSeriesLineFormatter();

  const unavailable = (reason: string, cause?: unknown): StorageError =>
    new StorageError(
      'ALERTBASE_STORAGE_SERIES_UNAVAILABLE',
      { engine: 'influxdb', reason },
      cause === undefined ? {} : { cause },
    );

  const request = async (
    path: string,
    init: RequestInit = {},
    waitMs = timeoutMs,
  ): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(auth === undefined ? {} : { authorization: auth }), ...init.headers },
        signal: AbortSignal.timeout(waitMs),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      throw unavailable(cause instanceof Error ? cause.message : String(cause), err);
    }
  };

  /** A response's body; a body cut off (timeout, connection lost) is the server being unavailable. */
  const bodyOf = async (res: Response): Promise<string> => {
    try {
      return await res.text();
    } catch (err) {
      throw unavailable(err instanceof Error ? err.message : String(err), err);
    }
  };

  /** Runs InfluxQL; answers its results or throws with the first error. */
  const influxql = async (q: string, method: 'GET' | 'POST'): Promise<QueryResponse> => {
    const params = new URLSearchParams({ q, db: database, epoch: 'ms' });
    const res = await request(
      `/query?${params.toString()}`,
      { method },
      method === 'GET' ? queryTimeoutMs : timeoutMs,
    );
    const text = await bodyOf(res);
    if (res.status >= 500) throw unavailable(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    let body: QueryResponse;
    try {
      body = JSON.parse(text) as QueryResponse;
    } catch {
      throw new StorageError('ALERTBASE_STORAGE_SERIES_REFUSED', {
        engine: 'influxdb',
        reason: `HTTP ${res.status}: ${text.slice(0, 200)}`,
      });
    }
    const error = body.error ?? body.results?.find((r) => r.error !== undefined)?.error;
    if (error !== undefined) {
      if (/database not found/.test(error)) prepared = undefined;
      throw new StorageError('ALERTBASE_STORAGE_SERIES_REFUSED', {
        engine: 'influxdb',
        reason: error,
      });
    }
    return body;
  };

  /** Creates the database and one retention policy per tier, or brings their durations up to date. */
  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      const db = influxqlIdentifier(database);
      await influxql(`CREATE DATABASE ${db}`, 'POST');
      for (const tier of TIERS) {
        const policy = influxqlIdentifier(policyOf(tier));
        const duration = `${TIER_QUOTAS[tier].retentionDays}d`;
        try {
          await influxql(
            `CREATE RETENTION POLICY ${policy} ON ${db} DURATION ${duration} REPLICATION 1`,
            'POST',
          );
        } catch (err) {
          if (!(err instanceof StorageError && /already exists/.test(err.message))) throw err;
          await influxql(`ALTER RETENTION POLICY ${policy} ON ${db} DURATION ${duration}`, 'POST');
        }
      }
    })().catch((err: unknown) => {
      prepared = undefined;
      throw err;
    });
    return prepared;
  };

  const writeLines = async (policy: string, body: string): Promise<void> => {
    const params = new URLSearchParams({ db: database, rp: policy, precision: 'ns' });
    const res = await request(`/write?${params.toString()}`, { method: 'POST', body });
    const text = await bodyOf(res);
    if (res.status === 204) return;
    if (res.status === 404 || /database not found|retention policy not found/.test(text)) {
      prepared = undefined;
      throw unavailable(text.slice(0, 200));
    }
    // Points older than their policy's duration: the rest were written.
    const beyond = /points beyond retention policy dropped=(\d+)/.exec(text);
    if (res.status === 400 && beyond !== null) {
      refused += Number(beyond[1]);
      return;
    }
    if (res.status >= 400 && res.status < 500) {
      throw new StorageError('ALERTBASE_STORAGE_SERIES_REFUSED', {
        engine: 'influxdb',
        reason: `HTTP ${res.status}: ${text.slice(0, 200)}`,
      });
    }
    throw unavailable(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  };

  return {
    engine: 'influxdb',
    database,
    refused: () => refused,
    async write(points: readonly SeriesPoint[]): Promise<void> {
      await prepare();
      const tiers = new Map<string, TenantTier>();
      const bodies = new Map<string, string[]>();
      const stamps: string[] = [];
      for (const p of points) {
        let tier = tiers.get(p.tenantId);
        if (tier === undefined) {
          tier = (await tierOf(p.tenantId)) ?? 'free';
          tiers.set(p.tenantId, tier);
        }
        const policy = policyOf(tier);
        let lines = bodies.get(policy);
        if (lines === undefined) {
          lines = [];
          bodies.set(policy, lines);
        }
        const stamp = stampOf(p);
        stamps.push(stamp);
        try {
          lines.push(format(p, stamp));
        } catch {
          // A label value line protocol cannot carry: the point is left out, counted.
          refused++;
        }
      }
      try {
        for (const [policy, lines] of bodies) {
          if (lines.length > 0) await writeLines(policy, lines.join('\n'));
        }
      } catch (err) {
        anyFailed = true;
        points.forEach((p, k) => {
          failed.set(p, stamps[k] as string);
        });
        throw err;
      }
    },
    async stats(query: StatsQuery): Promise<StatsRow[]> {
      await prepare();
      const db = influxqlIdentifier(database);
      const from = (kind: string): string =>
        TIERS.map(
          (t) => `${db}.${influxqlIdentifier(policyOf(t))}.${influxqlIdentifier(`alert_${kind}`)}`,
        ).join(', ');
      const where = `WHERE "tenant" = ${influxqlString(query.tenantId)} AND time >= ${query.from}ms AND time < ${query.to}ms`;
      const group = `GROUP BY time(${STEP_MS[query.step]}ms), ${influxqlIdentifier(TAG_OF[query.by])} fill(none)`;
      const durations = (kind: string): string =>
        `SELECT COUNT("duration_ms") AS n, MEAN("duration_ms") AS mean, PERCENTILE("duration_ms", 50) AS p50, PERCENTILE("duration_ms", 90) AS p90 FROM ${from(kind)} ${where} ${group}`;
      const q = [
        `SELECT SUM("count") AS n FROM ${from('created')} ${where} ${group}`,
        durations('acknowledged'),
        durations('resolved'),
      ].join('; ');
      const body = await influxql(q, 'GET');
      const kinds: PartialRow['kind'][] = ['created', 'acknowledged', 'resolved'];
      const partials: PartialRow[] = [];
      (body.results ?? []).forEach((result, k) => {
        const kind = kinds[k] as PartialRow['kind'];
        for (const series of result.series ?? []) {
          const key = series.tags?.[TAG_OF[query.by]] ?? '';
          const at = (name: string): number => series.columns.indexOf(name);
          for (const v of series.values) {
            const num = (name: string): number | null => {
              const i = at(name);
              const value = i < 0 ? null : v[i];
              return typeof value === 'number' ? value : null;
            };
            partials.push({
              time: num('time') ?? 0,
              key,
              kind,
              count: num('n') ?? 0,
              mean: num('mean'),
              p50: num('p50'),
              p90: num('p90'),
            });
          }
        }
      });
      return mergeRows(partials);
    },
    async ping(): Promise<void> {
      const res = await request('/ping');
      await res.arrayBuffer();
      if (res.status !== 204) throw unavailable(`GET /ping answered ${res.status}`);
    },
    async close(): Promise<void> {
      // Nothing held: every request is its own.
    },
  };
}
