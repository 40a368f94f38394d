/**
 * Server-side request forgery: would a URL alertbase calls (a webhook) or
 * links to (a generator URL) reach the machine itself, a private network or
 * a cloud metadata service?
 *
 * Pure: the host is judged as written, after the WHATWG URL parser has
 * normalised it (so `http://2130706433/`, `http://0x7f.1/` and
 * `http://0177.0.0.1/` are all seen as `127.0.0.1`). No DNS lookup is made
 * here (`base/` does no I/O): a name that resolves to a private address must
 * be refused again when the request is made, against the resolved address.
 */

import { BlockList, isIP } from 'node:net';

/** Why a URL was refused; also the finding's code. */
export type SsrfCategory =
  | 'ssrf_cloud_metadata'
  | 'ssrf_loopback'
  | 'ssrf_private_address'
  | 'ssrf_link_local'
  | 'ssrf_unspecified'
  | 'ssrf_localhost_name'
  | 'url_scheme_not_allowed'
  | 'invalid_url';

/** The verdict on one URL. */
export type SsrfVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly category: SsrfCategory;
      /** The host as normalised (`127.0.0.1` for `http://0x7f.1/`). */
      readonly host: string;
      readonly message: string;
    };

/** Options of {@link checkUrlTarget}. */
export interface CheckUrlOptions {
  /** Allow loopback, private, link-local and local names (a tenant's `allowPrivateNetworks`). Cloud metadata stays refused. */
  readonly allowPrivateNetworks?: boolean;
  /** Schemes accepted; default `http:` and `https:`. */
  readonly schemes?: readonly string[];
}

const list = (entries: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList => {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
};

// BlockList matches IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) against IPv4 rules itself.
const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const UNSPECIFIED = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
const LINK_LOCAL = list([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const PRIVATE = list([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  // Carrier-grade NAT (RFC 6598): private to the provider, often the cluster's own network.
  ['100.64.0.0', 10, 'ipv4'],
  // Unique local addresses (RFC 4193).
  ['fc00::', 7, 'ipv6'],
  // Site-local (deprecated, still routed internally by some networks).
  ['fec0::', 10, 'ipv6'],
]);

/** Cloud metadata services: AWS, GCP, Azure, OpenStack (169.254.169.254); AWS over IPv6; Alibaba. */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  'fd00:ec2::254',
  '100.100.100.200',
]);
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** An IPv4 address embedded in the last 32 bits of an IPv6 address (IPv4-compatible, NAT64). */
function embeddedIpv4(v6: string): string | undefined {
  const m = /^(?:::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6);
  if (m === null) return undefined;
  const hi = Number.parseInt(m[1] ?? '0', 16);
  const lo = Number.parseInt(m[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function classifyAddress(address: string, family: 'ipv4' | 'ipv6'): SsrfCategory | undefined {
  if (METADATA_ADDRESSES.has(address)) return 'ssrf_cloud_metadata';
  if (family === 'ipv6') {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) {
      const inner = classifyAddress(v4, 'ipv4');
      // "::" itself has the all-zero tail; it is the unspecified address, handled below.
      if (inner !== undefined && address !== '::') return inner;
    }
  }
  if (LOOPBACK.check(address, family)) return 'ssrf_loopback';
  if (UNSPECIFIED.check(address, family)) return 'ssrf_unspecified';
  if (LINK_LOCAL.check(address, family)) return 'ssrf_link_local';
  if (PRIVATE.check(address, family)) return 'ssrf_private_address';
  return undefined;
}

const MESSAGES: Readonly<Record<SsrfCategory, string>> = {
  ssrf_cloud_metadata: 'is a cloud metadata service',
  ssrf_loopback: 'is a loopback address (this machine)',
  ssrf_private_address: 'is on a private network',
  ssrf_link_local: 'is a link-local address',
  ssrf_unspecified: 'is the unspecified address (this machine)',
  ssrf_localhost_name: 'names this machine',
  url_scheme_not_allowed: 'uses a scheme that is not allowed',
  invalid_url: 'is not a valid URL',
};

/**
 * Judges the target of a URL. Refused: cloud metadata addresses and names
 * (always), and, unless `allowPrivateNetworks`: loopback, unspecified,
 * link-local and private (RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7)
 * addresses in any spelling (decimal, hex, octal, IPv4-mapped IPv6), and
 * `localhost` names.
 *
 * @example
 * ```ts
 * checkUrlTarget('https://hooks.example.com/x').ok;     // true
 * checkUrlTarget('http://0x7f.1/');                     // { ok: false, category: 'ssrf_loopback', host: '127.0.0.1', ... }
 * checkUrlTarget('http://169.254.169.254/latest/meta-data', { allowPrivateNetworks: true }).ok; // false
 * ```
 */
export function checkUrlTarget(url: string, options: CheckUrlOptions = {}): SsrfVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      category: 'invalid_url',
      host: '',
      message: `${JSON.stringify(url)} ${MESSAGES.invalid_url}`,
    };
  }
  const schemes = options.schemes ?? ['http:', 'https:'];
  if (!schemes.includes(parsed.protocol)) {
    return {
      ok: false,
      category: 'url_scheme_not_allowed',
      host: parsed.hostname,
      message: `the scheme ${parsed.protocol} is not allowed; use ${schemes.join(' or ')}`,
    };
  }
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const family = isIP(host);
  let category: SsrfCategory | undefined;
  if (family === 4 || family === 6)
    category = classifyAddress(host, family === 4 ? 'ipv4' : 'ipv6');
  else if (METADATA_NAMES.has(host)) category = 'ssrf_cloud_metadata';
  else if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === 'localhost.localdomain'
  ) {
    category = 'ssrf_localhost_name';
  }
  if (category === undefined) return { ok: true };
  if (category !== 'ssrf_cloud_metadata' && options.allowPrivateNetworks === true)
    return { ok: true };
  return { ok: false, category, host, message: `${host} ${MESSAGES[category]}` };
}
