/** The public HTTP API, as the console calls it: a bearer credential kept for the tab only. */

const CREDENTIAL = 'alertbase.credential';

/** The credential (an API key or a session token) of this tab, if logged in. */
export function credential(): string | null {
  return sessionStorage.getItem(CREDENTIAL);
}

/** Keeps (or forgets, with `null`) the credential of this tab. */
export function setCredential(value: string | null): void {
  if (value === null) sessionStorage.removeItem(CREDENTIAL);
  else sessionStorage.setItem(CREDENTIAL, value);
  window.dispatchEvent(new Event('alertbase:credential'));
}

/** An RFC 9457 problem answered by the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`);
  }
}

/** Calls the API; JSON in and out (a `Blob` body is sent as YAML); a 401 logs the tab out. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  as: string | null = credential(),
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = as;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const raw = body instanceof Blob;
  if (body !== undefined) headers['content-type'] = raw ? 'application/yaml' : 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text === '' ? undefined : JSON.parse(text);
  if (!res.ok) {
    const problem = (typeof data === 'object' && data !== null ? data : {}) as Record<
      string,
      unknown
    >;
    if (res.status === 401 && token !== null && token === credential()) setCredential(null);
    throw new ApiError(res.status, String(problem.code ?? res.status), problem);
  }
  return data as T;
}

/** A query string from the defined values (arrays repeat the parameter). */
export function qs(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    for (const one of typeof v === 'string' ? [v] : v) search.append(k, one);
  }
  const s = search.toString();
  return s === '' ? '' : `?${s}`;
}

/** What `GET /v1/auth/me` answers. */
export interface Me {
  readonly tenant_id: string;
  readonly role: string;
  readonly actor: string;
  readonly user: { readonly email: string } | null;
}

/** An alert in wire form (the fields the console shows). */
export interface Alert {
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly level: string;
  readonly priority: string;
  readonly status: string;
  readonly starts_at: string;
  readonly ends_at: string | null;
  readonly generator_url: string | null;
  readonly fingerprint: string;
  readonly acknowledged_by: string | null;
  readonly silenced_by: readonly string[];
  readonly version: number;
}

/** A page of a list endpoint. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}
