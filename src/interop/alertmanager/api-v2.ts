/**
 * Alertmanager 0.25's API v2 read side, as pure functions: the
 * `gettableAlert`, `alertGroup` and `gettableSilence` shapes of its
 * OpenAPI spec, the alert filter of `GET /api/v2/alerts` (`active`,
 * `silenced`, `inhibited`, `filter`, `receiver`), the silence filter and
 * order of `GET /api/v2/silences`, and the `status` document.
 */
import { RE2JS } from 're2js';
import { stringify } from 'yaml';
import { isoString } from '../../base/utils/iso-time.js';
import type { InhibitRule } from '../../domain/inhibit-rule.js';
import {
  type CompiledMatcher,
  compileMatcher,
  formatMatcher,
  type Matcher,
  passesFilter,
} from '../../domain/matchers.js';
import type { Silence } from '../../domain/silence.js';

/**
 * The receiver every alert goes to until the tenant has a routing tree:
 * Alertmanager always routes to at least its root receiver.
 */
export const DEFAULT_RECEIVER = 'default';

/** How long Alertmanager considers an alert without `endsAt` firing after it was last received. */
export const RESOLVE_TIMEOUT_MS = 5 * 60_000;

/** An unresolved alert, as the view reads it. */
export interface AlertViewInput {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly updatedAt: Date;
  readonly generatorURL: string | null;
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
}

/** `gettableAlert`. */
export interface GettableAlert {
  readonly annotations: Readonly<Record<string, string>>;
  readonly endsAt: string;
  readonly fingerprint: string;
  readonly receivers: readonly { readonly name: string }[];
  readonly startsAt: string;
  readonly status: {
    readonly inhibitedBy: readonly string[];
    readonly silencedBy: readonly string[];
    readonly state: 'active' | 'suppressed' | 'unprocessed';
  };
  readonly updatedAt: string;
  readonly generatorURL?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An alert in Alertmanager's shape. */
export function toGettableAlert(a: AlertViewInput): GettableAlert {
  const suppressed = a.silencedBy.length > 0 || a.inhibitedBy.length > 0;
  const endsAt = a.endsAt ?? new Date(a.updatedAt.getTime() + RESOLVE_TIMEOUT_MS);
  return {
    annotations: a.annotations,
    endsAt: isoString(endsAt),
    fingerprint: a.fingerprint,
    receivers: [{ name: DEFAULT_RECEIVER }],
    startsAt: isoString(a.startsAt),
    status: {
      inhibitedBy: a.inhibitedBy,
      silencedBy: a.silencedBy,
      state: suppressed ? 'suppressed' : 'active',
    },
    updatedAt: isoString(a.updatedAt),
    ...(a.generatorURL === null || a.generatorURL === '' ? {} : { generatorURL: a.generatorURL }),
    labels: a.labels,
  };
}

/** The query of `GET /api/v2/alerts` (and `/alerts/groups`), parsed. */
export interface AlertQuery {
  readonly active: boolean;
  readonly silenced: boolean;
  readonly inhibited: boolean;
  readonly filter: readonly CompiledMatcher[];
  /** Anchored, as Alertmanager compiles it; undefined when not given. */
  readonly receiver: RE2JS | undefined;
}

/** Compiles a `receiver` parameter as Alertmanager does (`^(?:…)$`). @throws on a bad pattern. */
export function compileReceiver(pattern: string): RE2JS {
  return RE2JS.compile(`^(?:${pattern})$`);
}

/** Does an alert pass the query? (Alertmanager's `alertFilter` and receiver filter.) */
export function passesAlertQuery(alert: GettableAlert, query: AlertQuery): boolean {
  if (query.receiver !== undefined) {
    const re = query.receiver;
    if (!alert.receivers.some((r) => re.matches(r.name))) return false;
  }
  if (!query.active && alert.status.state === 'active') return false;
  if (!query.silenced && alert.status.silencedBy.length > 0) return false;
  if (!query.inhibited && alert.status.inhibitedBy.length > 0) return false;
  return passesFilter(query.filter, alert.labels);
}

/** `alertGroup`. */
export interface AlertGroup {
  readonly labels: Readonly<Record<string, string>>;
  readonly receiver: { readonly name: string };
  readonly alerts: readonly GettableAlert[];
}

/**
 * The groups of `GET /api/v2/alerts/groups`: without a routing tree every
 * alert is in the root route's one group (no `group_by`: empty labels).
 * Alertmanager leaves out a group that has no alert left after filtering.
 */
export function toAlertGroups(alerts: readonly GettableAlert[]): AlertGroup[] {
  if (alerts.length === 0) return [];
  return [{ labels: {}, receiver: { name: DEFAULT_RECEIVER }, alerts }];
}

/** `silenceStatus.state`. */
export type SilenceState = 'active' | 'pending' | 'expired';

/** A silence's state at `at` (ms), as Alertmanager's `getState`. */
export function silenceState(s: Silence, at: number): SilenceState {
  if (at < s.startsAt.getTime()) return 'pending';
  if (at > s.endsAt.getTime()) return 'expired';
  return 'active';
}

/** `gettableSilence`. */
export interface GettableSilence {
  readonly id: string;
  readonly status: { readonly state: SilenceState };
  readonly updatedAt: string;
  readonly comment: string;
  readonly createdBy: string;
  readonly endsAt: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
}

/** A silence in Alertmanager's shape. */
export function toGettableSilence(s: Silence, at: number): GettableSilence {
  return {
    id: s.id,
    status: { state: silenceState(s, at) },
    updatedAt: isoString(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: isoString(s.endsAt),
    matchers: s.matchers.map((m) => ({
      isEqual: m.isEqual,
      isRegex: m.isRegex,
      name: m.name,
      value: m.value,
    })),
    startsAt: isoString(s.startsAt),
  };
}

/**
 * Does a silence pass `GET /api/v2/silences?filter=`? For every filter
 * matcher the silence must hold an equal one (same name, type and value):
 * the filter selects silences by their matchers, not by alerts.
 */
export function silenceHasMatchers(s: Silence, filter: readonly Matcher[]): boolean {
  return filter.every((f) =>
    s.matchers.some(
      (m) =>
        m.name === f.name &&
        m.value === f.value &&
        m.isRegex === f.isRegex &&
        m.isEqual === f.isEqual,
    ),
  );
}

const STATE_ORDER: Readonly<Record<SilenceState, number>> = { active: 1, pending: 2, expired: 3 };

/**
 * Alertmanager's order of silences: active (ending first), then pending
 * (starting first), then expired (most recently ended first).
 */
export function sortSilences(list: GettableSilence[]): GettableSilence[] {
  return list.sort((a, b) => {
    const sa = a.status.state;
    const sb = b.status.state;
    if (sa !== sb) return STATE_ORDER[sa] - STATE_ORDER[sb];
    if (sa === 'active') return Date.parse(a.endsAt) - Date.parse(b.endsAt);
    if (sa === 'pending') return Date.parse(a.startsAt) - Date.parse(b.startsAt);
    return Date.parse(b.endsAt) - Date.parse(a.endsAt);
  });
}

/** The parts of an Alertmanager configuration alertbase has for a tenant, as its YAML. */
export function alertmanagerConfigYaml(rules: readonly InhibitRule[]): string {
  const doc: Record<string, unknown> = {
    route: { receiver: DEFAULT_RECEIVER },
    receivers: [{ name: DEFAULT_RECEIVER }],
  };
  if (rules.length > 0) {
    doc.inhibit_rules = rules.map((r) => ({
      ...(r.sourceMatchers.length > 0
        ? { source_matchers: r.sourceMatchers.map(formatMatcher) }
        : {}),
      ...(r.targetMatchers.length > 0
        ? { target_matchers: r.targetMatchers.map(formatMatcher) }
        : {}),
      ...(r.equal.length > 0 ? { equal: [...r.equal] } : {}),
    }));
  }
  return stringify(doc);
}

/** Compiles filter matchers. */
export function compileFilter(matchers: readonly Matcher[]): CompiledMatcher[] {
  return matchers.map(compileMatcher);
}
