/**
 * The SQL of repository listings: the WHERE conditions of a list filter,
 * the statement of a keyset page (one ordered branch per status where the
 * table's status index allows it), and the planner methods a listing turns
 * off so that a page is an index walk stopped by its LIMIT.
 */
import { AlertLevel } from '../../base/enums/index.js';
import { ValidationError } from '../../base/exceptions/index.js';
import type { SqlValue } from '../types.js';

/** Throws `unrecognized_key` issues for `keys`, when there are any. */
export function refuseKeys(
  model: string,
  keys: readonly string[],
  message: (key: string) => string,
): void {
  if (keys.length === 0) return;
  throw new ValidationError(
    model,
    keys.map((k) => ({
      path: [k],
      pointer: `/${k}`,
      code: 'unrecognized_key',
      message: message(k),
    })),
  );
}

/** How list filters map to columns. */
export interface FilterSpec {
  /**
   * `column`: `status = ANY($n)`; `ordered`: the same rows, read one status
   * at a time from an index `(tenant_id, status, created_at, id)` and merged
   * in list order; `window`: a silence's active/pending/expired from its times.
   */
  readonly status?: 'column' | 'ordered' | 'window';
  /** `level_rank >= $n`. */
  readonly level?: boolean;
  /** `labels @> $n::jsonb`. */
  readonly labels?: boolean;
  /** `fingerprint = $n`. */
  readonly fingerprint?: boolean;
  /**
   * `activeSince` / `activeUntil`: `starts_at < $until` and
   * `(ends_at IS NULL OR ends_at >= $since)` (the table has both columns).
   */
  readonly activeWindow?: boolean;
}

/** The status names of a filter (one, or a non-empty list). */
function statuses(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0 || list.some((s) => typeof s !== 'string')) {
    throw new ValidationError('ListFilter', [
      {
        path: ['status'],
        pointer: '/status',
        code: 'invalid_type',
        message: 'expected status names',
      },
    ]);
  }
  return list;
}

/**
 * Planner methods a listing turns off: a page is an index walk in list order
 * stopped by its `LIMIT`, never a scan of the tenant's matching rows and a
 * sort. Chosen by cost, that plan hinges on estimates: with the statistics
 * of an emptier table (PGlite has no autovacuum; a server may run without
 * it) the planner expects a few rows and sorts them all (issue measurements:
 * a page of 50 took 275 ms at 200,000 alerts on the server).
 */
export const LIST_PLANNER_OFF = Object.freeze([
  'enable_sort',
  'enable_incremental_sort',
  'enable_bitmapscan',
  'enable_seqscan',
] as const);

/**
 * The statement of a listing: the rows of `where`, in `(created_at, id)`
 * order, at most `limit`. With status `branches`, one SELECT per status
 * under `UNION ALL`, each ordered and limited itself: the planner merges
 * them in order (Merge Append) from one ordered index range each (without
 * the inner ORDER BY it appends the branches and sorts the whole).
 * `columns` are selected beside the document (`TableSpec.document`).
 */
export function listSql(
  table: string,
  where: readonly string[],
  branches: readonly string[],
  order: 'asc' | 'desc',
  limit: string,
  columns: readonly string[] = [],
): string {
  const extra = columns.map((c) => `, ${c}`).join('');
  const dir = order === 'asc' ? '' : ' DESC';
  const orderBy = `ORDER BY created_at${dir}, id${dir} LIMIT ${limit}`;
  if (branches.length === 0) {
    return `SELECT doc, id, to_json(created_at) #>> '{}' AS ts${extra} FROM ${table}
      WHERE ${where.join(' AND ')} ${orderBy}`;
  }
  const union = branches
    .map(
      (branch) =>
        `(SELECT doc, id, created_at${extra} FROM ${table} WHERE ${[...where, branch].join(' AND ')} ${orderBy})`,
    )
    .join('\n      UNION ALL ');
  return `SELECT doc, id, to_json(created_at) #>> '{}' AS ts${extra} FROM (${union}) AS s ${orderBy}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The conditions of the branches of an `ordered` status filter, one per
 * status (empty: no such filter). Each branch is one range of the index
 * `(tenant_id, status, created_at, id)`, read in list order; the branches
 * are merged, so a page reads about as many rows as it returns, whatever
 * the statistics say (`status = ANY(...)` could only be read from that
 * index unordered, then sorted whole).
 */
export function statusBranches(
  spec: FilterSpec,
  filter: Record<string, unknown>,
  add: (value: SqlValue) => string,
): string[] {
  if (spec.status !== 'ordered' || filter.status === undefined) return [];
  const list = [...new Set(statuses(filter.status as string | readonly string[]))];
  return list.map((status) => `status = ${add(status)}`);
}

/** The WHERE conditions of a filter on `resource`, whose filters `spec` maps. */
export function filterSql(
  spec: FilterSpec,
  resource: string,
  filter: Record<string, unknown>,
  add: (value: SqlValue) => string,
): string[] {
  const out: string[] = [];
  const unknown = Object.keys(filter).filter(
    (k) =>
      filter[k] !== undefined &&
      !(
        (k === 'status' && spec.status !== undefined) ||
        (k === 'levelAtLeast' && spec.level === true) ||
        (k === 'labels' && spec.labels === true) ||
        (k === 'fingerprint' && spec.fingerprint === true) ||
        ((k === 'activeSince' || k === 'activeUntil') && spec.activeWindow === true)
      ),
  );
  refuseKeys('ListFilter', unknown, (k) => `cannot filter ${resource} by "${k}"`);
  const { status, levelAtLeast, labels, fingerprint } = filter;
  if (status !== undefined) {
    const list = statuses(status as string | readonly string[]);
    if (spec.status === 'window') {
      let param: string | undefined;
      const at = (): string => {
        param ??= `${add(new Date())}::timestamptz`;
        return param;
      };
      const parts: string[] = [];
      if (list.includes('active')) parts.push(`(starts_at <= ${at()} AND ends_at > ${at()})`);
      if (list.includes('pending')) parts.push(`starts_at > ${at()}`);
      if (list.includes('expired')) parts.push(`ends_at <= ${at()}`);
      out.push(parts.length === 0 ? 'false' : `(${parts.join(' OR ')})`);
    } else if (spec.status === 'column') {
      out.push(`status = ANY(${add(list)}::text[])`);
    }
  }
  if (levelAtLeast !== undefined) {
    out.push(`level_rank >= ${add(AlertLevel.rank(levelAtLeast as AlertLevel))}`);
  }
  if (labels !== undefined) {
    if (!isRecord(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new ValidationError('ListFilter', [
        {
          path: ['labels'],
          pointer: '/labels',
          code: 'invalid_type',
          message: 'expected label name → value',
        },
      ]);
    }
    out.push(`labels @> ${add(labels)}::jsonb`);
  }
  if (fingerprint !== undefined) out.push(`fingerprint = ${add(String(fingerprint))}`);
  out.push(...activeWindowSql(filter.activeSince, filter.activeUntil, add));
  return out;
}

/** A filter's time, or a `ValidationError` naming the key. */
function timeOf(key: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw new ValidationError('ListFilter', [
    { path: [key], pointer: `/${key}`, code: 'invalid_type', message: 'expected a valid Date' },
  ]);
}

/**
 * The conditions of `activeSince` / `activeUntil`: the rows active within
 * `[since, until)`, that is started before `until` and open or ended at or
 * after `since`. `since` after `until` is refused rather than read as an
 * empty window, so swapped bounds do not pass for "nothing happened".
 */
function activeWindowSql(
  sinceValue: unknown,
  untilValue: unknown,
  add: (value: SqlValue) => string,
): string[] {
  const since = timeOf('activeSince', sinceValue);
  const until = timeOf('activeUntil', untilValue);
  if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) {
    throw new ValidationError('ListFilter', [
      {
        path: ['activeUntil'],
        pointer: '/activeUntil',
        code: 'too_small',
        message: 'expected activeUntil at or after activeSince',
      },
    ]);
  }
  const out: string[] = [];
  if (until !== undefined) out.push(`starts_at < ${add(until)}::timestamptz`);
  if (since !== undefined) out.push(`(ends_at IS NULL OR ends_at >= ${add(since)}::timestamptz)`);
  return out;
}
