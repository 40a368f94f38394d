/**
 * alertbase watching itself: a real Prometheus (Debian's 2.42) scrapes
 * alertbase's `/metrics` (with the metrics key), evaluates
 * `examples/alertbase-rules.yml` and a variant of one of its rules whose
 * threshold is lowered so that it fires, and sends the alert to the same
 * alertbase's `/api/v2/alerts`, where the test finds it stored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeWithBinary, type E2eAlertbase, listAlerts, startAlertbase } from './helpers.js';
import {
  freePort,
  PROMETHEUS_BIN,
  type RunningProcess,
  startProcess,
  type TempDir,
  tempDir,
  waitFor,
  waitUntilReady,
} from './processes.js';

const RULES_FILE = resolve(import.meta.dirname, '../../examples/alertbase-rules.yml');
const METRICS_KEY = 'e2e-scrape-key';
/** The rule whose threshold the variant lowers: memory is always above 0% of the limit. */
const FORCED = 'AlertbaseMemoryNearLimit';

interface RuleFile {
  groups: {
    name: string;
    rules: { alert?: string; expr: string; for?: string; labels?: Record<string, string> }[];
  }[];
}

await describeWithBinary(
  'real Prometheus scrapes alertbase and alerts it about itself',
  PROMETHEUS_BIN,
  (bin) => {
    let ab: E2eAlertbase | undefined;
    let dir: TempDir | undefined;
    let prometheus: RunningProcess | undefined;
    let prometheusUrl = '';
    const log = (): string => prometheus?.log() ?? '';

    beforeAll(async () => {
      ab = await startAlertbase({ METRICS_KEY });
      dir = await tempDir('self-monitoring');
      const shipped = parse(await readFile(RULES_FILE, 'utf8')) as RuleFile;
      const rule = shipped.groups[0]?.rules.find((r) => r.alert === FORCED);
      if (rule === undefined) throw new Error(`${FORCED} is not in ${RULES_FILE}`);
      const forced: RuleFile = {
        groups: [
          {
            name: 'alertbase-forced',
            rules: [
              {
                ...rule,
                expr: rule.expr.replace('> 0.9', '> 0'),
                for: '0s',
                labels: { ...rule.labels, forced: 'true' },
              },
            ],
          },
        ],
      };
      expect(forced.groups[0]?.rules[0]?.expr).toBe('alertbase_memory_used_ratio > 0');
      await writeFile(join(dir.path, 'forced.yml'), JSON.stringify(forced, null, 2));
      const config = {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [RULES_FILE, join(dir.path, 'forced.yml')],
        scrape_configs: [
          {
            job_name: 'alertbase',
            static_configs: [{ targets: [`127.0.0.1:${ab.port}`] }],
            authorization: { credentials: METRICS_KEY },
          },
        ],
        alerting: {
          alertmanagers: [
            {
              static_configs: [{ targets: [`127.0.0.1:${ab.port}`] }],
              authorization: { credentials: ab.ingestKey },
              api_version: 'v2',
            },
          ],
        },
      };
      await writeFile(join(dir.path, 'prometheus.yml'), JSON.stringify(config, null, 2));
      const port = await freePort();
      prometheusUrl = `http://127.0.0.1:${port}`;
      prometheus = startProcess(
        bin,
        [
          `--config.file=${join(dir.path, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir.path, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--rules.alert.resend-delay=1s',
          '--log.level=warn',
        ],
        dir.path,
      );
      await waitUntilReady(`${prometheusUrl}/-/ready`, prometheus);
    });

    afterAll(async () => {
      await prometheus?.stop();
      await ab?.close();
      await dir?.remove();
    });

    it('scrapes /metrics with the key and loads every shipped rule', async () => {
      const up = await waitFor(
        'the alertbase target to be up',
        async () => {
          const res = await fetch(
            `${prometheusUrl}/api/v1/query?query=up%7Bjob%3D%22alertbase%22%7D`,
          );
          const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
          return body.data.result[0]?.value[1] === '1' ? body.data.result : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, log },
      );
      expect(up).toHaveLength(1);
      const res = await fetch(`${prometheusUrl}/api/v1/rules`);
      const body = (await res.json()) as {
        data: {
          groups: { name: string; rules: { name: string; health: string; state: string }[] }[];
        };
      };
      const shipped = body.data.groups.find((g) => g.name === 'alertbase');
      expect(shipped?.rules.map((r) => r.name)).toEqual([
        'AlertbaseHighErrorRate',
        'AlertbaseSlowIngest',
        'AlertbaseDatabaseDown',
        'AlertbaseMemoryNearLimit',
        'AlertbaseNotificationBacklog',
        'AlertbaseDown',
      ]);
      // Evaluated without error; a healthy alertbase fires none of them.
      await waitFor(
        'every shipped rule to be evaluated',
        async () => {
          const r = await fetch(`${prometheusUrl}/api/v1/rules`);
          const b = (await r.json()) as typeof body;
          const g = b.data.groups.find((x) => x.name === 'alertbase');
          return g?.rules.every((x) => x.health === 'ok') ? g : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, log },
      );
      const database = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('alertbase_database_up')}`,
      );
      const value = (await database.json()) as { data: { result: { value: [number, string] }[] } };
      expect(value.data.result[0]?.value[1]).toBe('1');
    }, 45_000);

    it('sends the forced alert to alertbase, which stores it with the scraped labels', async () => {
      if (ab === undefined) throw new Error('alertbase did not start');
      const alerts = await waitFor(
        `${FORCED} stored in alertbase`,
        async () => {
          const items = await listAlerts(
            ab as E2eAlertbase,
            `label=${encodeURIComponent(`alertname=${FORCED}`)}`,
          );
          return items.length > 0 ? items : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 500, log },
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        tenant_id: 'e2e',
        status: 'firing',
        level: 'medium',
        labels: {
          alertname: FORCED,
          severity: 'warning',
          forced: 'true',
          job: 'alertbase',
          instance: `127.0.0.1:${ab.port}`,
        },
      });
      expect(alerts[0]?.annotations.summary).toMatch(
        /^alertbase uses \d+(\.\d+)?% of MAX_MEMORY_USAGE_MB$/,
      );
      // The shipped rules did not fire: only the forced one is stored.
      const all = await listAlerts(ab, 'limit=100');
      expect(all.map((a) => a.labels.alertname)).toEqual([FORCED]);
      // And alertbase counted that ingest in its own metrics.
      const res = await fetch(`${ab.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_KEY}` },
      });
      expect(await res.text()).toMatch(
        /^alertbase_ingest_alerts_total\{tenant="e2e",outcome="created"\} 1$/m,
      );
    }, 60_000);
  },
);
