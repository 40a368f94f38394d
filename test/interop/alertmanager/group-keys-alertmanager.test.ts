/**
 * Group keys against a real Alertmanager 0.25 (Debian `prometheus-alertmanager`):
 * one routing tree is given to Alertmanager, whose receivers are webhooks on
 * a loopback server, and to alertbase; after the same alerts are posted, the
 * `(receiver, groupKey, groupLabels)` of every notification Alertmanager
 * sends must be exactly those `matchRoutes` + `groupKey` give.
 */

import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKey, matchRoutes, RoutingTree } from '../../../src/domain/index.js';
import {
  ALERTMANAGER_BIN,
  findBinary,
  freePort,
  type RunningProcess,
  startProcess,
  type TempDir,
  tempDir,
  waitFor,
  waitUntilReady,
} from '../../e2e/processes.js';

const bin = await findBinary(ALERTMANAGER_BIN);
if (bin === undefined) {
  if (process.env.CI === 'true')
    throw new Error(`${ALERTMANAGER_BIN} is required in CI but is not installed`);
  process.stderr.write(
    `skipping the group key differential: ${ALERTMANAGER_BIN} is not installed\n`,
  );
}

const RECEIVERS = ['default', 'pager', 'db', 'db-dev', 'everything'];

const ROUTE = {
  receiver: 'default',
  group_by: ['alertname', 'cluster'],
  group_wait: '100ms',
  group_interval: '1s',
  repeat_interval: '1h',
  routes: [
    { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
    {
      matchers: ['service=~"mysql|postgres"'],
      receiver: 'db',
      group_by: ['service'],
      routes: [{ matchers: ['env!="prod"', 'team=~".*"'], receiver: 'db-dev' }],
    },
    { matchers: ['team="all"'], receiver: 'everything', group_by: ['...'] },
  ],
};

const ALERTS: Record<string, string>[] = [
  { alertname: 'DiskFull', cluster: 'eu1', instance: 'a' },
  { alertname: 'DiskFull', cluster: 'eu1', instance: 'b', severity: 'critical' },
  { alertname: 'Slow "query"', service: 'mysql', env: 'prod', cluster: 'eu1' },
  { alertname: 'Slow', service: 'postgres', env: 'dev', cluster: 'us1' },
  { alertname: 'Any', team: 'all', note: 'line\nbreak', severity: 'critical' },
];

interface Notification {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Record<string, string>;
  readonly alerts: { labels: Record<string, string> }[];
}

describe.skipIf(bin === undefined)('group keys agree with Alertmanager 0.25', () => {
  const received: Notification[] = [];
  let server: Server;
  let dir: TempDir;
  let am: RunningProcess;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Notification);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const hook = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    dir = await tempDir('am-group-keys');
    const port = await freePort();
    const config = {
      route: ROUTE,
      receivers: RECEIVERS.map((name) => ({ name, webhook_configs: [{ url: `${hook}/${name}` }] })),
    };
    const file = join(dir.path, 'alertmanager.yml');
    await writeFile(file, JSON.stringify(config));
    am = startProcess(
      bin as string,
      [
        `--config.file=${file}`,
        `--storage.path=${join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      dir.path,
    );
    url = `http://127.0.0.1:${port}`;
    await waitUntilReady(`${url}/-/ready`, am);
  }, 30_000);

  afterAll(async () => {
    await am?.stop();
    await new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    );
    await dir?.remove();
  });

  it('every notification carries the receiver, group key and group labels alertbase computes', async () => {
    const tree = RoutingTree.parse({
      tenantId: 'acme',
      route: ROUTE,
      receivers: RECEIVERS.map((name) => ({ name })),
    });
    const expected = new Map<
      string,
      { receiver: string; groupKey: string; groupLabels: Record<string, string> }
    >();
    for (const labels of ALERTS) {
      for (const route of matchRoutes(tree, labels)) {
        const group = groupKey(route, labels);
        expected.set(`${route.receiver} ${group.key}`, {
          receiver: route.receiver,
          groupKey: group.key,
          groupLabels: group.groupLabels,
        });
      }
    }
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ALERTS.map((labels) => ({ labels }))),
    });
    expect(res.status).toBe(200);
    await waitFor(
      'every group to be notified',
      async () => (received.length >= expected.size ? true : undefined),
      {
        timeoutMs: 15_000,
        log: am.log,
      },
    );
    // Allow a late extra notification to show up before comparing.
    await new Promise((r) => setTimeout(r, 300));
    const got = received.map((n) => ({
      receiver: n.receiver,
      groupKey: n.groupKey,
      groupLabels: n.groupLabels,
    }));
    const byKey = (
      a: { receiver: string; groupKey: string },
      b: { receiver: string; groupKey: string },
    ) => `${a.receiver} ${a.groupKey}`.localeCompare(`${b.receiver} ${b.groupKey}`);
    expect(got.sort(byKey)).toEqual([...expected.values()].sort(byKey));
    // default and pager share DiskFull/eu1 groups; db, db-dev, pager (Any) and everything one each.
    expect(expected.size).toBe(6);
  }, 30_000);
});
