/**
 * A real Prometheus server (Debian's 2.42) uses alertbase as its Alertmanager:
 * a rule that always fires, `alerting.alertmanagers` pointing at alertbase
 * with `authorization: { credentials: <key> }` and `api_version: v2`. The
 * alert must appear in `GET /v1/alerts` with the labels Prometheus sends
 * (rule labels plus external labels), Alertmanager's fingerprint, and its
 * resends counted as repeats of one alert.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fingerprint } from '../../src/base/utils/fingerprint.js';
import {
  describeWithBinary,
  type E2eAlertbase,
  listAlerts,
  startAlertbase,
  type WireAlert,
} from './helpers.js';
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

const ALERT_NAME = 'AlertbaseE2EAlwaysFiring';
const RULE_LABELS = { severity: 'critical', team: 'e2e' };
const EXTERNAL_LABELS = { cluster: 'e2e-cluster' };
/** What Prometheus sends: the rule's labels, `alertname`, the external labels. */
const EXPECTED_LABELS = { alertname: ALERT_NAME, ...RULE_LABELS, ...EXTERNAL_LABELS };

/** Prometheus's own view of one of its alerts (`GET /api/v1/alerts`). */
interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: string;
  readonly activeAt: string;
}

await describeWithBinary(
  'real Prometheus 2.42 → alertbase /api/v2/alerts',
  PROMETHEUS_BIN,
  (bin) => {
    let ab: E2eAlertbase | undefined;
    let dir: TempDir | undefined;
    let prometheus: RunningProcess | undefined;
    let prometheusUrl = '';

    beforeAll(async () => {
      ab = await startAlertbase();
      dir = await tempDir('prometheus');
      const rules = {
        groups: [
          {
            name: 'alertbase-e2e',
            rules: [
              {
                alert: ALERT_NAME,
                expr: 'vector(1)',
                for: '0s',
                labels: RULE_LABELS,
                annotations: { summary: 'always firing (value {{ $value }})' },
              },
            ],
          },
        ],
      };
      const config = {
        global: { evaluation_interval: '1s', external_labels: EXTERNAL_LABELS },
        rule_files: [join(dir.path, 'rules.yml')],
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
      // JSON is YAML, and needs no quoting care for the key.
      await writeFile(join(dir.path, 'rules.yml'), JSON.stringify(rules, null, 2));
      await writeFile(join(dir.path, 'prometheus.yml'), JSON.stringify(config, null, 2));
      const port = await freePort();
      prometheusUrl = `http://127.0.0.1:${port}`;
      prometheus = startProcess(
        bin,
        [
          `--config.file=${join(dir.path, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir.path, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // Without this the first notification may be dropped before the target is discovered, and the next comes a minute later.
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

    /** The stored alerts of the rule. */
    const stored = (): Promise<WireAlert[]> => {
      if (ab === undefined) throw new Error('alertbase did not start');
      return listAlerts(ab, `label=${encodeURIComponent(`alertname=${ALERT_NAME}`)}`);
    };
    const log = (): string => prometheus?.log() ?? '';

    it('delivers the firing alert with its labels and Alertmanager fingerprint', async () => {
      const [alert, ...rest] = await waitFor(
        'the alert in GET /v1/alerts',
        async () => {
          const items = await stored();
          return items.length > 0 ? items : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, log },
      );
      expect(rest).toEqual([]);
      expect(alert?.labels).toEqual(EXPECTED_LABELS);
      expect(alert?.fingerprint).toBe(fingerprint(EXPECTED_LABELS));
      expect(alert?.fingerprint).toBe(fingerprint(alert?.labels ?? {}));
      expect(alert).toMatchObject({
        tenant_id: 'e2e',
        status: 'firing',
        level: 'critical',
        annotations: { summary: 'always firing (value 1)' },
      });
      expect(alert?.generator_url).toContain('g0.expr=vector%281%29');

      // Prometheus's own view: the same alert, firing, started when it says.
      const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: PrometheusAlert[] } };
      const mine = body.data.alerts.filter((a) => a.labels.alertname === ALERT_NAME);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.state).toBe('firing');
      // Prometheus adds the external labels only when it sends.
      expect({ ...mine[0]?.labels, ...EXTERNAL_LABELS }).toEqual(alert?.labels);
      const activeAt = new Date(mine[0]?.activeAt ?? 0).getTime();
      expect(Math.abs(new Date(alert?.starts_at ?? 0).getTime() - activeAt)).toBeLessThan(1_000);
    }, 45_000);

    it('counts resends as repeats of one alert (de-duplicated by fingerprint)', async () => {
      const [first] = await stored();
      const before = first?.duplicate_count ?? 0;
      const after = await waitFor(
        'two more resends',
        async () => {
          const items = await stored();
          return (items[0]?.duplicate_count ?? 0) >= before + 2 ? items : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, log },
      );
      expect(after).toHaveLength(1);
      expect(after[0]?.id).toBe(first?.id);
      expect(after[0]?.status).toBe('firing');
      // The fingerprint filter finds the same single row.
      if (ab === undefined) throw new Error('alertbase did not start');
      const byFingerprint = await listAlerts(ab, `fingerprint=${fingerprint(EXPECTED_LABELS)}`);
      expect(byFingerprint.map((a) => a.id)).toEqual([first?.id]);
    }, 30_000);
  },
);
