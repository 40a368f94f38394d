/**
 * One app and one database per test file: tenants `acme` and `globex`, a
 * key of every role in `acme`, an owner key in `globex`, and a request
 * helper that speaks every format.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/base/enums/index.js';
import {
  FORMAT_MIME_TYPES,
  type Format,
  UniversalSerializer,
} from '../../src/base/serializers/index.js';
import { loadConfig } from '../../src/config/index.js';
import { auditKeysOf, FieldCipher, KeyRing } from '../../src/security/index.js';
import { type BuildAppOptions, buildApp } from '../../src/server/app.js';
import { createTestDatabase, type Database } from '../../src/storage/index.js';
import { createRepositories, type Repositories } from '../../src/storage/repositories/index.js';

/** The platform administrator key of every test app. */
export const ADMIN_KEY = 'test-platform-admin-key';

/** A test app and its fixtures. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly repos: Repositories;
  /** The key ring the app encrypts channel secrets with (`repos` uses it too). */
  readonly keyRing: KeyRing;
  /** Keys of `acme` by role. */
  readonly keys: Readonly<Record<Role, string>>;
  /** The owner key of `globex`. */
  readonly otherKey: string;
  close(): Promise<void>;
}

/** Builds the app over a fresh test database, with two tenants and their keys. */
export async function setup(options: Partial<BuildAppOptions> = {}): Promise<TestApp> {
  return setupOn(await createTestDatabase(), options);
}

/** Builds the app and its fixtures over `db` (any engine); `close()` closes both. */
export async function setupOn(
  db: Database,
  options: Partial<BuildAppOptions> = {},
): Promise<TestApp> {
  const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
  const keyRing = options.keyRing ?? KeyRing.generate('test1');
  const app = await buildApp({ db, config, adminKeys: [ADMIN_KEY], ...options, keyRing });
  const repos = createRepositories(db, {
    cipher: new FieldCipher(keyRing),
    auditKeys: auditKeysOf(keyRing),
  });
  // The enterprise tier: test files create more than the free tier's 50 rules and 3 channels.
  await repos.tenants.create({ id: 'acme', name: 'Acme', tier: 'enterprise' }, 'test');
  await repos.tenants.create({ id: 'globex', name: 'Globex', tier: 'enterprise' }, 'test');
  const keys = {} as Record<Role, string>;
  for (const role of ['owner', 'admin', 'editor', 'responder', 'viewer'] as const) {
    keys[role] = (await repos.apiKeys.issue('acme', { name: role, role }, 'test')).key;
  }
  const otherKey = (await repos.apiKeys.issue('globex', { name: 'owner', role: 'owner' }, 'test'))
    .key;
  return {
    app,
    db,
    repos,
    keyRing,
    keys,
    otherKey,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** Options of {@link call}. */
export interface CallOptions {
  /** The API key; `null` sends none. */
  readonly key?: string | null;
  /** A body, encoded in `format`. */
  readonly body?: unknown;
  /** The request body's format (default JSON). */
  readonly format?: Format;
  /** Raw bytes or text to send as the body, with `contentType`. */
  readonly raw?: string | Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The client's address (default 127.0.0.1). */
  readonly remoteAddress?: string;
}

/** A response with its body decoded by its content type. */
export interface CallResult {
  readonly status: number;
  readonly headers: LightMyRequestResponse['headers'];
  /** The decoded body (problem details for errors). */
  readonly body: Record<string, unknown> & { items?: Record<string, unknown>[] };
  readonly raw: LightMyRequestResponse;
}

/** Sends one request through `inject`, encoding and decoding bodies. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null && options.key !== undefined)
    headers.authorization = `Bearer ${options.key}`;
  if (options.accept !== undefined) headers.accept = options.accept;
  let payload: string | Buffer | undefined;
  if (options.raw !== undefined) {
    payload = typeof options.raw === 'string' ? options.raw : Buffer.from(options.raw);
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  } else if (options.body !== undefined) {
    const format = options.format ?? 'json';
    payload = Buffer.from(UniversalSerializer.encode(options.body, format));
    headers['content-type'] = options.contentType ?? FORMAT_MIME_TYPES[format];
  }
  const raw = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
    ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
  });
  return { status: raw.statusCode, headers: raw.headers, body: decode(raw), raw };
}

/** Decodes a response body by its content type. */
export function decode(raw: LightMyRequestResponse): CallResult['body'] {
  const type = String(raw.headers['content-type'] ?? '');
  if (raw.rawPayload.byteLength === 0) return {};
  const mime = type.split(';')[0]?.trim() ?? '';
  const format = (Object.entries(FORMAT_MIME_TYPES).find(([, m]) => m === mime)?.[0] ??
    (mime === 'application/problem+json' ? 'json' : undefined)) as Format | undefined;
  if (format === undefined) return { text: raw.body };
  return UniversalSerializer.decode(raw.rawPayload, format) as CallResult['body'];
}

/** A valid alert rule body. */
export const RULE = Object.freeze({
  name: 'High CPU',
  level: 'high',
  priority: 'p2',
  condition: 'cpu_usage > 80',
  for: '5m',
  labels: { team: 'infra' },
});
