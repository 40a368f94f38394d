/**
 * The one HTTP client of notification delivery: every request of every
 * channel type goes through {@link guardedRequest}, which judges the
 * destination after DNS resolution and connects to the address judged,
 * bounds the whole exchange by the attempt's timeout and abort signal,
 * follows no redirect, and reads at most {@link MAX_ANSWER_BYTES} of the answer.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { type Resolver, resolveDestination } from './destination.js';
import { DeliveryError } from './errors.js';

/** At most this much of an answer is read (an error's text is all that is kept). */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The longest `Retry-After` honoured: a hostile receiver cannot park a notification for a year. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** The `User-Agent` of every notification request. */
export const USER_AGENT = 'alertbase';

// Kept-alive connections: a burst of notifications to one receiver reuses them.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

/** Error codes of a TLS certificate that does not verify (OpenSSL's, and Node's name check). */
const TLS_VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME_INVALID/;

/** One outgoing request. */
export interface OutgoingRequest {
  readonly url: string;
  readonly method?: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The answer to an {@link OutgoingRequest}. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The first {@link MAX_ANSWER_BYTES} of the body, as UTF-8. */
  readonly body: string;
}

/** Options of {@link guardedRequest}. */
export interface GuardedRequestOptions {
  readonly allowPrivateNetworks: boolean;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** For tests: a resolver other than the system's. */
  readonly resolver?: Resolver | undefined;
}

/** The error a timed-out or aborted attempt ends with. @internal */
export function abortFailure(
  caller: AbortSignal,
  timeoutMs: number,
  cause?: unknown,
): DeliveryError {
  return caller.aborted
    ? new DeliveryError('ALERTBASE_DELIVERY_ABORTED', {}, { retryable: true, cause })
    : new DeliveryError('ALERTBASE_DELIVERY_TIMEOUT', { timeoutMs }, { retryable: true, cause });
}

/**
 * Sends one request to a destination the deployment allows.
 *
 * @throws DeliveryError `ALERTBASE_DELIVERY_DESTINATION_REFUSED` (not retryable),
 *   `ALERTBASE_DELIVERY_TIMEOUT` / `ALERTBASE_DELIVERY_ABORTED` / `ALERTBASE_DELIVERY_NETWORK` (retryable).
 *   An answer of any status is returned, not thrown: see {@link classifyAnswer}.
 */
export async function guardedRequest(
  req: OutgoingRequest,
  options: GuardedRequestOptions,
): Promise<HttpAnswer> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch (err) {
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_CONFIG',
      { reason: 'the URL is not valid' },
      { retryable: false, cause: err },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
      { reason: `the scheme ${url.protocol} is not allowed; use http: or https:` },
      { retryable: false },
    );
  }
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  let target: Awaited<ReturnType<typeof resolveDestination>>;
  try {
    target = await resolveDestination(url.hostname, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      signal,
      resolver: options.resolver,
    });
  } catch (err) {
    if (signal.aborted) throw abortFailure(options.signal, options.timeoutMs, err);
    throw err;
  }
  // The connection goes to the address judged above, so kept-alive connections are pooled
  // by address (one made under another tenant's rules or an older DNS answer is never
  // reused for this name); the name stays for Host and TLS (SNI, certificate check).
  const named = isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0;
  const body = Buffer.from(req.body, 'utf8');
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const fail = (err: unknown): void => {
      if (signal.aborted) reject(abortFailure(options.signal, options.timeoutMs, err));
      else {
        const reason = err instanceof Error ? err.message : String(err);
        // A certificate that does not verify will not verify on the next attempt either.
        const code = err instanceof Error && 'code' in err ? String(err.code) : '';
        const retryable = !TLS_VERIFY_CODES.test(code);
        reject(
          new DeliveryError('ALERTBASE_DELIVERY_NETWORK', { reason }, { retryable, cause: err }),
        );
      }
    };
    const request = send(
      url,
      {
        method: req.method ?? 'POST',
        hostname: target.address,
        family: target.family,
        headers: {
          'user-agent': USER_AGENT,
          ...req.headers,
          host: url.host,
          'content-length': String(body.length),
        },
        ...(named ? { servername: url.hostname } : {}),
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_ANSWER_BYTES) return;
          const room = MAX_ANSWER_BYTES - size;
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(kept);
          size += kept.length;
          if (size >= MAX_ANSWER_BYTES) {
            // Enough to classify and explain: stop reading a body that may never end.
            finish();
            res.destroy();
          }
        });
        res.on('end', finish);
        res.on('error', (err) => (done ? undefined : fail(err)));
        res.on('aborted', () => (done ? undefined : fail(new Error('the answer was cut off'))));
      },
    );
    request.on('error', fail);
    request.end(body);
  });
}

/**
 * Milliseconds to wait from a `Retry-After` header (seconds, or an HTTP date
 * judged against `now`), at most {@link MAX_RETRY_AFTER_MS}; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: Date,
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  let ms: number;
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** An answer's body on one line, for an error message (masked, then shortened, by the result). */
function snippet(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line === '' ? '' : `: ${line}`;
}

/**
 * Judges an answer: 2xx is delivered; 408, 429 and 5xx are retryable
 * (honouring `Retry-After`); any other status (3xx: no redirect is followed;
 * other 4xx) is not.
 *
 * @throws DeliveryError `ALERTBASE_DELIVERY_HTTP_STATUS` for anything but 2xx.
 */
export function checkAnswer(answer: HttpAnswer, now: Date): void {
  const { status } = answer;
  if (status >= 200 && status < 300) return;
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(answer.headers['retry-after'], now) : undefined;
  throw new DeliveryError(
    'ALERTBASE_DELIVERY_HTTP_STATUS',
    { status, detail: snippet(answer.body) },
    { retryable, statusCode: status, retryAfterMs },
  );
}
