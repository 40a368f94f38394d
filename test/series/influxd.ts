/**
 * A real InfluxDB 1.x (`influxd`, Debian's package `influxdb`) for the
 * series tests and the benchmark: on free loopback ports, its data in a
 * temporary directory, stopped by its pid. No vitest here, so `bench/` can
 * use it too.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  freePort,
  type RunningProcess,
  startProcess,
  type TempDir,
  tempDir,
  waitFor,
} from '../e2e/processes.js';

/** The binary of Debian's `influxdb` package. */
export const INFLUXD_BIN = 'influxd';

/** A running influxd. */
export interface RunningInfluxd {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly process: RunningProcess;
  /** Stops it (SIGTERM, then SIGKILL), keeping its directory: `start()` again resumes on the same data and port. */
  stop(): Promise<void>;
  /** Starts it again after `stop()` (same port, same data). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

function configOf(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  wal-fsync-delay = "100ms"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[continuous_queries]
  enabled = false
`;
}

/** Starts `influxd` with a fresh directory on free loopback ports. */
export async function startInfluxd(bin: string): Promise<RunningInfluxd> {
  const dir: TempDir = await tempDir('influxd');
  const port = await freePort();
  const rpc = await freePort();
  const config = join(dir.path, 'influxdb.conf');
  await writeFile(config, configOf(dir.path, port, rpc));
  const url = `http://127.0.0.1:${port}`;
  let proc: RunningProcess;
  const start = async (): Promise<void> => {
    proc = startProcess(bin, ['-config', config], dir.path);
    await waitFor(
      `influxd at ${url}`,
      async () => {
        if (proc.exited()) throw new Error('influxd exited');
        const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        return res.status === 204 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, log: () => proc.log() },
    );
  };
  await start();
  return {
    url,
    port,
    get process() {
      return proc;
    },
    stop: () => proc.stop(),
    start,
    async close() {
      await proc.stop();
      await dir.remove();
    },
  };
}
