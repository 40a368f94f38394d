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
 * (`bench/README.md`); when an entry does not fit, every memo of the budget
 * starts over (the next resend of each alert is decoded, mapped and
 * validated in full once more, and remembered again). The service gives its
 * memos a quarter of `MAX_MEMORY_USAGE_MB` ({@link memoBudgetBytes}).
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

/** The bytes several memos may hold together; see the module comment. */
export class MemoBudget {
  /** Bytes at most. */
  readonly maxBytes: number;
  readonly #memos = new Set<BudgetedMemo>();
  #used = 0;
  #startOvers = 0;

  constructor(maxBytes: number = DEFAULT_MEMO_BUDGET_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`MemoBudget: maxBytes must be a whole number of bytes, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes charged for the entries the memos hold. */
  get used(): number {
    return this.#used;
  }

  /** Times every memo started over because an entry did not fit. */
  get startOvers(): number {
    return this.#startOvers;
  }

  /** Counts `memo` in: it starts over with the others. */
  join(memo: BudgetedMemo): void {
    this.#memos.add(memo);
  }

  /**
   * Charges `bytes` for an entry about to be kept. When they do not fit
   * beside what is charged, every memo starts over first; an entry larger
   * than the whole budget is not to be kept (false).
   */
  charge(bytes: number): boolean {
    if (bytes > this.maxBytes) return false;
    if (this.#used + bytes > this.maxBytes) {
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
