/** pino's numeric levels, by name. */
const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields shown in the head of the line, not repeated after it. */
const HEAD = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);

/** Longest value shown of one field: a log line stays one screen line or so. */
const MAX_VALUE = 200;

/**
 * One pino JSON line as a readable line: `HH:MM:SS.mmm LEVEL [reqId] msg
 * key=value ...` (an error's stack on the following lines). A line that is
 * not JSON is passed through.
 *
 * @example
 * ```ts
 * prettyLogLine('{"level":30,"time":0,"msg":"hi","reqId":"r1","status":200}\n');
 * // '00:00:00.000 INFO  [r1] hi status=200\n'
 * ```
 */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const time =
    typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const id = entry.reqId === undefined ? '' : ` [${String(entry.reqId)}]`;
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (HEAD.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: unknown; stack?: unknown };
      fields.push(`err=${JSON.stringify(String(err.message ?? ''))}`);
      if (typeof err.stack === 'string') stack = `\n    ${err.stack.split('\n').join('\n    ')}`;
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const shown = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
    fields.push(`${key}=${/[\s"]/.test(shown) ? JSON.stringify(shown) : shown}`);
  }
  const msg = typeof entry.msg === 'string' ? ` ${entry.msg}` : '';
  return `${time} ${level}${id}${msg}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}
