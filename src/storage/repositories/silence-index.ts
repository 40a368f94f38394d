/**
 * The silences of each tenant in memory, compiled: what ingest checks every
 * new alert against without a query, and what the API computes
 * `silencedBy` from (see `docs/storage.md`, "Silences").
 */
import {
  type CompiledMatcher,
  compileMatcher,
  type Labels,
  matchesAll,
} from '../../domain/matchers.js';
import { Silence } from '../../domain/silence.js';
import type { Database, TransactionClient } from '../types.js';
import { prepared } from './statements.js';
import { TenantMemo, type TenantMemoOptions, tableStamp } from './tenant-memo.js';

/** A silence that has not ended, compiled. */
export interface CompiledSilence {
  readonly id: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly matchers: readonly CompiledMatcher[];
}

/** Is the silence in force at `at` (ms)? From its start, until its end (excluded). */
export function isSilenceActive(s: { startsAt: number; endsAt: number }, at: number): boolean {
  return s.startsAt <= at && at < s.endsAt;
}

/** The key of a label pair in {@link TenantSilences}' index. */
function pairKey(name: string, value: string): string {
  return `${name}\u0000${value}`;
}

/**
 * A tenant's silences that had not ended when they were read.
 *
 * Most silences hold an equality matcher with a value (`alertname="X"`):
 * an alert can only match such a silence if it carries that label pair, so
 * silences are indexed by the pair of their first such matcher, and an
 * alert is checked only against the silences under its own pairs plus those
 * without one. With 1,000 silences naming their alert, an alert is checked
 * against a handful instead of all.
 */
export class TenantSilences {
  readonly silences: readonly CompiledSilence[];
  readonly #byPair = new Map<string, CompiledSilence[]>();
  readonly #unindexed: CompiledSilence[] = [];

  constructor(silences: readonly CompiledSilence[]) {
    this.silences = silences;
    for (const s of silences) {
      const eq = s.matchers.find(
        (m) => m.matcher.isEqual && !m.matcher.isRegex && m.matcher.value !== '',
      );
      if (eq === undefined) {
        this.#unindexed.push(s);
        continue;
      }
      const key = pairKey(eq.name, eq.matcher.value);
      const list = this.#byPair.get(key);
      if (list === undefined) this.#byPair.set(key, [s]);
      else list.push(s);
    }
  }

  /** No silence at all: the common case, checked first by ingest. */
  get empty(): boolean {
    return this.silences.length === 0;
  }

  /** The ids of the silences active at `at` that match the labels, sorted. */
  silencedBy(labels: Labels, at: number): string[] {
    const ids: string[] = [];
    const check = (s: CompiledSilence): void => {
      if (isSilenceActive(s, at) && matchesAll(s.matchers, labels)) ids.push(s.id);
    };
    for (const s of this.#unindexed) check(s);
    if (this.#byPair.size > 0) {
      for (const name of Object.keys(labels)) {
        const list = this.#byPair.get(pairKey(name, labels[name] as string));
        if (list !== undefined) for (const s of list) check(s);
      }
    }
    return ids.sort();
  }

  /** The first start or end of a silence after `at` (ms), or undefined. */
  nextBoundary(at: number): number | undefined {
    let next: number | undefined;
    for (const s of this.silences) {
      for (const t of [s.startsAt, s.endsAt]) {
        if (t > at && (next === undefined || t < next)) next = t;
      }
    }
    return next;
  }
}

/** Compiles a stored silence. */
export function compileSilence(silence: Silence): CompiledSilence {
  return {
    id: silence.id,
    startsAt: silence.startsAt.getTime(),
    endsAt: silence.endsAt.getTime(),
    matchers: silence.matchers.map(compileMatcher),
  };
}

const OPEN_SILENCES = prepared(
  `SELECT doc FROM silences
    WHERE tenant_id = $1 AND deleted_at IS NULL AND ends_at > $2::timestamptz
    ORDER BY id`,
);

/** Reads a tenant's silences that have not ended at `at`, in the caller's transaction. */
export async function readSilences(
  tx: TransactionClient,
  tenantId: string,
  at: Date,
): Promise<TenantSilences> {
  const { rows } = await tx.query<{ doc: Record<string, unknown> }>(
    OPEN_SILENCES.text,
    [tenantId, at],
    OPEN_SILENCES.options,
  );
  return new TenantSilences(rows.map((r) => compileSilence(Silence.parse(r.doc))));
}

/**
 * Per tenant, its silences in memory (see the module comment): reloaded
 * after this process changes them, at most a second old otherwise.
 */
export class SilenceIndex extends TenantMemo<TenantSilences> {
  constructor(db: Database, options: TenantMemoOptions = {}) {
    super(db, readSilences, { ...options, stamp: tableStamp('silences') });
  }
}
