/**
 * `npm run soak`: the embedded default (PGlite, no `DATABASE_URL`) under
 * Prometheus-like resends for a long, bounded time, with the table
 * maintenance on and off side by side (issue #22); writes
 * `bench/results/soak.md` and `soak.json`.
 *
 * For each mode (`MAINTENANCE_ENABLED=true|false`) it starts the real service,
 * `node dist/cli/main.js serve`, with its own temporary data directory and
 * port on loopback; both run at once, so both see the same machine noise.
 * It creates a tenant (no quotas), loads `--alerts` firing alerts through
 * `POST /api/v2/alerts` in batches of 64, then resends all of them in cycles
 * as Prometheus does: every cycle (`--cycle-seconds`, default 240) each alert
 * once, in batches of 64 sent at a steady pace with only `endsAt` moved to
 * four cycles ahead (heartbeats: written behind, one row version per alert
 * and flush). Prometheus's own `resend_delay` is 1 m; with 20,000 alerts
 * that is about 5 batches a second, which saturated two services sharing
 * this two-core machine (most batches late, p50 near 1 s), so the default
 * cycle is four times longer: a steady state, not a saturation test. A batch due while `--in-flight` are still
 * unanswered waits (counted as late), so the load is bounded. `GET
 * /v1/alerts?limit=50` is read once a second. Every `--sample-seconds` it
 * scrapes `/metrics` (`alertbase_table_live_rows`, `_dead_rows`,
 * `_size_bytes` of `alerts`, the resident memory) and records the window's
 * p50/p99 of both requests. After `--minutes` it stops the services by pid
 * (SIGTERM, which flushes pending heartbeats) and measures each data
 * directory on disk.
 *
 * Flags: `--minutes N` (default 30, or `SOAK_MINUTES`), `--alerts N`
 * (20,000), `--cycle-seconds N` (240), `--sample-seconds N` (30),
 * `--in-flight N` (4), `--modes on,off`, `--out NAME` (results file stem,
 * default `soak`). Needs `npm run build` (it runs `dist/`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { metricSample, UNLIMITED_SETTINGS } from './lib.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const positive = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
};
const MINUTES = positive(option('minutes') ?? process.env.SOAK_MINUTES, 30);
const ALERTS = Math.floor(positive(option('alerts'), 20_000));
const CYCLE_MS = positive(option('cycle-seconds'), 240) * 1000;
const SAMPLE_MS = positive(option('sample-seconds'), 30) * 1000;
const IN_FLIGHT = Math.floor(positive(option('in-flight'), 4));
const MODES = (option('modes') ?? 'on,off')
  .split(',')
  .filter((m): m is 'on' | 'off' => m === 'on' || m === 'off');
const OUT_STEM = option('out') ?? 'soak';
const BATCH = 64;
const LIST_EVERY_MS = 1_000;
const ADMIN_KEY = 'soak-admin-key-Zq7Xv2Lm9Pw4Rt8Y';
const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const RESULTS = join(import.meta.dirname, 'results');

/** One window of `--sample-seconds`. */
interface Sample {
  /** Seconds since the resends began. */
  readonly at: number;
  readonly liveRows: number;
  readonly deadRows: number;
  readonly tableBytes: number;
  /** Every table of the schema (`alertbase_table_size_bytes` summed). */
  readonly allTablesBytes: number;
  /** The data directory's files (heap, WAL, ...). */
  readonly dataDirBytes: number;
  readonly rssBytes: number;
  readonly resends: number;
  readonly resendErrors: number;
  readonly resendP50Ms: number;
  readonly resendP99Ms: number;
  readonly late: number;
  readonly lists: number;
  readonly listErrors: number;
  readonly listP50Ms: number;
  readonly listP99Ms: number;
}

/** One mode's run. */
interface ModeReport {
  readonly mode: 'on' | 'off';
  readonly loadSeconds: number;
  readonly samples: Sample[];
  readonly maintenanceActions: Record<string, number>;
  readonly dataDirBytesAtEnd: number;
  readonly exitCode: number | null;
}

/** The `q`-quantile (0–1) of `values`, ms with one decimal; NaN when empty. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return Math.round(value * 10) / 10;
}

/** Bytes of every file under `dir`, read while the service runs too. */
async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    // A file removed since the listing (a recycled WAL segment) counts as 0.
    if (entry.isFile()) {
      total += await stat(join(entry.parentPath, entry.name)).then(
        (s) => s.size,
        () => 0,
      );
    }
  }
  return total;
}

/** `alertbase serve` as a child process, and what it logged about maintenance. */
interface Service {
  readonly child: ChildProcess;
  readonly url: string;
  readonly actions: Record<string, number>;
  readonly exited: Promise<number | null>;
}

/** Starts the service on a free loopback port and waits for its "listening on" line. */
function startService(dataDir: string, maintenance: boolean): Promise<Service> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ALERTBASE_DATA_DIR: join(dataDir, 'data'),
      ALERTBASE_ADMIN_KEY: ADMIN_KEY,
      MAINTENANCE_ENABLED: String(maintenance),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const actions: Record<string, number> = {};
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((resolve, reject) => {
    let head = '';
    let started = false;
    const onLine = (line: string): void => {
      // `{"maintenance":{"kind":"vacuum","table":"alerts"}, ...}`
      const m = /"maintenance":\{"kind":"(\w+)","table":"(\w+)"\}/.exec(line);
      if (m !== null) {
        const key = `${m[1]} ${m[2]}`;
        actions[key] = (actions[key] ?? 0) + 1;
      }
    };
    let rest = '';
    const onData = (chunk: Buffer): void => {
      const text = rest + chunk.toString();
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
      if (started) return;
      head += chunk.toString();
      const url = /alertbase listening on (http:\/\/\S+)/.exec(head)?.[1];
      if (url !== undefined) {
        started = true;
        resolve({ child, url, actions, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!started) reject(new Error(`alertbase serve exited (${code}) before listening: ${head}`));
    });
  });
}

/** Stops the service by its pid (SIGTERM: drains and flushes), SIGKILL after 60 s. */
async function stopService(service: Service): Promise<number | null> {
  const pid = service.child.pid;
  if (pid === undefined || service.child.exitCode !== null) return service.child.exitCode;
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), 60_000);
  const code = await service.exited;
  clearTimeout(timer);
  return code;
}

/** A request's answer time, ms, and whether it was 2xx. */
async function timed(url: string, init: RequestInit): Promise<{ ms: number; ok: boolean }> {
  const start = performance.now();
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return { ms: performance.now() - start, ok: res.ok };
  } catch {
    return { ms: performance.now() - start, ok: false };
  }
}

/** The sum of every sample of one metric (all its label sets). */
function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The Prometheus resend of alert `i`: same labels and `startsAt`, only `endsAt` moves. */
function alertOf(i: number, startsAt: string, endsAt: string): Record<string, unknown> {
  return {
    labels: {
      alertname: `Soak${i % 50}`,
      instance: `host-${i}:9100`,
      job: 'node',
      severity: i % 10 === 0 ? 'critical' : 'warning',
    },
    annotations: { summary: `soak alert ${i}` },
    startsAt,
    endsAt,
    generatorURL: `http://prometheus.example:9090/graph?g0.expr=up%7Binstance%3D%22host-${i}%22%7D`,
  };
}

/** Where the modes wait for each other: `arrive` resolves with the time all start at. */
interface Barrier {
  arrive(): Promise<number>;
}

/** A barrier of `n` arrivals; the start is one second after the last. */
function barrier(n: number): Barrier {
  let arrived = 0;
  let release: (at: number) => void = () => {};
  const all = new Promise<number>((resolve) => {
    release = resolve;
  });
  return {
    arrive() {
      arrived++;
      if (arrived === n) release(Date.now() + 1_000);
      return all;
    },
  };
}

/** Runs one mode from start to stop; its resends begin when every mode has loaded. */
async function runMode(mode: 'on' | 'off', start: Barrier): Promise<ModeReport> {
  let arrived = false;
  const dir = await mkdtemp(join(tmpdir(), `alertbase-soak-${mode}-`));
  const service = await startService(dir, mode === 'on').catch(async (err: unknown) => {
    void start.arrive();
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const log = (msg: string): void => console.log(`[${mode}] ${msg}`);
  log(`pid ${service.child.pid} on ${service.url}, data ${dir}`);
  try {
    const created = await fetch(`${service.url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'soak',
        name: 'Soak',
        tier: 'enterprise',
        settings: UNLIMITED_SETTINGS,
      }),
    });
    if (created.status !== 201)
      throw new Error(`tenant: ${created.status} ${await created.text()}`);
    const { owner_key } = (await created.json()) as { owner_key: { key: string } };
    const headers = {
      authorization: `Bearer ${owner_key.key}`,
      'content-type': 'application/json',
    };
    const startsAt = new Date().toISOString();
    const send = (from: number): Promise<{ ms: number; ok: boolean }> => {
      const endsAt = new Date(Date.now() + 4 * CYCLE_MS).toISOString();
      const batch: Record<string, unknown>[] = [];
      for (let i = from; i < Math.min(from + BATCH, ALERTS); i++) {
        batch.push(alertOf(i, startsAt, endsAt));
      }
      return timed(`${service.url}/api/v2/alerts`, {
        method: 'POST',
        headers,
        body: JSON.stringify(batch),
      });
    };

    // The load: every alert once, two batches at a time.
    const loadStart = performance.now();
    let next = 0;
    const loader = async (): Promise<void> => {
      while (next < ALERTS) {
        const from = next;
        next += BATCH;
        const { ok } = await send(from);
        if (!ok) throw new Error(`load batch at ${from} failed`);
      }
    };
    await Promise.all([loader(), loader()]);
    const loadSeconds = Math.round((performance.now() - loadStart) / 100) / 10;
    log(`loaded ${ALERTS} alerts in ${loadSeconds} s`);
    // Both modes begin the resends together.
    arrived = true;
    await sleep(Math.max(0, (await start.arrive()) - Date.now()));

    const resendMs: number[] = [];
    const listMs: number[] = [];
    let resendErrors = 0;
    let listErrors = 0;
    let late = 0;
    let inFlight = 0;
    const t0 = Date.now();
    const endAt = t0 + MINUTES * 60_000;
    const pending = new Set<Promise<void>>();
    const track = (p: Promise<void>): void => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };

    const batchesPerCycle = Math.ceil(ALERTS / BATCH);
    const resendLoop = async (): Promise<void> => {
      const interval = CYCLE_MS / batchesPerCycle;
      for (let k = 0; ; k++) {
        const due = t0 + k * interval;
        if (due >= endAt) return;
        await sleep(Math.max(0, due - Date.now()));
        if (inFlight >= IN_FLIGHT) late++;
        while (inFlight >= IN_FLIGHT && Date.now() < endAt) await sleep(5);
        if (Date.now() >= endAt) return;
        inFlight++;
        track(
          send((k % batchesPerCycle) * BATCH).then(({ ms, ok }) => {
            inFlight--;
            resendMs.push(ms);
            if (!ok) resendErrors++;
          }),
        );
      }
    };
    const listLoop = async (): Promise<void> => {
      for (let k = 0; ; k++) {
        const due = t0 + k * LIST_EVERY_MS;
        if (due >= endAt) return;
        await sleep(Math.max(0, due - Date.now()));
        const { ms, ok } = await timed(`${service.url}/v1/alerts?limit=50`, { headers });
        listMs.push(ms);
        if (!ok) listErrors++;
      }
    };
    const samples: Sample[] = [];
    const sampleLoop = async (): Promise<void> => {
      for (let k = 1; ; k++) {
        const due = t0 + k * SAMPLE_MS;
        if (due > endAt + 1) return;
        await sleep(Math.max(0, due - Date.now()));
        const text = await (await fetch(`${service.url}/metrics`)).text();
        const taken = {
          resends: resendMs.splice(0),
          lists: listMs.splice(0),
          resendErrors,
          listErrors,
          late,
        };
        resendErrors = 0;
        listErrors = 0;
        late = 0;
        const sample: Sample = {
          at: Math.round((Date.now() - t0) / 1000),
          liveRows: metricSample(text, 'alertbase_table_live_rows{table="alerts"}'),
          deadRows: metricSample(text, 'alertbase_table_dead_rows{table="alerts"}'),
          tableBytes: metricSample(text, 'alertbase_table_size_bytes{table="alerts"}'),
          allTablesBytes: metricSum(text, 'alertbase_table_size_bytes'),
          dataDirBytes: await duBytes(join(dir, 'data')).catch(() => Number.NaN),
          rssBytes: metricSample(text, 'process_resident_memory_bytes'),
          resends: taken.resends.length,
          resendErrors: taken.resendErrors,
          resendP50Ms: quantile(taken.resends, 0.5),
          resendP99Ms: quantile(taken.resends, 0.99),
          late: taken.late,
          lists: taken.lists.length,
          listErrors: taken.listErrors,
          listP50Ms: quantile(taken.lists, 0.5),
          listP99Ms: quantile(taken.lists, 0.99),
        };
        samples.push(sample);
        log(
          `${sample.at}s dead ${sample.deadRows} live ${sample.liveRows} size ${(sample.tableBytes / 1_048_576).toFixed(1)} MiB ` +
            `resend p50/p99 ${sample.resendP50Ms}/${sample.resendP99Ms} ms (${sample.resends}, late ${sample.late}) ` +
            `list p50/p99 ${sample.listP50Ms}/${sample.listP99Ms} ms`,
        );
      }
    };
    await Promise.all([resendLoop(), listLoop(), sampleLoop()]);
    await Promise.all(pending);
    const exitCode = await stopService(service);
    const dataDirBytesAtEnd = await duBytes(join(dir, 'data'));
    log(
      `stopped (exit ${exitCode}), data directory ${(dataDirBytesAtEnd / 1_048_576).toFixed(1)} MiB`,
    );
    return {
      mode,
      loadSeconds,
      samples,
      maintenanceActions: { ...service.actions },
      dataDirBytesAtEnd,
      exitCode,
    };
  } finally {
    // A mode that failed before its load ended does not hold the others back.
    if (!arrived) void start.arrive();
    await stopService(service);
    await rm(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

/** The Markdown of the reports. */
function markdown(reports: readonly ModeReport[], began: Date): string {
  const lines = [
    '# Soak: the embedded default with the table maintenance on and off',
    '',
    `Run ${began.toISOString()} with \`npm run soak -- --minutes ${MINUTES}\` (Node ${process.version}):`,
    `PGlite, ${ALERTS.toLocaleString('en')} firing alerts resent every ${CYCLE_MS / 1000} s in batches of ${BATCH}`,
    `(at most ${IN_FLIGHT} in flight), \`GET /v1/alerts?limit=50\` once a second, both modes at once,`,
    `one \`alertbase serve\` process each; a sample every ${SAMPLE_MS / 1000} s.`,
    '',
    '## Summary (first sample → last sample)',
    '',
    '| maintenance | dead rows of `alerts` | `alerts` size (MiB) | all tables (MiB) | resend p99 (ms) | list p99 (ms) | data directory after stop (MiB) | passes that acted |',
    '| --- | --: | --: | --: | --: | --: | --: | --- |',
  ];
  for (const r of reports) {
    const first = r.samples[0];
    const last = r.samples.at(-1);
    if (first === undefined || last === undefined) continue;
    const actions =
      Object.entries(r.maintenanceActions)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ') || 'none';
    lines.push(
      `| ${r.mode} | ${first.deadRows} → ${last.deadRows} | ${mib(first.tableBytes)} → ${mib(last.tableBytes)} | ` +
        `${mib(first.allTablesBytes)} → ${mib(last.allTablesBytes)} | ` +
        `${first.resendP99Ms} → ${last.resendP99Ms} | ${first.listP99Ms} → ${last.listP99Ms} | ${mib(r.dataDirBytesAtEnd)} | ${actions} |`,
    );
  }
  for (const r of reports) {
    lines.push(
      '',
      `## Maintenance ${r.mode} (load of ${ALERTS.toLocaleString('en')} alerts: ${r.loadSeconds} s)`,
      '',
      '| t (s) | live rows | dead rows | size (MiB) | all tables (MiB) | data dir (MiB) | RSS (MiB) | resends | late | errors | resend p50 / p99 (ms) | lists | list p50 / p99 (ms) |',
      '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    );
    for (const s of r.samples) {
      lines.push(
        `| ${s.at} | ${s.liveRows} | ${s.deadRows} | ${mib(s.tableBytes)} | ${mib(s.allTablesBytes)} | ${mib(s.dataDirBytes)} | ${mib(s.rssBytes)} | ${s.resends} | ${s.late} | ` +
          `${s.resendErrors + s.listErrors} | ${s.resendP50Ms} / ${s.resendP99Ms} | ${s.lists} | ${s.listP50Ms} / ${s.listP99Ms} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const began = new Date();
  console.log(
    `soak: ${MINUTES} min, ${ALERTS} alerts, cycle ${CYCLE_MS / 1000} s, modes ${MODES.join(',')}`,
  );
  const start = barrier(MODES.length);
  const settled = await Promise.allSettled(MODES.map((mode) => runMode(mode, start)));
  const reports: ModeReport[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    reports.push(s.value);
  }
  await writeFile(join(RESULTS, `${OUT_STEM}.md`), markdown(reports, began));
  await writeFile(
    join(RESULTS, `${OUT_STEM}.json`),
    `${JSON.stringify(
      {
        began: began.toISOString(),
        node: process.version,
        minutes: MINUTES,
        alerts: ALERTS,
        cycleSeconds: CYCLE_MS / 1000,
        batch: BATCH,
        inFlight: IN_FLIGHT,
        sampleSeconds: SAMPLE_MS / 1000,
        reports,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote bench/results/${OUT_STEM}.md and ${OUT_STEM}.json`);
}

await main();
