/**
 * One byte budget for what ingest remembers of the alerts it met, so that a
 * resend is not decoded, mapped or validated again: the wire's decoded JSON
 * items (`server/json-item-memo.ts`), the Alertmanager route's mapped alerts
 * (`server/routes/resend-keys.ts`) and ingest's validated alerts
 * (`validation-memo.ts`). The three hold one alert each per distinct alert
 * a tenant sends, so they grow together; bounded in entries only, at their
 * bounds they held about 500 MB of heap for alerts of the bench's shape
 * (about 330 bytes of JSON), past the 512 MiB at which back-pressure refuses
 * every request (`MAX_MEMORY_USAGE_MB`), and more for larger alerts.
 *
 * Each entry is charged an estimate of the memory it holds, measured
 * (`bench/README.md`). When an entry does not fit, every memo of the budget
 * starts over (the next resend of each alert is decoded, mapped and
 * validated in full once more, and remembered again), at most once in
 * {@link START_OVER_INTERVAL_MS}; in between, entries that do not fit are
 * not kept. The service gives its memos a quarter of `MAX_MEMORY_USAGE_MB`
 * ({@link memoBudgetBytes}).
 */

import { DEFAULTS } from '../../base/constants.js';

/** The share of `MAX_MEMORY_USAGE_MB` the service gives its memos of resends, together. */
export const MEMO_MEMORY_SHARE = 0.25;

/**
 * The bytes the memos of resends may hold for a `MAX_MEMORY_USAGE_MB`: a
 * quarter of it (about 40,000 distinct alerts of 330 bytes at the default 512).
 *
 * @example
 * ```ts
 * new MemoBudget(memoBudgetBytes(config.performance.maxMemoryUsageMb));
 * ```
 */
export function memoBudgetBytes(maxMemoryUsageMb: number): number {
  return Math.floor(maxMemoryUsageMb * 1_048_576 * MEMO_MEMORY_SHARE);
}

/** A memo that keeps its entries within a {@link MemoBudget}. */
export interface BudgetedMemo {
  /** Drops every entry (the budget has set its count back to 0). */
  startOver(): void;
}

/** Bytes a memo made without a budget is charged against: those of the default `MAX_MEMORY_USAGE_MB` (128 MiB). */
export const DEFAULT_MEMO_BUDGET_BYTES = memoBudgetBytes(DEFAULTS.maxMemoryUsageMb);

/**
 * The least time between two start-overs (and from the budget's making to
 * the first): 10 minutes. Prometheus resends every firing alert, in the same
 * order, each `resend_delay`: with more distinct alerts firing than the
 * memos hold, starting over whenever an entry did not fit dropped each
 * alert's entry before its next resend came, and none was ever found
 * (60,000 alerts: 14,196 alerts/s against 21,770 with every one held;
 * `bench/README.md`). Not keeping what does
 * not fit keeps the entries held useful; a start-over now and then makes
 * room for new alerts and drops those no longer sent.
 */
export const START_OVER_INTERVAL_MS = 600_000;

/** Options of {@link MemoBudget}. */
export interface MemoBudgetOptions {
  /** Least time between two start-overs, ms. Default {@link START_OVER_INTERVAL_MS}. */
  readonly startOverIntervalMs?: number | undefined;
  /** The clock, ms (default `performance.now`). */
  readonly now?: (() => number) | undefined;
}

/** The bytes several memos may hold together; see the module comment. */
export class MemoBudget {
  /** Bytes at most. */
  readonly maxBytes: number;
  readonly #memos = new Set<BudgetedMemo>();
  readonly #interval: number;
  readonly #now: () => number;
  #startedAt: number;
  #used = 0;
  #startOvers = 0;
  #refused = 0;

  constructor(maxBytes: number = DEFAULT_MEMO_BUDGET_BYTES, options: MemoBudgetOptions = {}) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`MemoBudget: maxBytes must be a whole number of bytes, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
    this.#interval = options.startOverIntervalMs ?? START_OVER_INTERVAL_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
  }

  /** Bytes charged for the entries the memos hold. */
  get used(): number {
    return this.#used;
  }

  /** Times every memo started over because an entry did not fit. */
  get startOvers(): number {
    return this.#startOvers;
  }

  /** Entries not kept because they did not fit between two start-overs. */
  get refused(): number {
    return this.#refused;
  }

  /** The least time between two start-overs, ms: also between two of a memo's own (its entry bounds). */
  get startOverIntervalMs(): number {
    return this.#interval;
  }

  /** The budget's clock, ms. */
  now(): number {
    return this.#now();
  }

  /** Counts an entry a memo did not keep, full by its own bounds within the interval. */
  refuse(): void {
    this.#refused++;
  }

  /** Counts `memo` in: it starts over with the others. */
  join(memo: BudgetedMemo): void {
    this.#memos.add(memo);
  }

  /**
   * Charges `bytes` for an entry about to be kept (true). When they do not
   * fit beside what is charged, every memo starts over first, unless the
   * last start-over was less than the interval ago: then the entry is not
   * to be kept (false), nor one larger than the whole budget.
   */
  charge(bytes: number): boolean {
    if (bytes > this.maxBytes) return false;
    if (this.#used + bytes > this.maxBytes) {
      const now = this.#now();
      if (now - this.#startedAt < this.#interval) {
        this.#refused++;
        return false;
      }
      this.#startedAt = now;
      this.#used = 0;
      this.#startOvers++;
      for (const memo of this.#memos) memo.startOver();
    }
    this.#used += bytes;
    return true;
  }

  /** Gives back what was charged for entries a memo dropped on its own. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
