/**
 * Notification delivery: the channel types (webhook, Slack, PagerDuty,
 * Opsgenie, Microsoft Teams, e-mail) behind one interface, their default
 * templates, and the guarded HTTP client every outgoing request uses.
 */

export { deliverable, SKIPPED } from './attempt.js';
export * from './channels/email.js';
export * from './channels/opsgenie.js';
export * from './channels/pagerduty.js';
export * from './channels/slack.js';
export * from './channels/teams.js';
export * from './channels/webhook.js';
export {
  type ResolvedAddress,
  type Resolver,
  resolveDestination,
  systemResolver,
} from './destination.js';
export {
  type GuardedRequestOptions,
  guardedRequest,
  type HttpAnswer,
  MAX_ANSWER_BYTES,
  MAX_RETRY_AFTER_MS,
  type OutgoingRequest,
  parseRetryAfter,
  USER_AGENT,
} from './http.js';
export { redact, secretValuesOf } from './redact.js';
export * from './registry.js';
export * from './templates.js';
export * from './types.js';
