import type { ChannelConfig, ChannelConfigOf } from '../domain/notification-channel.js';
import type { Resolver } from './destination.js';
import { DeliveryError, failureResult } from './errors.js';
import { abortFailure, checkAnswer, guardedRequest } from './http.js';
import { secretValuesOf } from './redact.js';
import type {
  ChannelSender,
  DeliveryContext,
  DeliveryResult,
  NotificationMessage,
} from './types.js';

/** The result of an attempt that had nothing to send. */
export const SKIPPED: DeliveryResult = Object.freeze({
  ok: true,
  retryable: false,
  skipped: true,
  requests: 0,
});

/**
 * What a channel sends of a message, or undefined for nothing: without
 * `sendResolved` the resolved alerts are left out (and the message is
 * `firing`), as Alertmanager does; an acknowledgement only where the type
 * forwards it.
 */
export function deliverable(
  config: ChannelConfig,
  message: NotificationMessage,
  forwardsAcknowledge: boolean,
): NotificationMessage | undefined {
  if (message.action === 'acknowledge') return forwardsAcknowledge ? message : undefined;
  if (config.sendResolved) return message;
  const firing = message.alerts.filter((a) => a.status === 'firing');
  if (firing.length === 0) return undefined;
  return firing.length === message.alerts.length
    ? message
    : { ...message, status: 'firing', alerts: firing };
}

/** Test hooks of the senders (not part of the delivery context a worker builds). @internal */
export interface AttemptHooks {
  readonly resolver?: Resolver | undefined;
}

/**
 * One delivery attempt of one channel: its requests share the attempt's
 * deadline (`ctx.timeoutMs` from the start), and its result masks the
 * channel's secrets. @internal
 */
export class Attempt {
  readonly #ctx: DeliveryContext;
  readonly #deadline: number;
  readonly #secrets: readonly string[];
  readonly #hooks: AttemptHooks;
  #requests = 0;
  #lastStatus: number | undefined;

  constructor(config: ChannelConfig, ctx: DeliveryContext, hooks: AttemptHooks = {}) {
    this.#ctx = ctx;
    this.#deadline = Date.now() + ctx.timeoutMs;
    this.#secrets = secretValuesOf(config);
    this.#hooks = hooks;
  }

  /** Milliseconds left of the attempt. @throws DeliveryError timed out or aborted when none are. */
  remainingMs(): number {
    const left = this.#deadline - Date.now();
    if (this.#ctx.signal.aborted || left <= 0)
      throw abortFailure(this.#ctx.signal, this.#ctx.timeoutMs);
    return left;
  }

  /** The attempt's context. */
  get ctx(): DeliveryContext {
    return this.#ctx;
  }

  /** The resolver for destinations (the system's unless a test gives one). */
  get resolver(): Resolver | undefined {
    return this.#hooks.resolver;
  }

  /** Counts one request made (SMTP counts its mail). */
  count(status?: number): void {
    this.#requests += 1;
    if (status !== undefined) this.#lastStatus = status;
  }

  /**
   * POSTs `payload` as JSON; returns the status of a 2xx answer.
   * @throws DeliveryError for any other answer or failure.
   */
  async postJson(
    url: string,
    payload: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<number> {
    return this.post(url, JSON.stringify(payload), {
      'content-type': 'application/json',
      ...headers,
    });
  }

  /** POSTs `body` as it is; returns the status of a 2xx answer. */
  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<number> {
    const timeoutMs = this.remainingMs();
    this.#requests += 1;
    const answer = await guardedRequest(
      { url, headers, body },
      {
        allowPrivateNetworks: this.#ctx.allowPrivateNetworks,
        signal: this.#ctx.signal,
        timeoutMs,
        resolver: this.#hooks.resolver,
      },
    ).catch((err: unknown) => {
      // The request's own timer is the attempt's remainder: report the attempt's timeout.
      if (err instanceof DeliveryError && err.deliveryCode === 'ALERTBASE_DELIVERY_TIMEOUT')
        throw abortFailure(this.#ctx.signal, this.#ctx.timeoutMs, err);
      throw err;
    });
    this.#lastStatus = answer.status;
    checkAnswer(answer, this.#ctx.now);
    return answer.status;
  }

  /** The result of an attempt that delivered everything. */
  delivered(): DeliveryResult {
    return {
      ok: true,
      retryable: false,
      requests: this.#requests,
      ...(this.#lastStatus === undefined ? {} : { status: this.#lastStatus }),
    };
  }

  /** The result of an attempt that failed with `err`, secrets masked. */
  failed(err: unknown): DeliveryResult {
    return failureResult(err, this.#secrets, this.#requests);
  }

  /**
   * Runs `body` on what the channel is to send (see {@link deliverable}) and
   * returns its classified result: it never throws. Nothing to send is a
   * skipped success.
   */
  static async run(
    config: ChannelConfig,
    message: NotificationMessage,
    ctx: DeliveryContext,
    options: AttemptHooks & { readonly forwardsAcknowledge: boolean },
    body: (attempt: Attempt, message: NotificationMessage) => Promise<void>,
  ): Promise<DeliveryResult> {
    const toSend = deliverable(config, message, options.forwardsAcknowledge);
    if (toSend === undefined) return SKIPPED;
    const attempt = new Attempt(config, ctx, options);
    try {
      await body(attempt, toSend);
      return attempt.delivered();
    } catch (err) {
      return attempt.failed(err);
    }
  }
}

/**
 * A channel type's sender: `deliver` sends one deliverable message (resolved
 * alerts and acknowledgements already filtered as the type wants) within an
 * attempt, which classifies its outcome.
 */
export function channelSender<T extends ChannelConfig['type']>(
  type: T,
  forwardsAcknowledge: boolean,
  hooks: AttemptHooks,
  deliver: (
    attempt: Attempt,
    message: NotificationMessage,
    config: ChannelConfigOf<T>,
    ctx: DeliveryContext,
  ) => Promise<void>,
): ChannelSender<ChannelConfigOf<T>> {
  return {
    // `ChannelConfigOf<T>['type']` is `T`; TypeScript cannot see it through the union.
    type: type as ChannelConfigOf<T>['type'],
    send: (config, message, ctx) =>
      Attempt.run(config, message, ctx, { ...hooks, forwardsAcknowledge }, (attempt, m) =>
        deliver(attempt, m, config, ctx),
      ),
  };
}
