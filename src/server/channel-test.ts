/**
 * A test notification: one message about a made-up, firing alert, sent
 * through a channel's own sender now (the path the outbox's deliveries take,
 * with their timeout and address checks), its outcome audited as
 * `channel.test`. Nothing is queued, retried or routed.
 */
import { performance } from 'node:perf_hooks';
import { fingerprint } from '../base/utils/fingerprint.js';
import { newId } from '../base/utils/ids.js';
import { GO_ZERO_TIME, type NotificationChannel } from '../domain/index.js';
import type { NotificationMessage } from '../notify/index.js';
import type { Database } from '../storage/index.js';
import { type AuditKeys, appendAudit } from '../storage/repositories/index.js';
import type { ChannelSendFn } from './deliver.js';

/** The `alertname` of a test notification's alert. */
export const TEST_ALERT_NAME = 'AlertbaseTestNotification';

/** The longest error text kept in the audit trail (its details hold at most 1,024 characters). */
const AUDIT_ERROR_CHARS = 1_000;

/** What a test notification did. */
export interface ChannelTestOutcome {
  readonly channelId: string;
  readonly type: NotificationChannel['config']['type'];
  /** The idempotency key of the message sent (webhooks see it as `webhook-id`). */
  readonly messageId: string;
  readonly delivered: boolean;
  /** The receiver's last HTTP status, or the SMTP reply code of a refused mail. */
  readonly status: number | undefined;
  /** What went wrong, secrets masked. */
  readonly error: string | undefined;
  /** The `ALERTBASE_DELIVERY_*` code of a failure. */
  readonly code: string | undefined;
  /** Whether the outbox would have tried again. */
  readonly retryable: boolean;
  readonly requests: number;
  readonly durationMs: number;
}

/** The message of a test notification through `channel`, asked for by `actor`. */
export function testMessageOf(
  tenantId: string,
  channel: NotificationChannel,
  actor: string,
  now: Date,
  externalURL: string,
): NotificationMessage {
  const labels = { alertname: TEST_ALERT_NAME, channel: channel.name, severity: 'info' };
  const annotations = {
    summary: `A test notification from alertbase through the channel ${channel.name}`,
    description: `Sent by ${actor} to check that the channel works; no alert is firing.`,
  };
  const startsAt = now.toISOString();
  return {
    id: newId(),
    tenantId,
    receiver: channel.name,
    action: 'notify',
    status: 'firing',
    groupKey: `{}/test:{alertname="${TEST_ALERT_NAME}"}`,
    groupLabels: { alertname: TEST_ALERT_NAME },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL,
    truncatedAlerts: 0,
    alerts: [
      {
        status: 'firing',
        labels,
        annotations,
        startsAt,
        endsAt: GO_ZERO_TIME,
        generatorURL: '',
        fingerprint: fingerprint(labels),
      },
    ],
  };
}

/** What {@link sendTestNotification} needs. */
export interface ChannelTestOptions {
  readonly db: Database;
  readonly send: ChannelSendFn;
  readonly externalURL: string;
  readonly auditKeys: AuditKeys | undefined;
  readonly now: () => Date;
}

/**
 * Sends a test message through `channel` (enabled or not) and audits what
 * happened; never throws for a delivery failure.
 *
 * @example
 * ```ts
 * const outcome = await sendTestNotification(options, 'acme', channel, 'key:ab12');
 * if (!outcome.delivered) console.log(outcome.status, outcome.error);
 * ```
 */
export async function sendTestNotification(
  options: ChannelTestOptions,
  tenantId: string,
  channel: NotificationChannel,
  actor: string,
): Promise<ChannelTestOutcome> {
  const now = options.now();
  const message = testMessageOf(tenantId, channel, actor, now, options.externalURL);
  const started = performance.now();
  const result = await options.send(tenantId, channel.config, message);
  const outcome: ChannelTestOutcome = {
    channelId: channel.id,
    type: channel.config.type,
    messageId: message.id,
    delivered: result.ok,
    status: result.status,
    error: result.error,
    code: result.code,
    retryable: result.retryable,
    requests: result.requests ?? 0,
    durationMs: Math.round(performance.now() - started),
  };
  await options.db.withTenant(tenantId, (tx) =>
    appendAudit(
      tx,
      tenantId,
      {
        actor,
        action: 'channel.test',
        entityType: 'NotificationChannel',
        entityId: channel.id,
        before: null,
        after: null,
        result: outcome.delivered ? 'success' : 'failure',
        details: {
          messageId: outcome.messageId,
          status: outcome.status ?? null,
          code: outcome.code ?? null,
          error: outcome.error === undefined ? null : outcome.error.slice(0, AUDIT_ERROR_CHARS),
          durationMs: outcome.durationMs,
        },
      },
      new Date(),
      options.auditKeys,
    ),
  );
  return outcome;
}
