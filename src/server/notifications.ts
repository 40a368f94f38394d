/**
 * Notifications in the service: the outbox and groups over the database,
 * configured from `notifications.*`, and their scheduler while the app runs.
 */
import type { FastifyInstance } from 'fastify';
import type { AlertbaseConfig } from '../config/index.js';
import { compileRouting, type TreeCompiler } from '../domain/index.js';
import type { Database } from '../storage/index.js';
import {
  type AuditKeys,
  NotificationGroups,
  NotificationOutbox,
} from '../storage/repositories/index.js';
import type { AlertEventSink } from '../storage/series/index.js';
import { sendTestNotification } from './channel-test.js';
import type { ChannelSendFn } from './deliver.js';
import {
  type DeliverFn,
  type NotificationScheduler,
  startNotificationScheduler,
} from './notification-scheduler.js';
import type { NotificationService } from './routes/context.js';

/** Alerts in one message at most (Alertmanager's webhook `max_alerts`, here for every channel). */
const MAX_ALERTS_PER_MESSAGE = 1_000;

/** How alertbase is reached from a notification's links. */
export function externalUrlOf(config: AlertbaseConfig): string {
  const configured = config.notifications.externalUrl;
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${config.server.port}`;
}

/**
 * The notification service of an app; its scheduler runs between the app's
 * `onReady` and `onClose` when `schedulers` is on.
 */
export function useNotifications(
  app: FastifyInstance,
  options: {
    readonly db: Database;
    readonly config: AlertbaseConfig;
    readonly deliver: DeliverFn;
    readonly compileTree: TreeCompiler;
    readonly schedulers: boolean;
    /** Sends one message through a channel now (test notifications). */
    readonly send: ChannelSendFn;
    /** Seal the audit entries of escalations, retries and tests. */
    readonly auditKeys?: AuditKeys | undefined;
    /** Receives the `notified` points of deliveries (the alert time series). */
    readonly events?: AlertEventSink | undefined;
    /** The clock of test notifications. */
    readonly now?: (() => Date) | undefined;
  },
): NotificationService {
  const { config } = options;
  const timeoutMs = config.notifications.timeoutSeconds * 1_000;
  const groups = new NotificationGroups(options.db, {
    externalURL: externalUrlOf(config),
    maxAlertsPerMessage: MAX_ALERTS_PER_MESSAGE,
    compile: compileRouting(options.compileTree),
    auditKeys: options.auditKeys,
  });
  const outbox = new NotificationOutbox(options.db, {
    // A claim outlives its attempt's timeout, so only a dead sender's claim runs out.
    leaseMs: 2 * timeoutMs + 5_000,
    maxAgeMs: config.notifications.maxAgeSeconds * 1_000,
    auditKeys: options.auditKeys,
    events: options.events,
  });
  let scheduler: NotificationScheduler | undefined;
  if (options.schedulers) {
    app.addHook('onReady', async () => {
      scheduler = startNotificationScheduler(groups, outbox, options.deliver, {
        onError: (err) => app.log.error({ err }, 'notification scheduler pass failed'),
      });
    });
    app.addHook('onClose', async () => {
      await scheduler?.stop();
    });
  }
  return {
    groups,
    outbox,
    poke: () => scheduler?.poke(),
    test: (tenantId, channel, actor) =>
      sendTestNotification(
        {
          db: options.db,
          send: options.send,
          externalURL: externalUrlOf(config),
          auditKeys: options.auditKeys,
          now: options.now ?? (() => new Date()),
        },
        tenantId,
        channel,
        actor,
      ),
  };
}
