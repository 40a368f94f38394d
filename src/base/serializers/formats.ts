import { SerializationError } from '../exceptions/index.js';

/** The formats alertbase reads and writes. */
export const FORMATS = Object.freeze(['json', 'yaml', 'xml', 'protobuf', 'msgpack'] as const);

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** The MIME type of each format, as sent in `Content-Type`. */
export const FORMAT_MIME_TYPES: Readonly<Record<Format, string>> = Object.freeze({
  json: 'application/json',
  yaml: 'application/yaml',
  xml: 'application/xml',
  protobuf: 'application/x-protobuf',
  msgpack: 'application/vnd.msgpack',
});

/** MIME types accepted on input besides the canonical ones. */
const MIME_ALIASES: ReadonlyMap<string, Format> = new Map<string, Format>(
  Object.entries({
    'application/json': 'json',
    'text/json': 'json',
    'application/x-ndjson': 'json',
    'application/yaml': 'yaml',
    'application/x-yaml': 'yaml',
    'text/yaml': 'yaml',
    'text/x-yaml': 'yaml',
    'application/xml': 'xml',
    'text/xml': 'xml',
    'application/x-protobuf': 'protobuf',
    'application/protobuf': 'protobuf',
    'application/vnd.google.protobuf': 'protobuf',
    'application/vnd.msgpack': 'msgpack',
    'application/msgpack': 'msgpack',
    'application/x-msgpack': 'msgpack',
  } satisfies Record<string, Format>) as [string, Format][],
);

const formatOfMime = (mime: string): Format | undefined =>
  MIME_ALIASES.get(mime) ?? (mime.endsWith('+json') ? 'json' : undefined);

/** File extensions of each format (without the dot), the first being the one written. */
export const FORMAT_EXTENSIONS: Readonly<Record<Format, readonly string[]>> = Object.freeze({
  json: ['json', 'ndjson', 'jsonl'],
  yaml: ['yaml', 'yml'],
  xml: ['xml'],
  protobuf: ['pb', 'bin', 'protobuf'],
  msgpack: ['msgpack', 'mpk'],
});

/** Is this string a {@link Format}? */
export function isFormat(value: unknown): value is Format {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

/**
 * The format of a name given by a user (`json`, `yml`, `protobuf`, `pb`, ...).
 * @throws SerializationError `ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT`.
 */
export function parseFormat(name: string): Format {
  const lower = name.trim().toLowerCase().replace(/^\./, '');
  if (isFormat(lower)) return lower;
  for (const format of FORMATS) if (FORMAT_EXTENSIONS[format].includes(lower)) return format;
  throw new SerializationError('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT', {
    format: name,
    supported: FORMATS.join(', '),
  });
}

/**
 * The format of a file from its extension (`alerts.yml` → `yaml`; a trailing
 * `.gz` or `.br` is looked through), or `undefined`.
 */
export function formatFromPath(path: string): Format | undefined {
  const parts = path.toLowerCase().split('/').pop()?.split('.') ?? [];
  let ext = parts.pop();
  if ((ext === 'gz' || ext === 'br') && parts.length > 1) ext = parts.pop();
  if (ext === undefined || parts.length === 0) return undefined;
  for (const format of FORMATS) if (FORMAT_EXTENSIONS[format].includes(ext)) return format;
  return undefined;
}

/**
 * The format of a `Content-Type` header value (parameters ignored).
 * @throws SerializationError `ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT` (HTTP 415).
 *
 * @example
 * ```ts
 * formatFromMimeType('application/json; charset=utf-8'); // 'json'
 * ```
 */
export function formatFromMimeType(contentType: string): Format {
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const format = formatOfMime(mime);
  if (format === undefined) {
    throw new SerializationError('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT', {
      format: contentType,
      supported: Object.values(FORMAT_MIME_TYPES).join(', '),
    });
  }
  return format;
}

/**
 * Content negotiation: the format to answer an `Accept` header with, by
 * quality then by the order of `available` (default: every format, JSON
 * first). An absent or empty header, and `*\/*`, give the first available.
 * @throws SerializationError `ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE` (HTTP 406).
 *
 * @example
 * ```ts
 * negotiateFormat('application/x-protobuf;q=0.9, application/json'); // 'json'
 * ```
 */
export function negotiateFormat(
  accept: string | undefined,
  available: readonly Format[] = FORMATS,
): Format {
  const first = available[0];
  if (first === undefined) {
    throw new SerializationError('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE', {
      accept: accept ?? '',
      supported: '',
    });
  }
  if (accept === undefined || accept.trim() === '') return first;
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { range, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.range !== '' && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { range } of ranges) {
    if (range === '*/*' || range === 'application/*') return first;
    const format = formatOfMime(range);
    if (format !== undefined && available.includes(format)) return format;
  }
  throw new SerializationError('ALERTBASE_SERIALIZATION_NOT_ACCEPTABLE', {
    accept,
    supported: available.map((f) => FORMAT_MIME_TYPES[f]).join(', '),
  });
}
