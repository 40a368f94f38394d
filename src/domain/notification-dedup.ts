/**
 * When a group is notified again, as Alertmanager decides it (its
 * notification log and dedup stage): per group and channel, the
 * fingerprints last notified as firing and as resolved, and when.
 */

/** What was last notified to a channel for a group. */
export interface NotificationLogEntry {
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly notifiedAt: Date;
}

/** Whether every member of `subset` is in `set`. */
function isSubset(set: readonly string[], subset: ReadonlySet<string>): boolean {
  const all = new Set(set);
  for (const k of subset) if (!all.has(k)) return false;
  return true;
}

/**
 * Whether a group must be notified to a channel now:
 * - never notified: only if something fires;
 * - something fires that was not firing last time: yes;
 * - nothing fires: only if something fired last time (its resolution);
 * - something resolved since last time and the channel sends resolved: yes;
 * - otherwise when the repeat interval has passed.
 *
 * @example
 * ```ts
 * needsUpdate(undefined, new Set(['a']), new Set(), true, 4 * 3600_000, now); // true
 * ```
 */
export function needsUpdate(
  entry: NotificationLogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: Date,
): boolean {
  if (entry === undefined) return firing.size > 0;
  if (!isSubset(entry.firing, firing)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved && !isSubset(entry.resolved, resolved)) return true;
  return entry.notifiedAt.getTime() < now.getTime() - repeatIntervalMs;
}
