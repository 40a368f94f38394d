/**
 * How the service sends one claimed notification: the channel as stored
 * now (a deleted or disabled channel gets nothing, for good), through its
 * type's sender, with the deployment's timeout, SMTP server and private-
 * network policy (or the tenant's `allowPrivateNetworks`).
 */
import { performance } from 'node:perf_hooks';
import { Secret } from '../base/types/secret.js';
import type { AlertbaseConfig } from '../config/index.js';
import type { ChannelConfig } from '../domain/index.js';
import {
  type DeliveryResult,
  type NotificationMessage,
  type SmtpDefaults,
  sendNotification,
} from '../notify/index.js';
import type { Repositories } from '../storage/repositories/index.js';
import type { DeliverFn } from './notification-scheduler.js';
import type { TenantCache } from './tenant-cache.js';

/** The deployment's SMTP server from `SMTP_URL` (`smtp://user:pass@host:587?from=…`). */
export function smtpDefaultsOf(url: string | undefined): SmtpDefaults | undefined {
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  const port = parsed.port === '' ? (parsed.protocol === 'smtps:' ? '465' : '25') : parsed.port;
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  return {
    smarthost: `${parsed.hostname}:${port}`,
    from: parsed.searchParams.get('from') ?? `alertbase@${parsed.hostname}`,
    ...(user === '' ? {} : { authUsername: user }),
    ...(password === '' ? {} : { authPassword: new Secret(password) }),
    requireTls: parsed.searchParams.get('require_tls') !== 'false',
  };
}

/**
 * Sends one message through one channel configuration of a tenant, now:
 * the deployment's timeout and SMTP server, and its private-network policy
 * or the tenant's `allowPrivateNetworks` (the address is judged again when
 * resolved). The outbox's deliveries and `POST /v1/channels/{id}/test` go
 * through it.
 */
export type ChannelSendFn = (
  tenantId: string,
  channel: ChannelConfig,
  message: NotificationMessage,
) => Promise<DeliveryResult>;

/** The service's {@link ChannelSendFn}; `signal` aborts attempts in flight when the service stops. */
export function createChannelSend(
  tenants: TenantCache,
  config: AlertbaseConfig,
  signal: AbortSignal,
): ChannelSendFn {
  const smtp = smtpDefaultsOf(config.notifications.smtpUrl);
  const timeoutMs = config.notifications.timeoutSeconds * 1_000;
  return async (tenantId, channel, message) => {
    const tenant = await tenants.get(tenantId);
    return sendNotification(channel, message, {
      signal,
      timeoutMs,
      now: new Date(),
      allowPrivateNetworks:
        config.notifications.allowPrivateNetworks || tenant?.settings.allowPrivateNetworks === true,
      smtp,
    });
  };
}

/**
 * The service's {@link DeliverFn}: the channel as stored now (a deleted or
 * disabled channel gets nothing, for good), through {@link createChannelSend}.
 * `signal` aborts attempts in flight when the service stops (they are then
 * retried by the next run).
 */
export function createDeliver(
  repos: Repositories,
  tenants: TenantCache,
  config: AlertbaseConfig,
  signal: AbortSignal,
): DeliverFn {
  const send = createChannelSend(tenants, config, signal);
  return async (n) => {
    const started = performance.now();
    const channel = await repos.notificationChannels.find(n.tenantId, n.channelId);
    if (channel === undefined || !channel.enabled) {
      return {
        ok: false,
        retryable: false,
        error: channel === undefined ? 'the channel was deleted' : 'the channel is disabled',
        durationMs: performance.now() - started,
      };
    }
    const result = await send(n.tenantId, channel.config, n.message);
    return { ...result, durationMs: performance.now() - started };
  };
}
