import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

/** Admin URL of the PostgreSQL server the server tests use. */
export const SERVER_ADMIN_URL =
  process.env.ALERTBASE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether the server answers, and why not when it does not. */
export type ServerProbe = { readonly ok: true } | { readonly ok: false; readonly reason: string };

async function probe(): Promise<ServerProbe> {
  const client = new pg.Client({
    connectionString: SERVER_ADMIN_URL,
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      reason: `PostgreSQL at ${SERVER_ADMIN_URL} is unavailable (${err instanceof Error ? err.message : String(err)})`,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Probed once per test file. */
export const server: ServerProbe = await probe();

/**
 * `describe` for tests that need the server: when it is absent they fail in
 * CI (`CI=true`) and are skipped elsewhere, with the reason printed.
 */
export function describeWithServer(name: string, fn: () => void): void {
  if (server.ok) {
    describe(name, fn);
    return;
  }
  const { reason } = server;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs the PostgreSQL server', () => {
        throw new Error(`${reason}; CI=true requires it`);
      });
    });
    return;
  }
  // vitest swallows console output here (onConsoleLog); write the reason directly.
  process.stderr.write(`[alertbase] skipping "${name}": ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, fn);
}

/** A URL with another database name. */
export function withDatabase(url: string, database: string, user?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user !== undefined) parsed.username = user;
  return parsed.toString();
}

/** Runs SQL as the server admin. */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: SERVER_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A random lowercase suffix for names that must not collide between runs. */
export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/** A fresh, empty database on the server, dropped by `drop()`. */
export interface ServerDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `alertbase_test_<random>` so concurrent runs never collide. */
export async function createServerDatabase(): Promise<ServerDatabase> {
  const name = `alertbase_test_${randomSuffix()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: withDatabase(SERVER_ADMIN_URL, name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
