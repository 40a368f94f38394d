/**
 * Silences: what they cost ingest, and what reading alerts through the
 * Alertmanager API costs next to a real Alertmanager.
 *
 * 1. Ingest of 20,000 new alerts (batches of 500, through the repository,
 *    PGlite in memory) into a tenant with 1,000 active silences, against
 *    the same into a tenant with none, in interleaved rounds (median of
 *    three each). The silences are what operators write: an `alertname`
 *    and one more label, a tenth of them with regular expressions; each
 *    alert is checked against all of them.
 * 2. `GET /api/v2/alerts?silenced=false` over 100,000 alerts (1,000
 *    silences) from alertbase (`startServer`, PGlite in memory) and from
 *    Debian's Alertmanager 0.25 holding the same alerts and silences, in the
 *    same run; median of five requests each.
 *
 * ALERTBASE_BENCH_SILENCE_ALERTS changes the 100,000.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { startServer } from '../src/server/index.js';
import { createTestDatabase } from '../src/storage/index.js';
import { createRepositories, type Repositories } from '../src/storage/repositories/index.js';
import { ALERTMANAGER_BIN, findBinary, startAlertmanager } from '../test/e2e/processes.js';
import { type BenchRow, benchRow, UNLIMITED_SETTINGS } from './lib.js';

const SUITE = 'silences';
const INGEST_ALERTS = 20_000;
const BATCH = 500;
const SILENCES = 1_000;
const READ_ALERTS = Number(process.env.ALERTBASE_BENCH_SILENCE_ALERTS ?? 100_000);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The k-th silence: most match one alert name and a team, some use regexes, a few match. */
function silence(k: number): Record<string, unknown> {
  const regex = k % 10 === 0;
  return {
    matchers: [
      {
        name: 'alertname',
        value: regex ? `Job${k}.*|Maint${k}` : `Maint${k}`,
        isRegex: regex,
        isEqual: true,
      },
      { name: 'team', value: regex ? 'db|web' : `team-${k % 7}`, isRegex: regex, isEqual: true },
    ],
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    createdBy: 'bench',
    comment: `silence ${k}`,
  };
}

/** The i-th alert of a run: one in twenty is silenced. */
function alert(
  run: string,
  i: number,
): { labels: Record<string, string> } & Record<string, unknown> {
  const silenced = i % 20 === 0;
  return {
    labels: {
      alertname: silenced ? `Maint${(i / 20) % SILENCES}` : `Load${i % 50}`,
      instance: `${run}-${i}`,
      team: silenced ? `team-${((i / 20) % SILENCES) % 7}` : 'ops',
      severity: 'warning',
    },
    level: 'medium',
    priority: 'P3',
  };
}

async function ingestAll(repos: Repositories, tenant: string, run: string): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < INGEST_ALERTS; start += BATCH) {
    const batch = [];
    for (let i = start; i < start + BATCH; i++) batch.push(alert(run, i));
    await repos.alerts.ingest(tenant, batch, 'key:bench');
  }
  return INGEST_ALERTS / ((performance.now() - started) / 1000);
}

async function ingestRows(): Promise<BenchRow[]> {
  const db = await createTestDatabase();
  try {
    const repos = createRepositories(db);
    await repos.tenants.create({ id: 'quiet', name: 'No silences' }, 'bench');
    await repos.tenants.create({ id: 'silenced', name: 'Silences' }, 'bench');
    for (let k = 0; k < SILENCES; k++) {
      await repos.silences.create('silenced', silence(k) as never, 'bench');
    }
    const withSilences: number[] = [];
    const without: number[] = [];
    await ingestAll(repos, 'quiet', 'warm');
    await ingestAll(repos, 'silenced', 'warm');
    for (let round = 0; round < 3; round++) {
      without.push(await ingestAll(repos, 'quiet', `r${round}`));
      withSilences.push(await ingestAll(repos, 'silenced', `r${round}`));
    }
    return [
      benchRow({
        suite: SUITE,
        case: `ingest ${INGEST_ALERTS.toLocaleString('en')} new alerts (batches of ${BATCH}, PGlite) with ${SILENCES.toLocaleString('en')} active silences (1 in 20 alerts silenced)`,
        unit: 'items/s',
        ours: median(withSilences),
        baseline: median(without),
        baselineName: 'alertbase, no silences',
      }),
    ];
  } finally {
    await db.close();
  }
}

async function timeGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let k = 0; k < 6; k++) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v2/alerts?silenced=false`, { headers });
    const body = (await res.json()) as unknown[];
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
    // The first request warms up; the next five are timed.
    if (k > 0) times.push(performance.now() - started);
    count = body.length;
  }
  return { ms: median(times), count };
}

async function readRows(): Promise<BenchRow[]> {
  const bin = await findBinary(ALERTMANAGER_BIN);
  if (bin === undefined) throw new Error(`bench silences: ${ALERTMANAGER_BIN} is not installed`);
  const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-bench' });
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
  const am = await startAlertmanager(bin);
  try {
    const repos = createRepositories(db);
    await repos.tenants.create(
      // Enterprise: the free tier's quota of 100 silences would refuse the 101st over HTTP.
      { id: 'bench', name: 'Bench', tier: 'enterprise', settings: UNLIMITED_SETTINGS },
      'bench',
    );
    const key = (await repos.apiKeys.issue('bench', { name: 'b', role: 'editor' }, 'bench')).key;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    for (let k = 0; k < SILENCES; k++) {
      const body = JSON.stringify(silence(k));
      const [a, b] = await Promise.all([
        fetch(`${am.url}/api/v2/silences`, { method: 'POST', body, headers }),
        fetch(`${server.url}/api/v2/silences`, { method: 'POST', body, headers }),
      ]);
      const [ta, tb] = await Promise.all([a.text(), b.text()]);
      if (a.status !== 200 || b.status !== 200) {
        throw new Error(
          `silence ${k} refused: Alertmanager ${a.status} ${ta.slice(0, 300)}, alertbase ${b.status} ${tb.slice(0, 300)}`,
        );
      }
    }
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    for (let start = 0; start < READ_ALERTS; start += 1_000) {
      const batch = [];
      for (let i = start; i < Math.min(start + 1_000, READ_ALERTS); i++) {
        const { labels } = alert('read', i);
        batch.push({ labels, annotations: { summary: `alert ${i}` }, endsAt });
      }
      const body = JSON.stringify(batch);
      const [a, b] = await Promise.all([
        fetch(`${am.url}/api/v2/alerts`, { method: 'POST', body, headers }),
        fetch(`${server.url}/api/v2/alerts`, { method: 'POST', body, headers }),
      ]);
      await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
      if (a.status !== 200 || b.status !== 200) throw new Error('alerts refused');
    }
    const theirs = await timeGet(am.url, {});
    const ours = await timeGet(server.url, headers);
    if (ours.count !== theirs.count) {
      throw new Error(`alertbase listed ${ours.count} alerts, Alertmanager ${theirs.count}`);
    }
    return [
      benchRow({
        suite: SUITE,
        case: `GET /api/v2/alerts?silenced=false over ${READ_ALERTS.toLocaleString('en')} alerts and ${SILENCES.toLocaleString('en')} silences (${ours.count.toLocaleString('en')} listed; alertbase reads them from PGlite)`,
        unit: 'ms',
        ours: ours.ms,
        baseline: theirs.ms,
        baselineName: 'Alertmanager 0.25',
      }),
    ];
  } finally {
    await am.close();
    await server.close();
  }
}

/** The suite's rows. */
export async function run(): Promise<BenchRow[]> {
  return [...(await ingestRows()), ...(await readRows())];
}
