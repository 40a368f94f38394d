/**
 * Alertmanager payloads → alertbase alert inputs.
 *
 * Each alert of a payload is checked on its own: the result lists, per
 * index, either the alert input or the issues that refused it (paths within
 * the alert), so a caller can store what is valid and report the rest.
 */
import { DEFAULTS } from '../../base/constants.js';
import { AlertLevel } from '../../base/enums/alert-level.js';
import { type LevelPriorityOverrides, Priority } from '../../base/enums/priority.js';
import {
  toJsonPointer,
  ValidationError,
  type ValidationIssue,
} from '../../base/exceptions/index.js';
import { fingerprint } from '../../base/utils/fingerprint.js';
import { goEndOf, optionalGoTime } from './go-time.js';
import { PostableAlert, WebhookAlert, WebhookPayload } from './payloads.js';

/** An alert input built from an Alertmanager alert, ready for alertbase ingest. */
export interface AlertmanagerAlertInput {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** From the `severity` label (`AlertLevel.fromPrometheus`), else the default level. */
  readonly level: AlertLevel;
  /** From the level, by the tenant's level → priority mapping. */
  readonly priority: Priority;
  /** `resolved` when the alert says so (webhook) or its `endsAt` has passed (API v2). */
  readonly status: 'firing' | 'resolved';
  /** Absent when not given or Go's zero time (alertbase then uses the time of receipt). */
  readonly startsAt?: string;
  /** `null` when not given or Go's zero time (no end yet). */
  readonly endsAt: string | null;
  /** `null` when not given or empty (Alertmanager sends `""`). */
  readonly generatorURL: string | null;
  /** Alertmanager's fingerprint of the labels (alertbase computes the same). */
  readonly fingerprint: string;
}

/** The outcome of one alert of a payload; issue paths are relative to the alert. */
export type AlertmanagerItem =
  | { readonly index: number; readonly ok: true; readonly alert: AlertmanagerAlertInput }
  | { readonly index: number; readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Options of {@link postableToAlerts} and {@link webhookToAlerts}. */
export interface AlertmanagerMappingOptions {
  /** "Now", to tell a resolved alert (its `endsAt` passed) from a firing one. Default: the clock. */
  readonly now?: Date | undefined;
  /** The tenant's overrides of the level → priority mapping. */
  readonly levelPriorities?: LevelPriorityOverrides | undefined;
  /** The level of an alert without a known `severity` label. Default `DEFAULTS.prometheusDefaultLevel` (`medium`, Prometheus `warning`). */
  readonly defaultLevel?: AlertLevel | undefined;
}

/** The issue code of a webhook alert whose `fingerprint` is not the one of its labels. */
export const FINGERPRINT_MISMATCH = 'fingerprint_mismatch';

function base(
  item: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly startsAt?: string | undefined;
    readonly endsAt?: string | undefined;
    readonly generatorURL?: string | undefined;
  },
  status: 'firing' | 'resolved',
  options: AlertmanagerMappingOptions,
): AlertmanagerAlertInput {
  const level = AlertLevel.fromPrometheus(item.labels.severity, {
    fallback: options.defaultLevel ?? DEFAULTS.prometheusDefaultLevel,
  });
  const startsAt = optionalGoTime(item.startsAt);
  const generatorURL = item.generatorURL?.trim() ?? '';
  return {
    labels: item.labels,
    annotations: item.annotations,
    level,
    priority: Priority.fromLevel(level, options.levelPriorities),
    status,
    ...(startsAt === undefined ? {} : { startsAt }),
    endsAt: optionalGoTime(item.endsAt) ?? null,
    generatorURL: generatorURL === '' ? null : generatorURL,
    fingerprint: fingerprint(item.labels),
  };
}

/**
 * Maps one postable alert. It is resolved when its `endsAt` is set and not
 * after `now`: Prometheus sends firing alerts with `endsAt` a few minutes
 * ahead, and resolved ones with `endsAt` at the time they resolved.
 */
export function fromPostableAlert(
  alert: PostableAlert,
  options: AlertmanagerMappingOptions = {},
): AlertmanagerAlertInput {
  const endsAt = optionalGoTime(alert.endsAt);
  const now = (options.now ?? new Date()).getTime();
  const ended = endsAt !== undefined && Date.parse(endsAt) <= now;
  return base(alert, ended ? 'resolved' : 'firing', options);
}

/** Maps one webhook alert; its `status` says whether it is resolved. */
export function fromWebhookAlert(
  alert: WebhookAlert,
  options: AlertmanagerMappingOptions = {},
): AlertmanagerAlertInput {
  return base(alert, alert.status, options);
}

/**
 * Checks and maps the body of `POST /api/v2/alerts`: a JSON array of
 * postable alerts. Each alert is checked on its own.
 *
 * @throws ValidationError when the body is not an array (issue code `invalid_type`).
 * @example
 * ```ts
 * for (const item of postableToAlerts(body)) {
 *   if (item.ok) accepted.push(item.alert); else rejected.push(item);
 * }
 * ```
 */
export function postableToAlerts(
  body: unknown,
  options: AlertmanagerMappingOptions = {},
): AlertmanagerItem[] {
  if (!Array.isArray(body)) {
    throw new ValidationError(PostableAlert.name, [
      { path: [], pointer: '', code: 'invalid_type', message: 'expected an array of alerts' },
    ]);
  }
  return body.map((raw: unknown, index) => postableToAlert(raw, index, options));
}

/** Checks and maps one alert of a `POST /api/v2/alerts` body (see {@link postableToAlerts}). */
export function postableToAlert(
  raw: unknown,
  index: number,
  options: AlertmanagerMappingOptions = {},
): AlertmanagerItem {
  const parsed = PostableAlert.safeParse(raw);
  if (!parsed.success) {
    return { index, ok: false, issues: parsed.error.issues };
  }
  return { index, ok: true, alert: fromPostableAlert(parsed.data, options) };
}

/**
 * `alert` with another `endsAt` (as a postable alert gives it), and the
 * status that `endsAt` means at `now`: what {@link fromPostableAlert} gives
 * for an alert equal to the one `alert` was mapped from but for `endsAt`.
 */
export function withPostableEnd(
  alert: AlertmanagerAlertInput,
  endsAtText: string | undefined,
  now: Date,
): AlertmanagerAlertInput {
  const end = endsAtText === undefined ? undefined : goEndOf(endsAtText);
  const endsAt = end?.endsAt;
  const ended = end !== undefined && end.ms <= now.getTime();
  return { ...alert, status: ended ? 'resolved' : 'firing', endsAt: endsAt ?? null };
}

/** What {@link webhookToAlerts} returns. */
export interface WebhookAlerts {
  /** The notification's envelope: receiver, group key, status, ... */
  readonly payload: WebhookPayload;
  /** One outcome per alert of the notification, in order. */
  readonly items: AlertmanagerItem[];
}

/**
 * Checks and maps a webhook notification (payload version 4). Each alert's
 * `fingerprint`, when given, must equal alertbase's fingerprint of its labels
 * (issue code {@link FINGERPRINT_MISMATCH} otherwise): the two compute the
 * same FNV-1a hash, so a difference means the labels were changed in transit.
 *
 * @throws ValidationError when the envelope is invalid (another `version`, no `alerts`).
 */
export function webhookToAlerts(
  body: unknown,
  options: AlertmanagerMappingOptions = {},
): WebhookAlerts {
  const payload = WebhookPayload.parse(body);
  const items = payload.alerts.map((raw: unknown, index): AlertmanagerItem => {
    const parsed = WebhookAlert.safeParse(raw);
    if (!parsed.success) {
      return { index, ok: false, issues: parsed.error.issues };
    }
    const alert = fromWebhookAlert(parsed.data, options);
    const theirs = parsed.data.fingerprint;
    if (theirs !== undefined && theirs !== '' && theirs.toLowerCase() !== alert.fingerprint) {
      const path = ['fingerprint'];
      return {
        index,
        ok: false,
        issues: [
          {
            path,
            pointer: toJsonPointer(path),
            code: FINGERPRINT_MISMATCH,
            message: `fingerprint ${theirs} is not the fingerprint of the labels (${alert.fingerprint})`,
          },
        ],
      };
    }
    return { index, ok: true, alert };
  });
  return { payload, items };
}
