import { type Logger, pino } from 'pino';
import { prettyLogLine } from './pretty-log.js';

/**
 * Paths pino replaces with `[redacted]` in every log line, whatever logs
 * them: credentials in headers, and fields named like secrets. The request
 * log itself never logs headers or query strings; this is the net under it.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.token',
  '*.secret',
  '*.databaseUrl',
  '*.redisUrl',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level; default `info`. */
  readonly level?: string | undefined;
  /** One human-readable line per entry instead of JSON (for a terminal). Default false. */
  readonly pretty?: boolean | undefined;
  /** Where lines go; default stdout. */
  readonly write?: ((line: string) => unknown) | undefined;
}

/**
 * alertbase's logger: pino JSON lines with {@link LOG_REDACT_PATHS}
 * redacted, or readable lines when `pretty` (use it when stdout is a
 * terminal).
 *
 * @example
 * ```ts
 * const log = createLogger({ pretty: process.stdout.isTTY === true });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const pretty = options.pretty === true;
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
    },
    { write: (line: string) => write(pretty ? prettyLogLine(line) : line) },
  );
}
