/**
 * What the end-to-end suites share: a `describe` that needs a binary (fails
 * in CI without it, skips with a printed reason elsewhere) and alertbase
 * listening on a real loopback socket over a fresh test database, with a
 * tenant and its keys.
 */
import { describe, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { createRepositories, createTestDatabase } from '../../src/storage/index.js';
import { findBinary } from './processes.js';

/**
 * `describe` for a suite that runs a real binary: `fn` gets its absolute path.
 * When it is absent the suite fails in CI (`CI=true`) and is skipped elsewhere,
 * with the reason printed (vitest swallows console output; stderr is written
 * directly).
 */
export async function describeWithBinary(
  name: string,
  binary: string,
  fn: (path: string) => void,
): Promise<void> {
  const path = await findBinary(binary);
  if (path !== undefined) {
    describe(name, () => fn(path));
    return;
  }
  const reason = `\`${binary}\` is not installed (the Debian package of that name; .ci/run installs it)`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${binary}`, () => {
        throw new Error(`${reason}; CI=true requires it`);
      });
    });
    return;
  }
  process.stderr.write(`[alertbase e2e] skipping "${name}": ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, () => fn(binary));
}

/** The tenant every end-to-end suite creates. */
export const E2E_TENANT = 'e2e';

/** alertbase on a loopback socket, with the `e2e` tenant and two of its keys. */
export interface E2eAlertbase {
  readonly server: RunningServer;
  readonly url: string;
  readonly port: number;
  /** A `responder` key: what Prometheus and Alertmanager send with (ingest). */
  readonly ingestKey: string;
  /** A `viewer` key: what the tests read with. */
  readonly readKey: string;
  /** An `editor` key: silences and inhibition rules. */
  readonly editorKey: string;
  close(): Promise<void>;
}

/**
 * Starts alertbase on 127.0.0.1:0 over a fresh test database (PGlite in
 * memory), configured by `env` (default none).
 */
export async function startAlertbase(
  env: Readonly<Record<string, string>> = {},
): Promise<E2eAlertbase> {
  const { config } = await loadConfig({ env, cwd: '/nonexistent-alertbase-e2e' });
  const db = await createTestDatabase();
  const server = await startServer({
    config,
    env: {},
    port: 0,
    host: '127.0.0.1',
    database: db,
    logger: false,
    demoTenant: false,
    print: () => {},
    handleSignals: false,
  });
  try {
    const repos = createRepositories(db);
    await repos.tenants.create({ id: E2E_TENANT, name: 'End to end', tier: 'enterprise' }, 'e2e');
    const ingest = await repos.apiKeys.issue(
      E2E_TENANT,
      { name: 'sender', role: 'responder' },
      'e2e',
    );
    const read = await repos.apiKeys.issue(E2E_TENANT, { name: 'reader', role: 'viewer' }, 'e2e');
    const editor = await repos.apiKeys.issue(E2E_TENANT, { name: 'editor', role: 'editor' }, 'e2e');
    return {
      server,
      url: server.url,
      port: server.port,
      ingestKey: ingest.key,
      readKey: read.key,
      editorKey: editor.key,
      close: () => server.close(),
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** An alert as `GET /v1/alerts` returns it (wire form: snake_case). */
export interface WireAlert {
  readonly id: string;
  readonly tenant_id: string;
  readonly fingerprint: string;
  readonly status: string;
  readonly level: string;
  readonly priority: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly starts_at: string;
  readonly ends_at: string | null;
  readonly generator_url: string | null;
  readonly duplicate_count: number;
}

/** `GET /v1/alerts?<query>` with the read key; the items. */
export async function listAlerts(ab: E2eAlertbase, query: string): Promise<WireAlert[]> {
  const res = await fetch(`${ab.url}/v1/alerts?${query}`, {
    headers: { authorization: `Bearer ${ab.readKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`GET /v1/alerts answered ${res.status}`);
  const body = (await res.json()) as { items: WireAlert[] };
  return body.items;
}
