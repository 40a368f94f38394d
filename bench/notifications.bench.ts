/**
 * Notifications: how soon and how fast alerts reach a webhook, next to a
 * real Alertmanager 0.25 delivering the same alerts to the same kind of
 * receiver, in the same run.
 *
 * Both get one route: every alert its own group (`group_by: ['...']`),
 * `group_wait` 1 s, one webhook receiver on loopback. 1,000 alerts are
 * sent in batches of 100 through `POST /api/v2/alerts`, to Alertmanager
 * first, then to alertbase (`startServer`, PGlite in memory, the routing
 * tree imported from the same configuration), each alone on the machine.
 * Rows: ingest-to-delivery latency p50 and p99 (from the answer to the POST
 * that carried an alert to the arrival of its notification; both include the
 * group wait), and notifications per second (alerts / time from the first
 * POST to the last arrival).
 *
 * ALERTBASE_BENCH_NOTIFY_ALERTS changes the 1,000.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config/index.js';
import { startServer } from '../src/server/index.js';
import { createTestDatabase } from '../src/storage/index.js';
import { createRepositories } from '../src/storage/repositories/index.js';
import { ALERTMANAGER_BIN, findBinary, startAlertmanager } from '../test/e2e/processes.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'notifications';
const ALERTS = Number(process.env.ALERTBASE_BENCH_NOTIFY_ALERTS ?? 1_000);
const BATCH = 100;
const GROUP_WAIT_MS = 1_000;

interface Run {
  readonly latencies: number[];
  readonly perSecond: number;
}

/** A receiver that records when each alert (by its `i` label) first arrived. */
async function receiver(): Promise<{
  url: string;
  arrived: Map<string, number>;
  close: () => Promise<void>;
}> {
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        alerts: { labels: Record<string, string> }[];
      };
      for (const a of body.alerts) {
        const i = a.labels.i as string;
        if (!arrived.has(i)) arrived.set(i, at);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrived,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const configOf = (url: string) => ({
  route: {
    receiver: 'hook',
    group_by: ['...'],
    group_wait: `${GROUP_WAIT_MS}ms`,
    group_interval: '5m',
    repeat_interval: '4h',
  },
  receivers: [{ name: 'hook', webhook_configs: [{ url, send_resolved: true }] }],
});

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Sends the alerts to `url` and waits until each has arrived at the receiver. */
async function drive(
  url: string,
  headers: Record<string, string>,
  arrived: Map<string, number>,
  run: string,
): Promise<Run> {
  const sentAt = new Map<string, number>();
  const first = performance.now();
  for (let start = 0; start < ALERTS; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(start + BATCH, ALERTS); i++) {
      batch.push({
        labels: { alertname: 'BenchNotify', run, i: String(i), severity: 'warning' },
        annotations: { summary: `alert ${i}` },
      });
    }
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(batch),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`POST ${url}: ${res.status}`);
    const at = performance.now();
    for (const a of batch) sentAt.set(a.labels.i, at);
  }
  const deadline = Date.now() + 120_000;
  while (arrived.size < ALERTS) {
    if (Date.now() > deadline) throw new Error(`${url}: ${arrived.size} of ${ALERTS} notified`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const latencies = [...sentAt].map(([i, at]) => (arrived.get(i) as number) - at);
  const last = Math.max(...arrived.values());
  return { latencies, perSecond: ALERTS / ((last - first) / 1_000) };
}

export async function run(): Promise<BenchRow[]> {
  const bin = await findBinary(ALERTMANAGER_BIN);
  if (bin === undefined) throw new Error(`bench ${SUITE}: ${ALERTMANAGER_BIN} is not installed`);

  const amHook = await receiver();
  const am = await startAlertmanager(bin, { config: configOf(amHook.url) });
  let theirs: Run;
  try {
    theirs = await drive(am.url, {}, amHook.arrived, 'am');
  } finally {
    await am.close();
    await amHook.close();
  }

  const abHook = await receiver();
  const { config } = await loadConfig({
    env: { NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true' },
    cwd: '/nonexistent-alertbase-bench',
  });
  const db = await createTestDatabase();
  const server = await startServer({
    config,
    env: {},
    port: 0,
    database: db,
    logger: false,
    demoTenant: false,
    print: () => {},
    handleSignals: false,
  });
  let ours: Run;
  try {
    const repos = createRepositories(db);
    await repos.tenants.create(
      { id: 'bench', name: 'Bench', tier: 'enterprise', settings: UNLIMITED_SETTINGS },
      'bench',
    );
    const key = (await repos.apiKeys.issue('bench', { name: 'b', role: 'editor' }, 'bench')).key;
    const headers = { authorization: `Bearer ${key}` };
    const imported = await fetch(`${server.url}/v1/routing/import`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/yaml' },
      body: JSON.stringify(configOf(abHook.url)),
    });
    if (imported.status !== 200) throw new Error(`import: ${await imported.text()}`);
    ours = await drive(server.url, headers, abHook.arrived, 'ab');
  } finally {
    await server.close();
    await abHook.close();
  }

  const row = (name: string, unit: 'ms' | 'items/s', a: number, b: number) =>
    benchRow({
      suite: SUITE,
      case: name,
      unit,
      ours: a,
      baseline: b,
      baselineName: 'Alertmanager 0.25',
    });
  const n = ALERTS.toLocaleString('en');
  return [
    row(
      `ingest-to-delivery p50, ${n} alerts, own groups, group_wait 1 s, loopback webhook`,
      'ms',
      percentile(ours.latencies, 50),
      percentile(theirs.latencies, 50),
    ),
    row(
      `ingest-to-delivery p99, ${n} alerts, own groups, group_wait 1 s, loopback webhook`,
      'ms',
      percentile(ours.latencies, 99),
      percentile(theirs.latencies, 99),
    ),
    row(
      `notifications per second to a loopback webhook (${n} alerts, first POST to last arrival)`,
      'items/s',
      ours.perSecond,
      theirs.perSecond,
    ),
  ];
}
