/**
 * `GET /v1/stats/alerts` through the service: from PostgreSQL by default,
 * from InfluxDB when INFLUXDB_URL is set (a real influxd), and a dead or
 * killed InfluxDB never failing the service: readiness says `warn`, points
 * are buffered then dropped and counted, writes resume when it returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { freePort, waitFor } from '../e2e/processes.js';
import { call, setupOn, type TestApp } from '../server/helpers.js';
import { INFLUXD_BIN, type RunningInfluxd, startInfluxd } from './influxd.js';

// An hour ago, but never before today's UTC midnight: an alert's `created`
// point is counted at its start and its acknowledgement and resolution now,
// and the daily buckets asked for below must hold all three in one row (run
// in the first hour of a UTC day, an hour ago was yesterday's bucket).
const startsAt = new Date(Math.max(Date.now() - 3_600_000, new Date().setUTCHours(0, 0, 0, 0)));
const alert = (name: string, level = 'high') => ({
  labels: { alertname: name, job: 'api' },
  level,
  priority: 'P2',
  startsAt: startsAt.toISOString(),
});

async function appWith(env: Record<string, string>): Promise<TestApp> {
  const { config } = await loadConfig({
    env: { SERIES_FLUSH_INTERVAL_MS: '20', ...env },
    cwd: '/nonexistent-alertbase-test',
  });
  return setupOn(await createTestDatabase(), { config });
}

type Row = {
  key: string | null;
  created: number;
  time_to_acknowledge_ms: { count: number } | null;
  time_to_resolve_ms: { count: number } | null;
};

const stats = async (t: TestApp, query = 'by=severity&step=1d', key?: string) =>
  call(t.app, 'GET', `/v1/stats/alerts?${query}`, { key: key ?? t.keys.viewer });

/** Ingests two alerts, acknowledges one, resolves the other; waits until the statistics show them. */
async function exercise(t: TestApp, source: string): Promise<Row[]> {
  const res = await call(t.app, 'POST', '/v1/alerts', {
    key: t.keys.responder,
    body: [alert('HighCPU', 'critical'), alert('Disk')],
  });
  expect(res.status).toBe(200);
  const [cpu, disk] = (res.body.items as { id: string }[]).map((i) => i.id);
  expect(
    (await call(t.app, 'POST', `/v1/alerts/${cpu}/acknowledge`, { key: t.keys.responder })).status,
  ).toBe(200);
  expect(
    (await call(t.app, 'POST', `/v1/alerts/${disk}/resolve`, { key: t.keys.responder })).status,
  ).toBe(200);
  return waitFor(
    'the statistics to show the changes',
    async () => {
      const r = await stats(t);
      expect(r.status).toBe(200);
      expect(r.body.source).toBe(source);
      const rows = r.body.series as Row[];
      return rows.some((row) => row.time_to_resolve_ms !== null) &&
        rows.some((row) => row.time_to_acknowledge_ms !== null)
        ? rows
        : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

describe('GET /v1/stats/alerts from PostgreSQL (no INFLUXDB_URL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWith({});
  });
  afterAll(() => t?.close());

  it('answers counts, time to acknowledge and time to resolve per severity', async () => {
    const rows = await exercise(t, 'postgresql');
    expect(
      rows.map((r) => [
        r.key,
        r.created,
        r.time_to_acknowledge_ms?.count ?? 0,
        r.time_to_resolve_ms?.count ?? 0,
      ]),
    ).toEqual([
      ['critical', 1, 1, 0],
      ['high', 1, 0, 1],
    ]);
  });

  it('another tenant sees none of it', async () => {
    const r = await stats(t, 'by=rule&step=1h', t.otherKey);
    expect(r.status).toBe(200);
    expect(r.body.series).toEqual([]);
  });

  it('refuses bad parameters and too many buckets with the parameter named', async () => {
    for (const [query, pointer] of [
      ['by=team', '/by'],
      ['step=5m', '/step'],
      ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', '/to'],
      ['step=1m&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', '/step'],
      ['limit=3', ''],
    ] as const) {
      const r = await stats(t, query);
      expect(r.status, query).toBe(422);
      expect(r.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
      expect((r.body.errors as { pointer: string }[])[0]?.pointer, query).toBe(pointer);
    }
  });

  it('needs a key', async () => {
    expect((await call(t.app, 'GET', '/v1/stats/alerts', { key: null })).status).toBe(401);
  });
});

describe('INFLUXDB_URL at a dead port', () => {
  let t: TestApp;
  beforeAll(async () => {
    const port = await freePort();
    t = await appWith({ INFLUXDB_URL: `http://127.0.0.1:${port}/alertbase` });
  });
  afterAll(() => t?.close());

  it('the service serves; readiness warns and says why; statistics answer 503', async () => {
    const ingest = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [alert('X')],
    });
    expect(ingest.status).toBe(200);
    const ready = await t.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    const report = JSON.parse(ready.body) as {
      status: string;
      checks: Record<string, { status: string; output?: string }[]>;
    };
    expect(report.status).toBe('warn');
    expect(report.checks['timeseries:responseTime']?.[0]).toMatchObject({
      status: 'warn',
      output: expect.stringMatching(
        /InfluxDB at http:\/\/127\.0\.0\.1:\d+\/alertbase does not answer/,
      ),
    });
    const r = await stats(t);
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('ALERTBASE_STORAGE_SERIES_UNAVAILABLE');
  });
});

await describeWithBinary('GET /v1/stats/alerts from InfluxDB', INFLUXD_BIN, (bin) => {
  let influxd: RunningInfluxd;
  let t: TestApp;
  beforeAll(async () => {
    influxd = await startInfluxd(bin);
    t = await appWith({
      INFLUXDB_URL: `${influxd.url}/alertbase`,
      SERIES_BUFFER_MAX: '8',
      SERIES_BATCH_SIZE: '2',
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await influxd?.close();
  });

  const metric = async (result: string): Promise<number> => {
    const text = (await t.app.inject({ url: '/metrics' })).body;
    const line = text
      .split('\n')
      .find((l) =>
        l.startsWith(`alertbase_series_points_total{store="influxdb",result="${result}"}`),
      );
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  it('answers the same shape from InfluxDB', async () => {
    const rows = await exercise(t, 'influxdb');
    expect(
      rows.map((r) => [
        r.key,
        r.created,
        r.time_to_acknowledge_ms?.count ?? 0,
        r.time_to_resolve_ms?.count ?? 0,
      ]),
    ).toEqual([
      ['critical', 1, 1, 0],
      ['high', 1, 0, 1],
    ]);
    const ready = JSON.parse((await t.app.inject({ url: '/health/ready' })).body) as {
      checks: Record<string, { status: string }[]>;
    };
    expect(ready.checks['timeseries:responseTime']?.[0]?.status).toBe('pass');
  });

  it('InfluxDB killed mid-run: the service answers, drops are counted, writes resume when it returns', async () => {
    const total = async (): Promise<number> =>
      ((await stats(t)).body.series as Row[]).reduce((n, row) => n + row.created, 0);
    const createdBefore = await total();
    await influxd.stop();
    const before = await metric('buffer_full');
    for (let k = 0; k < 12; k++) {
      const r = await call(t.app, 'POST', '/v1/alerts', {
        key: t.keys.responder,
        body: [alert(`Down${k}`)],
      });
      expect(r.status).toBe(200);
    }
    // Twelve created points, a buffer of eight: at least four dropped and counted.
    await waitFor(
      'drops counted',
      async () => ((await metric('buffer_full')) - before >= 4 ? true : undefined),
      {
        timeoutMs: 5_000,
      },
    );
    expect((await stats(t)).status).toBe(503);
    const ready = JSON.parse((await t.app.inject({ url: '/health/ready' })).body) as {
      status: string;
    };
    expect(ready.status).toBe('warn');
    const dropped = (await metric('buffer_full')) - before;
    await influxd.start();
    // The buffered points are written once it answers again (backoff: at most a few seconds).
    let last = '';
    await waitFor(
      'buffered points written after the restart',
      async () => {
        const r = await stats(t);
        last = `${JSON.stringify(r.body)}\nwritten ${await metric('written')}, buffer_full ${await metric('buffer_full')}, refused ${await metric('refused')}; before ${createdBefore}`;
        if (r.status !== 200) return undefined;
        const created = (r.body.series as Row[]).reduce((n, row) => n + row.created, 0);
        return created >= createdBefore + 12 - dropped ? created : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, log: () => last },
    );
    // Every point is either written or counted as dropped.
    expect(await total()).toBe(createdBefore + 12 - dropped);
  }, 40_000);
});
