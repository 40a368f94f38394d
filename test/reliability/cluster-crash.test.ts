/**
 * The PostgreSQL server itself crashes mid-ingest (`pg_ctlcluster … stop -m
 * immediate` on a cluster of the test's own) and is started again: while it
 * is down requests get 503 with Retry-After and `/health/ready` fails; once
 * it is back the service serves again without a restart, and every
 * acknowledged alert is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { openDatabase } from '../../src/storage/index.js';
import { expectNothingLost, expectRetryable, ready, serve, TIMEOUT_MS } from './fault-helpers.js';
import { sleep, startIngestLoad } from './ingest-load.js';
import { createOwnCluster, type OwnCluster, ownClusterUnavailable } from './own-cluster.js';

const unavailable = ownClusterUnavailable();

function describeWithCluster(name: string, fn: () => void): void {
  if (unavailable === undefined) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a PostgreSQL cluster of its own', () => {
        throw new Error(`${unavailable}; CI=true requires it`);
      });
    });
  } else {
    process.stderr.write(`[alertbase] skipping "${name}": ${unavailable}\n`);
    describe.skip(`${name} (skipped: ${unavailable})`, fn);
  }
}

describeWithCluster('the PostgreSQL server crashes mid-ingest and comes back', () => {
  let cluster: OwnCluster;
  let server: RunningServer;
  let key: string;
  beforeAll(async () => {
    cluster = await createOwnCluster();
    const db = await openDatabase({ url: cluster.url });
    await db.close();
    ({ server, key } = await serve(cluster.url));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await cluster?.drop();
  }, 60_000);

  it('answers 503 + Retry-After while it is down, recovers without a restart, loses nothing', async () => {
    const name = 'Crash';
    const load = startIngestLoad({ url: server.url, key, writers: 6, name, pauseMs: 5 });
    await sleep(800);
    await cluster.crash();
    const crashedAt = performance.now();
    // Down for as long as it takes (a loaded machine answers slower) to see
    // requests sent after the crash answered while the server is still down.
    const answeredDown = () =>
      load.outcomes.filter((o) => o.sentAt > crashedAt && o.status !== 200).length;
    for (let i = 0; i < 200 && answeredDown() < 3; i++) await sleep(100);
    expect(await ready(server.url)).toBe(503);
    const restartAt = performance.now();
    await cluster.start();
    let readyAgain = 0;
    for (let i = 0; i < 100 && readyAgain !== 200; i++) {
      readyAgain = await ready(server.url);
      if (readyAgain !== 200) await sleep(100);
    }
    expect(readyAgain).toBe(200);
    const backAt = performance.now();
    await sleep(800);
    await load.stop();

    const all = load.outcomes;
    // Never a 500 or a dropped connection: 200 or 503 only, each within bounded time.
    expect([...new Set(all.map((o) => o.status))].sort()).toEqual([200, 503]);
    expectRetryable(all.filter((o) => o.status === 503));
    expect(Math.max(...all.map((o) => o.answeredAt - o.sentAt))).toBeLessThan(TIMEOUT_MS * 4);
    const down = all.filter((o) => o.sentAt > crashedAt && o.answeredAt < restartAt);
    expect(down.length).toBeGreaterThan(0);
    expect(down.every((o) => o.status === 503)).toBe(true);
    expect(all.some((o) => o.status === 200 && o.sentAt > backAt)).toBe(true);
    await expectNothingLost(cluster.url, load, name);
  }, 120_000);
});
