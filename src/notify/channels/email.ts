/**
 * E-mail over SMTP with nodemailer: the channel's own server, else the
 * deployment's default; the server's address judged like any destination
 * (after DNS resolution, connecting to the address judged); TLS required
 * unless the channel says otherwise.
 */
import { isIP } from 'node:net';
import type { ChannelConfigOf } from '../../domain/notification-channel.js';
import { type AttemptHooks, channelSender } from '../attempt.js';
import { resolveDestination } from '../destination.js';
import { DeliveryError } from '../errors.js';
import { abortFailure } from '../http.js';
import { notificationHtml, notificationText, notificationTitle } from '../templates.js';
import type { ChannelSender, DeliveryContext, NotificationMessage } from '../types.js';

/** The SMTP server of one delivery. */
export interface SmtpServer {
  readonly host: string;
  readonly port: number;
  readonly from: string;
  readonly authUsername: string | null;
  readonly authPassword: string | null;
  readonly requireTls: boolean;
}

/** `host:port` → host (brackets removed) and port. */
export function parseSmarthost(smarthost: string): { host: string; port: number } {
  const at = smarthost.lastIndexOf(':');
  return {
    host: smarthost.slice(0, at).replace(/^\[|\]$/g, ''),
    port: Number(smarthost.slice(at + 1)),
  };
}

/**
 * The server a channel sends through: its own `smtp`, else the deployment's
 * default; the sender: its own `from`, else the default's.
 *
 * @throws DeliveryError `ALERTBASE_DELIVERY_CONFIG` (not retryable) when neither gives a server or a sender.
 */
export function smtpServerOf(config: ChannelConfigOf<'email'>, ctx: DeliveryContext): SmtpServer {
  const own = config.smtp;
  const fallback = ctx.smtp;
  const smarthost = own?.smarthost ?? fallback?.smarthost;
  if (smarthost === undefined) {
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_CONFIG',
      { reason: 'no SMTP server: the channel has none and the deployment sets no default' },
      { retryable: false },
    );
  }
  const from = config.from ?? fallback?.from;
  if (from === undefined) {
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_CONFIG',
      { reason: 'no sender: the channel has no from and the deployment sets no default' },
      { retryable: false },
    );
  }
  const { host, port } = parseSmarthost(smarthost);
  if (own !== null) {
    return {
      host,
      port,
      from,
      authUsername: own.authUsername,
      authPassword: own.authPassword?.reveal() ?? null,
      requireTls: own.requireTls,
    };
  }
  return {
    host,
    port,
    from,
    authUsername: fallback?.authUsername ?? null,
    authPassword: fallback?.authPassword?.reveal() ?? null,
    requireTls: fallback?.requireTls ?? true,
  };
}

/** The subject of a notification mail: the channel's prefix and the title. */
export function emailSubject(
  config: ChannelConfigOf<'email'>,
  message: NotificationMessage,
): string {
  const title = notificationTitle(message);
  return config.subjectPrefix === null ? title : `${config.subjectPrefix} ${title}`;
}

/** A `Message-ID` made from the notification's id: the same on every retry, so a mailbox can drop the duplicate. */
export function emailMessageId(message: NotificationMessage): string {
  return `<${message.id.replace(/[^A-Za-z0-9._-]/g, '-')}@alertbase.notify>`;
}

/** Fields of a nodemailer error alertbase reads. */
interface SmtpFailure {
  readonly code?: unknown;
  readonly responseCode?: unknown;
  readonly message?: unknown;
}

/**
 * Classifies what nodemailer threw: an SMTP reply 4xx is retryable, 5xx is
 * not; a missing TLS (with `requireTls`) or refused login is not; connection
 * failures and timeouts are.
 */
export function smtpFailure(
  err: unknown,
  ctx: DeliveryContext,
  signal: AbortSignal,
): DeliveryError {
  if (signal.aborted) return abortFailure(ctx.signal, ctx.timeoutMs, err);
  const e: SmtpFailure = typeof err === 'object' && err !== null ? err : {};
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'ETLS') {
    // No TLS where it is required (or a certificate that does not verify): retrying will not change it.
    return new DeliveryError(
      'ALERTBASE_DELIVERY_NETWORK',
      { reason: `TLS failed: ${message}` },
      { retryable: false, cause: err },
    );
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new DeliveryError(
      'ALERTBASE_DELIVERY_SMTP_REPLY',
      { status: e.responseCode, detail: message },
      { retryable: e.responseCode < 500, statusCode: e.responseCode, cause: err },
    );
  }
  if (code === 'ETIMEDOUT') return abortFailure(ctx.signal, ctx.timeoutMs, err);
  if (code === 'EAUTH') {
    return new DeliveryError(
      'ALERTBASE_DELIVERY_NETWORK',
      { reason: message },
      { retryable: false, cause: err },
    );
  }
  return new DeliveryError(
    'ALERTBASE_DELIVERY_NETWORK',
    { reason: message },
    { retryable: true, cause: err },
  );
}

/** Creates the e-mail sender (`hooks` are for tests). */
export function createEmailSender(
  hooks: AttemptHooks = {},
): ChannelSender<ChannelConfigOf<'email'>> {
  return channelSender('email', false, hooks, async (attempt, message, config, ctx) => {
    const server = smtpServerOf(config, ctx);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(attempt.remainingMs())]);
    let target: Awaited<ReturnType<typeof resolveDestination>>;
    try {
      target = await resolveDestination(server.host, {
        allowPrivateNetworks: ctx.allowPrivateNetworks,
        signal,
        resolver: attempt.resolver,
      });
    } catch (err) {
      throw signal.aborted ? abortFailure(ctx.signal, ctx.timeoutMs, err) : err;
    }
    const timeoutMs = attempt.remainingMs();
    const secure = server.port === 465;
    // Loaded on first use: a deployment without e-mail channels never loads it.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      // The address judged above; the name is kept for TLS (SNI and the certificate check).
      host: target.address,
      port: server.port,
      secure,
      requireTLS: server.requireTls && !secure,
      ignoreTLS: false,
      ...(isIP(server.host) === 0
        ? { servername: server.host, tls: { servername: server.host } }
        : {}),
      ...(server.authUsername === null
        ? {}
        : { auth: { user: server.authUsername, pass: server.authPassword ?? '' } }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    try {
      await transport.sendMail({
        from: server.from,
        to: [...config.to],
        cc: [...config.cc],
        subject: emailSubject(config, message),
        text: notificationText(message),
        html: notificationHtml(message),
        messageId: emailMessageId(message),
        headers: { 'X-Alertbase-Notification-Id': message.id },
        signal,
      });
      attempt.count(250);
    } catch (err) {
      attempt.count();
      throw smtpFailure(err, ctx, signal);
    } finally {
      transport.close();
    }
  });
}

/** The e-mail sender. */
export const emailSender = createEmailSender();
