/**
 * A model-based test of the alert API with fast-check's `fc.commands`: two
 * tenants, each command sent through the app and applied to an in-memory
 * model (ingest of a new alert or a resend, acknowledge, unacknowledge,
 * resolve, reopen, list with cursors). Any divergence fails the run and
 * fast-check prints the shrunk sequence. Each run gets two fresh tenants on
 * one database (a new database per run would be most of the time).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_STATUS_TRANSITIONS, type AlertStatus } from '../../src/base/enums/alert-status.js';
import { loadConfig } from '../../src/config/index.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { call, setupOn, type TestApp } from '../server/helpers.js';

const NAMES = ['Cpu', 'Disk', 'Mem'] as const;
const ACTIONS = ['acknowledge', 'unacknowledge', 'resolve', 'reopen'] as const;
const RUNS = Number(process.env.ALERTBASE_MODEL_RUNS ?? 200);
const COMMANDS = 50;

interface ModelAlert {
  readonly id: string;
  readonly name: string;
  status: AlertStatus;
  duplicates: number;
}

/** Per tenant, the alerts in creation order. */
type Model = Record<'a' | 'b', ModelAlert[]>;

interface Real {
  readonly t: TestApp;
  readonly keys: Record<'a' | 'b', string>;
}

const isOpen = (a: ModelAlert): boolean => a.status !== 'resolved' && a.status !== 'expired';
const latest = (alerts: readonly ModelAlert[], name: string): ModelAlert | undefined =>
  alerts.filter((a) => a.name === name).at(-1);

class Ingest implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly tenant: 'a' | 'b',
    readonly name: string,
  ) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const res = await call(real.t.app, 'POST', '/v1/alerts', {
      key: real.keys[this.tenant],
      body: [{ labels: { alertname: this.name }, level: 'high', priority: 'P2' }],
    });
    expect(res.status).toBe(200);
    const item = res.body.items?.[0] as { result: string; id: string };
    const open = model[this.tenant].find((a) => a.name === this.name && isOpen(a));
    if (open !== undefined) {
      expect([item.result, item.id]).toEqual(['deduplicated', open.id]);
      open.duplicates++;
    } else {
      expect(item.result).toBe('created');
      model[this.tenant].push({ id: item.id, name: this.name, status: 'firing', duplicates: 0 });
    }
  }
  toString = (): string => `ingest(${this.tenant}, ${this.name})`;
}

class Act implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly tenant: 'a' | 'b',
    readonly name: string,
    readonly action: (typeof ACTIONS)[number],
  ) {}
  check = (model: Readonly<Model>): boolean => latest(model[this.tenant], this.name) !== undefined;
  async run(model: Model, real: Real): Promise<void> {
    const alert = latest(model[this.tenant], this.name) as ModelAlert;
    const res = await call(real.t.app, 'POST', `/v1/alerts/${alert.id}/${this.action}`, {
      key: real.keys[this.tenant],
      body: {},
    });
    const next = ALERT_STATUS_TRANSITIONS[alert.status][this.action];
    if (next === undefined) {
      expect([res.status, res.body.code]).toEqual([409, 'ALERTBASE_STATUS_INVALID_TRANSITION']);
      return;
    }
    expect([res.status, res.body.status]).toEqual([200, next]);
    alert.status = next as AlertStatus;
  }
  toString = (): string => `${this.action}(${this.tenant}, ${this.name})`;
}

class List implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly tenant: 'a' | 'b',
    readonly limit: number,
  ) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const seen: [string, string, number][] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query: string = `limit=${this.limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await call(real.t.app, 'GET', `/v1/alerts?${query}`, {
        key: real.keys[this.tenant],
      });
      expect(res.status).toBe(200);
      for (const item of res.body.items ?? []) {
        seen.push([String(item.id), String(item.status), Number(item.duplicate_count)]);
      }
      cursor = (res.body.next_cursor as string | null) ?? null;
      if (cursor === null) break;
    }
    const expected = model[this.tenant].map((a): [string, string, number] => [
      a.id,
      a.status,
      a.duplicates,
    ]);
    // Every alert once, none of the other tenant's; the order is the API's.
    expect([...seen].sort()).toEqual([...expected].sort());
  }
  toString = (): string => `list(${this.tenant}, limit ${this.limit})`;
}

const tenant = fc.constantFrom<'a' | 'b'>('a', 'b');
const name = fc.constantFrom(...NAMES);
const commands = [
  fc.tuple(tenant, name).map(([t, n]) => new Ingest(t, n)),
  fc.tuple(tenant, name, fc.constantFrom(...ACTIONS)).map(([t, n, a]) => new Act(t, n, a)),
  fc.tuple(tenant, fc.integer({ min: 1, max: 4 })).map(([t, l]) => new List(t, l)),
];

describe('the alert API against a model (fc.commands)', () => {
  let t: TestApp;
  let run = 0;
  beforeAll(async () => {
    // The model counts every resend in `duplicate_count` at once: resends are
    // written before the answer here (window 0). Heartbeats written behind have
    // their own model test (test/storage/heartbeats.test.ts).
    const { config } = await loadConfig({
      env: { INGEST_HEARTBEAT_WINDOW_MS: '0' },
      cwd: '/nonexistent-alertbase-test',
    });
    t = await setupOn(await createTestDatabase(), { config });
  });
  afterAll(async () => t?.close());

  /** Two fresh tenants and their responder keys. */
  async function freshTenants(): Promise<Record<'a' | 'b', string>> {
    run++;
    const keys = {} as Record<'a' | 'b', string>;
    for (const side of ['a', 'b'] as const) {
      const id = `model-${run}-${side}`;
      await t.repos.tenants.create({ id, name: id, tier: 'enterprise' }, 'model');
      keys[side] = (await t.repos.apiKeys.issue(id, { name: 'm', role: 'responder' }, 'model')).key;
    }
    return keys;
  }

  it(`agrees with the model: ${RUNS} runs of up to ${COMMANDS} commands`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: COMMANDS }), async (cmds) => {
        const keys = await freshTenants();
        await fc.asyncModelRun(() => ({ model: { a: [], b: [] }, real: { t, keys } }), cmds);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
