/**
 * Where a notification may go, judged at send time after DNS resolution:
 * the host is resolved once, every address it resolves to is judged by
 * `checkUrlTarget` (the one SSRF judgement of alertbase), and the connection
 * is made to the address judged, so a second resolution cannot swap it
 * (DNS rebinding).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkUrlTarget } from '../base/validators/ssrf.js';
import { DeliveryError } from './errors.js';

/** One resolved address. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to its addresses (default: the system resolver, as `getaddrinfo`). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver: every address of the name, as the operating system resolves it. */
export const systemResolver: Resolver = async (hostname) => {
  const all = await lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Options of {@link resolveDestination}. */
export interface DestinationOptions {
  readonly allowPrivateNetworks: boolean;
  readonly signal: AbortSignal;
  /** For tests: a resolver other than the system's. */
  readonly resolver?: Resolver | undefined;
}

function refuse(reason: string): DeliveryError {
  return new DeliveryError(
    'ALERTBASE_DELIVERY_DESTINATION_REFUSED',
    { reason },
    { retryable: false },
  );
}

function judge(address: string, allowPrivateNetworks: boolean): string | undefined {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const verdict = checkUrlTarget(`http://${host}/`, { allowPrivateNetworks });
  return verdict.ok ? undefined : verdict.message;
}

/** Rejects when `signal` aborts; the promise itself cannot be cancelled (a DNS lookup). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // AbortSignal types its reason as any: read it as unknown.
  const aborted: { readonly reason: unknown } = signal;
  const reason = (): unknown => aborted.reason;
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The address to connect to for `hostname`: an IP literal as it is, a name
 * resolved. Refused (`ALERTBASE_DELIVERY_DESTINATION_REFUSED`, not retryable)
 * when the name or any address it resolves to is one the deployment forbids:
 * cloud metadata always; loopback, private, link-local and unspecified
 * addresses unless `allowPrivateNetworks`.
 *
 * @throws DeliveryError refused, or `ALERTBASE_DELIVERY_NETWORK` when the name does not resolve.
 */
export async function resolveDestination(
  hostname: string,
  options: DestinationOptions,
): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const named = judge(host, options.allowPrivateNetworks);
  if (named !== undefined) throw refuse(named);
  const family = isIP(host);
  if (family === 4 || family === 6) return { address: host, family };
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await untilAborted((options.resolver ?? systemResolver)(host), options.signal);
  } catch (err) {
    if (options.signal.aborted) throw err;
    const reason = `${host} does not resolve (${err instanceof Error && 'code' in err ? String(err.code) : 'no address'})`;
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_NETWORK',
      { reason },
      { retryable: true, cause: err },
    );
  }
  const first = addresses[0];
  if (first === undefined) {
    throw new DeliveryError(
      'ALERTBASE_DELIVERY_NETWORK',
      { reason: `${host} does not resolve (no address)` },
      { retryable: true },
    );
  }
  // Every address must pass: a name with one public and one private address is refused.
  for (const a of addresses) {
    const why = judge(a.address, options.allowPrivateNetworks);
    if (why !== undefined) throw refuse(`${host} resolves to ${why}`);
  }
  return first;
}
