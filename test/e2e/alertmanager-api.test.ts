/**
 * alertbase answers as Alertmanager 0.25 does, checked against the real one
 * in the same test:
 *
 * - a seeded set of alerts, silences (every matcher kind, regexes with
 *   alternation, anchors and empty-label matches) and inhibition rules is
 *   posted to both; which silences each side accepts, and which alerts it
 *   reports silenced (by which silences), inhibited and active, agree;
 * - Debian's `amtool` (with `--http.config.file` carrying alertbase's key)
 *   adds, queries and expires silences and queries alerts against both,
 *   with the same answers;
 * - both sides' answers fit the response schemas alertbase documents
 *   (`alertmanager-api-schemas.ts`), silence ids aside (UUIDv4 there).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AlertmanagerAlertGroup,
  AlertmanagerGettableAlert,
  AlertmanagerGettableSilence,
  AlertmanagerReceiver,
  AlertmanagerStatus,
} from '../../src/server/routes/alertmanager-api-schemas.js';
import { describeWithBinary, type E2eAlertbase, startAlertbase } from './helpers.js';
import {
  ALERTMANAGER_BIN,
  findBinary,
  type RunningAlertmanager,
  startAlertmanager,
  type TempDir,
  tempDir,
} from './processes.js';

const run = promisify(execFile);

/** A UUIDv4, as Alertmanager names its silences. */
const UUID_V4 = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;

/** A small seeded PRNG (mulberry32): the same set on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type M = { name: string; value: string; isRegex: boolean; isEqual: boolean };
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const NAMES = ['HighCPU', 'DiskFull', 'InstanceDown', 'SlowIngest', 'Watchdog'];
const SEVERITIES = ['critical', 'warning', 'info', ''];
const TEAMS = ['db', 'web', 'ops', ''];
const CLUSTERS = ['eu-1', 'us-1', ''];

/** ≥ 200 distinct label sets; an empty value means the label is absent. */
function generateAlerts(r: () => number, count: number): Record<string, string>[] {
  const seen = new Set<string>();
  const out: Record<string, string>[] = [];
  while (out.length < count) {
    const labels: Record<string, string> = {
      alertname: pick(r, NAMES),
      instance: `${pick(r, ['web', 'db', 'cache'])}-${1 + Math.floor(r() * 12)}`,
    };
    for (const [name, values] of [
      ['severity', SEVERITIES],
      ['team', TEAMS],
      ['cluster', CLUSTERS],
    ] as const) {
      const v = pick(r, values);
      if (v !== '') labels[name] = v;
    }
    const key = JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(labels);
  }
  return out;
}

const REGEXES = [
  'web-[0-9]+',
  'crit.*|warn.*',
  '(db|web)-1[0-2]?',
  '^web-1$',
  'High.*',
  '.+',
  '',
  'cache-(3|4|5)',
  'eu-.*|',
  '[a-z]+-[13579]',
  '(?i)highcpu',
  'Disk\\w+',
];
const VALUES = ['HighCPU', 'critical', 'web-3', 'db', 'eu-1', '', 'warning', 'ops'];
const LABELS = ['alertname', 'instance', 'severity', 'team', 'cluster'];

/** ≥ 30 silences with every matcher kind (some match everything: both must refuse those). */
function generateSilences(r: () => number, count: number): M[][] {
  const out: M[][] = [];
  for (let k = 0; k < count; k++) {
    const n = 1 + Math.floor(r() * 3);
    // The first matcher names an alert (most silences do), the others vary.
    const matchers: M[] =
      r() < 0.7
        ? [{ name: 'alertname', value: pick(r, NAMES), isRegex: false, isEqual: true }]
        : [];
    for (let j = 0; j < n; j++) {
      const isRegex = r() < 0.5;
      matchers.push({
        name: pick(r, LABELS),
        value: isRegex ? pick(r, REGEXES) : pick(r, VALUES),
        isRegex,
        isEqual: r() < 0.75,
      });
    }
    out.push(matchers);
  }
  return out;
}

const INHIBIT_RULES = [
  {
    name: 'critical mutes warning',
    sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }],
    targetMatchers: [{ name: 'severity', value: 'warning|info', isRegex: true, isEqual: true }],
    equal: ['alertname', 'cluster'],
  },
  {
    name: 'down mutes the rest of its instance',
    sourceMatchers: [{ name: 'alertname', value: 'InstanceDown', isRegex: false, isEqual: true }],
    targetMatchers: [{ name: 'alertname', value: 'InstanceDown', isRegex: false, isEqual: false }],
    equal: ['instance'],
  },
];

const matcherText = (m: M): string =>
  `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}${JSON.stringify(m.value)}`;

interface Gettable {
  fingerprint: string;
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

await describeWithBinary(
  'Alertmanager API v2: alertbase and a real Alertmanager 0.25 agree',
  ALERTMANAGER_BIN,
  (bin) => {
    let ab: E2eAlertbase | undefined;
    let am: RunningAlertmanager | undefined;
    let dir: TempDir | undefined;
    let amtool: string | undefined;
    /** Per silence of the generated set: its id on each side, or the status that refused it. */
    const silenceIds: { am: string | number; ab: string | number }[] = [];

    const abFetch = (
      path: string,
      init: RequestInit & { key?: string | undefined } = {},
    ): Promise<Response> =>
      fetch(`${ab?.url}${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${init.key ?? ab?.editorKey}`,
        },
      });
    const amFetch = (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${am?.url}${path}`, { ...init, headers: { 'content-type': 'application/json' } });

    const postSilence = async (
      matchers: M[],
    ): Promise<{ am: string | number; ab: string | number }> => {
      const body = JSON.stringify({
        matchers,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'e2e',
        comment: 'differential',
      });
      const [a, b] = await Promise.all([
        amFetch('/api/v2/silences', { method: 'POST', body }),
        abFetch('/api/v2/silences', { method: 'POST', body }),
      ]);
      const side = async (res: Response): Promise<string | number> => {
        if (res.status === 200) return ((await res.json()) as { silenceID: string }).silenceID;
        await res.arrayBuffer();
        return res.status;
      };
      return { am: await side(a), ab: await side(b) };
    };

    const postAlerts = async (labelSets: readonly Record<string, string>[]): Promise<void> => {
      const body = JSON.stringify(
        labelSets.map((labels) => ({
          labels,
          annotations: { summary: `${labels.alertname} on ${labels.instance}` },
          startsAt: new Date(Date.now() - 120_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        })),
      );
      const [a, b] = await Promise.all([
        amFetch('/api/v2/alerts', { method: 'POST', body }),
        abFetch('/api/v2/alerts', { method: 'POST', body, key: ab?.ingestKey }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
    };

    beforeAll(async () => {
      amtool = await findBinary('amtool');
      ab = await startAlertbase();
      am = await startAlertmanager(bin, {
        inhibitRules: INHIBIT_RULES.map((r) => ({
          source_matchers: r.sourceMatchers.map(matcherText),
          target_matchers: r.targetMatchers.map(matcherText),
          equal: r.equal,
        })),
      });
      dir = await tempDir('amtool');
      await writeFile(
        join(dir.path, 'http.yml'),
        JSON.stringify({ authorization: { credentials: ab.editorKey } }),
      );
      for (const rule of INHIBIT_RULES) {
        const res = await abFetch('/v1/inhibit-rules', {
          method: 'POST',
          body: JSON.stringify(rule),
        });
        expect(res.status).toBe(201);
      }
      const r = prng(20261202);
      const alerts = generateAlerts(r, 240);
      const silences = [
        ...generateSilences(r, 40),
        // Refused by Alertmanager: matches everything, a bad regex, an empty-only regex.
        [{ name: 'severity', value: '', isRegex: false, isEqual: true }],
        [{ name: 'team', value: '(db', isRegex: true, isEqual: true }],
        [{ name: 'cluster', value: 'eu-.*|', isRegex: true, isEqual: true }],
        // Accepted: a negative matcher never counts as matching everything.
        [{ name: 'team', value: 'web', isRegex: false, isEqual: false }],
      ];
      // Half the alerts before the silences (suppressed when a silence is
      // created), half after (suppressed at ingest).
      await postAlerts(alerts.slice(0, 120));
      for (const s of silences) silenceIds.push(await postSilence(s));
      await postAlerts(alerts.slice(120));
    }, 120_000);

    afterAll(async () => {
      await am?.close();
      await ab?.close();
      await dir?.remove();
    });

    const bothAlerts = async (query: string): Promise<[Gettable[], Gettable[]]> => {
      const [a, b] = await Promise.all([
        amFetch(`/api/v2/alerts${query}`),
        abFetch(`/api/v2/alerts${query}`, { key: ab?.readKey }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      return [(await a.json()) as Gettable[], (await b.json()) as Gettable[]];
    };

    /** Per fingerprint: state, the generated silences (by index) that silence it, inhibited or not. */
    const summary = (alerts: readonly Gettable[], side: 'am' | 'ab'): Map<string, unknown> => {
      const index = new Map(silenceIds.map((ids, k) => [String(ids[side]), k]));
      return new Map(
        alerts.map((a) => [
          a.fingerprint,
          {
            state: a.status.state,
            silencedBy: a.status.silencedBy
              .map((id) => index.get(id))
              .sort((x, y) => Number(x) - Number(y)),
            inhibited: a.status.inhibitedBy.length > 0,
          },
        ]),
      );
    };

    it('accepts and refuses the same silences', () => {
      const verdicts = silenceIds.map((ids) => [
        typeof ids.am === 'string' ? 200 : ids.am,
        typeof ids.ab === 'string' ? 200 : ids.ab,
      ]);
      for (const [a, b] of verdicts) expect(b).toBe(a);
      // The set exercises both verdicts.
      expect(verdicts.filter(([a]) => a === 200).length).toBeGreaterThanOrEqual(30);
      expect(verdicts.some(([a]) => a === 400)).toBe(true);
    });

    it('reports the same alerts silenced (by the same silences), inhibited and active', async () => {
      const [theirs, ours] = await bothAlerts('');
      expect(ours.length).toBe(240);
      expect(ours.map((a) => a.fingerprint)).toEqual(theirs.map((a) => a.fingerprint));
      expect(summary(ours, 'ab')).toEqual(summary(theirs, 'am'));
      const silenced = ours.filter((a) => a.status.silencedBy.length > 0).length;
      const inhibited = ours.filter((a) => a.status.inhibitedBy.length > 0).length;
      // The set is not degenerate: some of each, not all.
      expect(silenced).toBeGreaterThan(10);
      expect(silenced).toBeLessThan(ours.length);
      expect(ours.some((a) => a.status.state === 'active')).toBe(true);
      expect(inhibited).toBeGreaterThan(5);
    });

    it('filters alike: silenced, inhibited, active and matchers', async () => {
      for (const query of [
        '?silenced=false',
        '?inhibited=false',
        '?active=false',
        '?silenced=false&inhibited=false',
        `?filter=${encodeURIComponent('severity=~"crit.*"')}&filter=${encodeURIComponent('team!="db"')}`,
        `?filter=${encodeURIComponent('cluster=""')}`,
        `?filter=${encodeURIComponent('team!=""')}&silenced=false`,
      ]) {
        const [theirs, ours] = await bothAlerts(query);
        expect(
          ours.map((a) => a.fingerprint),
          query,
        ).toEqual(theirs.map((a) => a.fingerprint));
      }
      const [a, b] = await Promise.all([
        amFetch(`/api/v2/alerts?filter=${encodeURIComponent('bad matcher')}`),
        abFetch(`/api/v2/alerts?filter=${encodeURIComponent('bad matcher')}`, { key: ab?.readKey }),
      ]);
      expect([b.status]).toEqual([a.status]);
    });

    it("fits both sides' answers to alertbase's documented schemas (ids aside)", async () => {
      // Alertmanager's silence ids are UUIDv4, alertbase's UUIDv7 (its documented bound).
      const asV7 = (text: string): unknown =>
        JSON.parse(text.replace(UUID_V4, '01a220fc-0000-7000-8000-000000000000'));
      const firstId = (side: 'am' | 'ab'): string =>
        String(silenceIds.find((s) => typeof s[side] === 'string')?.[side]);
      const cases: [string, string, z.ZodType][] = [
        ['/api/v2/alerts', '/api/v2/alerts', z.array(AlertmanagerGettableAlert)],
        ['/api/v2/alerts/groups', '/api/v2/alerts/groups', z.array(AlertmanagerAlertGroup)],
        ['/api/v2/silences', '/api/v2/silences', z.array(AlertmanagerGettableSilence)],
        [
          `/api/v2/silence/${firstId('am')}`,
          `/api/v2/silence/${firstId('ab')}`,
          AlertmanagerGettableSilence,
        ],
        ['/api/v2/status', '/api/v2/status', AlertmanagerStatus],
        ['/api/v2/receivers', '/api/v2/receivers', z.array(AlertmanagerReceiver)],
      ];
      for (const [amPath, abPath, schema] of cases) {
        const [a, b] = await Promise.all([amFetch(amPath), abFetch(abPath, { key: ab?.readKey })]);
        for (const [side, res] of [
          ['alertmanager', a],
          ['alertbase', b],
        ] as const) {
          expect([side, amPath, res.status]).toEqual([side, amPath, 200]);
          const parsed = schema.safeParse(asV7(await res.text()));
          expect([side, amPath, parsed.error?.issues ?? []]).toEqual([side, amPath, []]);
        }
      }
    });

    it('amtool adds, queries and expires silences and queries alerts against both alike', async () => {
      if (amtool === undefined) {
        if (process.env.CI === 'true') throw new Error('amtool is missing; CI=true requires it');
        return;
      }
      const tool = amtool;
      const http = join(dir?.path ?? '', 'http.yml');
      const amtoolOn = async (url: string, args: string[]): Promise<string> => {
        const { stdout } = await run(tool, [
          `--alertmanager.url=${url}`,
          ...(url === ab?.url ? [`--http.config.file=${http}`] : []),
          ...args,
        ]);
        return stdout;
      };
      const both = (args: string[]): Promise<[string, string]> =>
        Promise.all([amtoolOn(am?.url ?? '', args), amtoolOn(ab?.url ?? '', args)]);

      const [idAm, idAb] = await both([
        'silence',
        'add',
        'alertname=Watchdog',
        'team=~"web|ops"',
        '--comment=amtool differential',
        '--author=e2e',
        '--duration=1h',
      ]);
      expect(idAm.trim()).toMatch(/^[0-9a-f-]{36}$/);
      expect(idAb.trim()).toMatch(/^[0-9a-f-]{36}$/);

      type AmtoolSilence = {
        id: string;
        matchers: M[];
        comment: string;
        status: { state: string };
      };
      const shape = (out: string, id: string): unknown =>
        (JSON.parse(out) as AmtoolSilence[])
          .filter((s) => s.comment === 'amtool differential')
          .map((s) => ({ mine: s.id === id, matchers: s.matchers, state: s.status.state }));
      const [qAm, qAb] = await both(['silence', 'query', '-o', 'json', 'alertname=Watchdog']);
      expect(shape(qAb, idAb.trim())).toEqual(shape(qAm, idAm.trim()));
      expect(shape(qAb, idAb.trim())).toEqual([
        {
          mine: true,
          matchers: [
            { name: 'alertname', value: 'Watchdog', isRegex: false, isEqual: true },
            { name: 'team', value: 'web|ops', isRegex: true, isEqual: true },
          ],
          state: 'active',
        },
      ]);

      const fingerprints = (out: string): string[] =>
        (JSON.parse(out) as Gettable[]).map((a) => a.fingerprint).sort();
      for (const args of [
        ['alert', 'query', '-o', 'json'],
        ['alert', 'query', '-o', 'json', '--silenced'],
        ['alert', 'query', '-o', 'json', '--inhibited'],
        ['alert', 'query', '-o', 'json', 'alertname=Watchdog'],
        ['alert', 'query', '-o', 'json', '--silenced', 'alertname=Watchdog'],
      ]) {
        const [a, b] = await both(args);
        expect(fingerprints(b), args.join(' ')).toEqual(fingerprints(a));
      }

      await Promise.all([
        amtoolOn(am?.url ?? '', ['silence', 'expire', idAm.trim()]),
        amtoolOn(ab?.url ?? '', ['silence', 'expire', idAb.trim()]),
      ]);
      const [eAm, eAb] = await both([
        'silence',
        'query',
        '-o',
        'json',
        '--expired',
        'alertname=Watchdog',
      ]);
      expect(shape(eAb, idAb.trim())).toEqual(shape(eAm, idAm.trim()));
      expect((shape(eAb, idAb.trim()) as { state: string }[])[0]?.state).toBe('expired');
      const [after1, after2] = await both([
        'alert',
        'query',
        '-o',
        'json',
        '--silenced',
        'alertname=Watchdog',
      ]);
      expect(fingerprints(after2)).toEqual(fingerprints(after1));
    });

    it('keeps tenants apart: another tenant sees none of these silences or alerts', async () => {
      const res = await fetch(`${ab?.url}/api/v2/silences`);
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    });
  },
);
