/**
 * A PostgreSQL cluster of a test's own (Debian's `pg_createcluster` on a free
 * loopback port, trust authentication), so that a test can stop it with
 * `pg_ctlcluster … stop -m immediate` — a crash of the server — without
 * touching the shared one. Needs the cluster tools and the right to run them
 * (root, as in CI).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A cluster of the test's own. */
export interface OwnCluster {
  /** The `postgres` database as the superuser. */
  readonly url: string;
  /** `pg_ctlcluster stop -m immediate`: the server dies without a checkpoint. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes it. */
  drop(): Promise<void>;
}

/** Why no cluster can be made here, or `undefined` when one can. */
export function ownClusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating a PostgreSQL cluster needs root';
  try {
    if (readdirSync('/etc/postgresql').length === 0) return 'no PostgreSQL version is installed';
  } catch {
    return 'Debian’s postgresql-common is not installed';
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Creates and starts a cluster on a free port. */
export async function createOwnCluster(): Promise<OwnCluster> {
  const version = readdirSync('/etc/postgresql').sort().at(-1) as string;
  const name = `alertbase_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const ctl = (...args: string[]) =>
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, ...args]);
  await run('pg_createcluster', [
    version,
    name,
    '-p',
    String(port),
    '--',
    '--auth=trust',
    '--no-sync',
  ]);
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: async () => {
      await ctl('stop', '-m', 'immediate');
    },
    start: async () => {
      await ctl('start');
    },
    drop: async () => {
      await run('pg_dropcluster', [version, name, '--stop']);
    },
  };
}
