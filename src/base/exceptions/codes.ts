/**
 * The one registry of alertbase error codes.
 *
 * Every error alertbase raises carries one of these codes. A code is stable:
 * callers (and tests) match on it, never on message text. Each entry gives the
 * HTTP status the error maps to and a message template whose `{name}`
 * placeholders are filled from the error's `context`.
 *
 * `docs/errors.md` is generated from this table (`npm run docs:errors`).
 */

/** One entry of the registry. */
export interface ErrorCodeSpec {
  /** HTTP status used when the error crosses an HTTP boundary. */
  readonly status: number;
  /** Short, constant summary (the RFC 9457 `title`). */
  readonly title: string;
  /** Message template; `{key}` is replaced by `context[key]`. */
  readonly template: string;
}

/** @internal keeps the literal keys while checking each entry's shape. */
const defineCodes = <const T extends Record<`ALERTBASE_${string}`, ErrorCodeSpec>>(codes: T): T =>
  codes;

/** The registry: code → status, title and message template. */
export const ERROR_CODES = defineCodes({
  ALERTBASE_VALIDATION_FAILED: {
    status: 422,
    title: 'Validation failed',
    template: '{model} is invalid: {summary}',
  },
  ALERTBASE_VALIDATION_BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    template: '{model} is invalid: {summary}',
  },
  ALERTBASE_VALIDATION_UNKNOWN_VALUE: {
    status: 422,
    title: 'Unknown enumeration value',
    template: '{value} is not a valid {enum}; expected one of: {allowed}',
  },
  ALERTBASE_MODEL_DEFINITION_INVALID: {
    status: 500,
    title: 'Invalid model definition',
    template: 'model {model} cannot be defined: {reason}',
  },
  ALERTBASE_MODEL_NOT_REGISTERED: {
    status: 404,
    title: 'Unknown model',
    template: 'no model named {model}; registered models: {known}',
  },
  ALERTBASE_STATUS_INVALID_TRANSITION: {
    status: 409,
    title: 'Invalid status transition',
    template: 'cannot {action} an alert that is {from}; allowed actions: {allowed}',
  },
  ALERTBASE_RESOURCE_NOT_FOUND: {
    status: 404,
    title: 'Resource not found',
    template: '{resource} {id} was not found',
  },
  ALERTBASE_RESOURCE_VERSION_CONFLICT: {
    status: 409,
    title: 'Version conflict',
    template: '{resource} {id} is at version {currentVersion}, not {expectedVersion}',
  },
  ALERTBASE_RESOURCE_PRECONDITION_FAILED: {
    status: 412,
    title: 'Precondition failed',
    template:
      '{resource} {id} is at version {currentVersion}, not the version {expectedVersion} named by If-Match',
  },
  ALERTBASE_RESOURCE_ALREADY_EXISTS: {
    status: 409,
    title: 'Resource already exists',
    template: '{resource} {id} already exists',
  },
  ALERTBASE_TENANT_ISOLATION: {
    status: 403,
    title: 'Cross-tenant access refused',
    template: 'tenant {callerTenant} cannot access data of tenant {targetTenant}',
  },
  ALERTBASE_TENANT_QUOTA_EXCEEDED: {
    status: 403,
    title: 'Tenant quota exceeded',
    template: 'tenant {tenantId} on tier {tier} may have at most {limit} {quota}',
  },
  ALERTBASE_RATE_LIMITED: {
    status: 429,
    title: 'Rate limited',
    template: 'rate limit of {limit} per {window} exceeded; retry after {retryAfterSeconds}s',
  },
  ALERTBASE_SERIALIZATION_FAILED: {
    status: 400,
    title: 'Malformed body',
    template: 'cannot decode {format}: {reason}',
  },
  ALERTBASE_SERIALIZATION_TOO_LARGE: {
    status: 413,
    title: 'Body too large',
    template: '{format} input exceeds the limit of {limit} {unit}',
  },
  ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING: {
    status: 400,
    title: 'Excessive aliasing',
    template:
      '{format} document contains excessive aliasing: its aliases and merge keys copy more than {limit} nodes (line {line}, column {column})',
  },
  ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT: {
    status: 415,
    title: 'Unsupported format',
    template: '{format} is not a supported format; supported: {supported}',
  },
  ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not acceptable',
    template: 'cannot produce any of {accept}; available: {supported}',
  },
  ALERTBASE_SECURITY_VIOLATION: {
    status: 400,
    title: 'Security policy violation',
    template: '{reason}',
  },
  ALERTBASE_SECURITY_DECRYPTION_FAILED: {
    status: 500,
    title: 'Stored secret cannot be decrypted',
    template: 'a stored secret ({where}) cannot be decrypted: {reason}',
  },
  ALERTBASE_SECURITY_ENCRYPTION_UNAVAILABLE: {
    status: 500,
    title: 'No encryption key ring',
    template: 'secrets cannot be stored or read: {reason}',
  },
  ALERTBASE_AUTH_UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    template: '{reason}',
  },
  ALERTBASE_AUTH_LAST_OWNER_KEY: {
    status: 409,
    title: 'Last owner key',
    template:
      'refusing to {action} key {id}: it is the last usable owner key of tenant {tenantId}; issue another owner key first (a platform administrator can: alertbase admin owner-key --tenant {tenantId})',
  },
  ALERTBASE_AUTH_SESSION_REQUIRED: {
    status: 403,
    title: 'A person’s session is required',
    template: '{action} needs a person logged in (POST /v1/auth/login); {credential} is not one',
  },
  ALERTBASE_AUTH_FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    template: 'role {role} may not {action}',
  },
  ALERTBASE_CONFIG_INVALID: {
    status: 500,
    title: 'Invalid configuration',
    template: '{source}: {reason}',
  },
  ALERTBASE_STORAGE_QUERY_FAILED: {
    status: 500,
    title: 'Database query failed',
    template: 'query failed with SQLSTATE {sqlState}: {reason}',
  },
  ALERTBASE_STORAGE_URL_INVALID: {
    status: 500,
    title: 'Invalid database URL',
    template: 'cannot open database {url}: {reason}',
  },
  ALERTBASE_STORAGE_DRIVER_UNAVAILABLE: {
    status: 500,
    title: 'Database driver unavailable',
    template: 'the {driver} driver could not be loaded: {reason}',
  },
  ALERTBASE_STORAGE_CLOSED: {
    status: 503,
    title: 'Database closed',
    template: 'the {what} is closed',
  },
  ALERTBASE_STORAGE_TENANT_REQUIRED: {
    status: 500,
    title: 'Tenant required',
    template: 'a tenant-scoped operation needs a tenant id: {reason}',
  },
  ALERTBASE_STORAGE_MIGRATION_CHECKSUM: {
    status: 500,
    title: 'Applied migration changed',
    template:
      'migration {id} ({name}) was changed after it was applied: applied checksum {applied}, current {current}',
  },
  ALERTBASE_STORAGE_MIGRATION_UNKNOWN: {
    status: 500,
    title: 'Unknown applied migration',
    template: 'the database has migration {id} ({name}) that this version does not know',
  },
  ALERTBASE_STORAGE_MIGRATION_FAILED: {
    status: 500,
    title: 'Migration failed',
    template: 'migration {id} ({name}) failed: {reason}',
  },
  ALERTBASE_STORAGE_CURSOR_INVALID: {
    status: 400,
    title: 'Invalid page cursor',
    template: 'the page cursor cannot be used: {reason}',
  },
  ALERTBASE_STORAGE_DATA_DIR_LOCKED: {
    status: 409,
    title: 'Data directory in use',
    template:
      'the data directory {dataDir} is in use by {holder} (pid {pid}, lock file {lockFile}): {advice}',
  },
  ALERTBASE_STORAGE_UNAVAILABLE: {
    status: 503,
    title: 'Database unavailable',
    template: 'the database is unavailable or too slow ({reason}); retry later',
  },
  ALERTBASE_STORAGE_SERIES_UNAVAILABLE: {
    status: 503,
    title: 'Time-series store unavailable',
    template: 'the time-series store ({engine}) is unavailable ({reason}); retry later',
  },
  ALERTBASE_STORAGE_ARCHIVE_UNAVAILABLE: {
    status: 503,
    title: 'Payload archive unavailable',
    template: 'the payload archive ({engine}) is unavailable ({reason}); retry later',
  },
  ALERTBASE_STORAGE_SERIES_REFUSED: {
    status: 500,
    title: 'Time-series store refused',
    template: 'the time-series store ({engine}) refused the request: {reason}',
  },
  ALERTBASE_STORAGE_POINT_INVALID: {
    status: 422,
    title: 'Invalid time-series point',
    template: 'a point cannot be written as line protocol: {reason}',
  },
  ALERTBASE_STORAGE_DISK_FULL: {
    status: 503,
    title: 'Disk full',
    template:
      'the disk of the data directory {dataDir} has {freeMb} MiB free, less than the {reserveMb} MiB PGlite needs to write safely: free space (nothing acknowledged is lost; the service serves again by itself)',
  },
  ALERTBASE_STORAGE_BACKUP_FAILED: {
    status: 409,
    title: 'Backup or restore failed',
    template: '{what} failed: {reason}',
  },
  ALERTBASE_STORAGE_ARCHIVE_INVALID: {
    status: 400,
    title: 'Invalid tenant archive',
    template: 'the tenant archive cannot be imported: {reason}',
  },
  ALERTBASE_SERVER_SHUTTING_DOWN: {
    status: 503,
    title: 'Shutting down',
    template: 'this server is shutting down; retry against another instance or once it is back',
  },
  ALERTBASE_STORAGE_ISOLATION_UNSAFE: {
    status: 500,
    title: 'Tenant isolation is not enforced',
    template: 'refusing to serve: {reason}',
  },
  ALERTBASE_DELIVERY_HTTP_STATUS: {
    status: 502,
    title: 'The receiver refused the notification',
    template: 'the receiver answered HTTP {status}{detail}',
  },
  ALERTBASE_DELIVERY_SMTP_REPLY: {
    status: 502,
    title: 'The mail server refused the notification',
    template: 'the mail server answered {status}: {detail}',
  },
  ALERTBASE_DELIVERY_TIMEOUT: {
    status: 504,
    title: 'Delivery timed out',
    template: 'no answer within {timeoutMs} ms',
  },
  ALERTBASE_DELIVERY_ABORTED: {
    status: 503,
    title: 'Delivery aborted',
    template: 'the delivery was aborted before it ended',
  },
  ALERTBASE_DELIVERY_NETWORK: {
    status: 502,
    title: 'The receiver could not be reached',
    template: 'the receiver could not be reached: {reason}',
  },
  ALERTBASE_DELIVERY_DESTINATION_REFUSED: {
    status: 422,
    title: 'Destination not allowed',
    template: 'refusing to connect: {reason}',
  },
  ALERTBASE_DELIVERY_CONFIG: {
    status: 422,
    title: 'Channel cannot send as configured',
    template: 'the channel cannot send: {reason}',
  },
  ALERTBASE_SERVER_OVERLOADED: {
    status: 503,
    title: 'Server overloaded',
    template:
      'the server holds {usedMb} MiB, past MAX_MEMORY_USAGE_MB ({limitMb} MiB); retry after {retryAfterSeconds}s',
  },
  ALERTBASE_INTERNAL: {
    status: 500,
    title: 'Internal error',
    template: 'internal error: {reason}',
  },
});

/** Every registered error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of one area, e.g. `CodesOf<'SERIALIZATION'>`. */
export type CodesOf<Area extends string> = Extract<ErrorCode, `ALERTBASE_${Area}_${string}`>;

/** The registry entry of a code. */
export function specOf(code: ErrorCode): ErrorCodeSpec {
  return ERROR_CODES[code];
}

/**
 * Fills a template's `{key}` placeholders from `context`. A missing key is
 * left as `{key}` so a faulty call shows up instead of printing `undefined`.
 */
export function renderTemplate(
  template: string,
  context: Readonly<Record<string, unknown>>,
): string {
  const parts = templateParts(template);
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] as string;
    out += Object.hasOwn(context, key) ? placeholderText(context[key]) : `{${key}}`;
    out += parts[i + 1] as string;
  }
  return out;
}

function placeholderText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

// Templates split once at their placeholders: text, key, text, key, ..., text.
// (A failed parse renders one per call; the regular expression was most of it.)
const splitTemplates = new Map<string, readonly string[]>();

function templateParts(template: string): readonly string[] {
  let parts = splitTemplates.get(template);
  if (parts === undefined) {
    parts = template.split(/\{([a-zA-Z0-9_]+)\}/);
    // Templates are the registry's (a fixed set); a caller's own is not kept.
    if (splitTemplates.size < 1_000) splitTemplates.set(template, parts);
  }
  return parts;
}
