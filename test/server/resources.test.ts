/**
 * Rules (CRUD, If-Match, filters, pagination, validate, import, export),
 * notification channels and silences.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteContext } from '../../src/server/routes/context.js';
import { lookupFor } from '../../src/server/routes/rule-files.js';
import { call, RULE, setup, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

describe('alert rules', () => {
  let id = '';

  it('creates a rule: 201, Location, ETag, wire names, defaults', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, body: RULE });
    expect(res.status).toBe(201);
    id = String(res.body.id);
    expect(res.headers.location).toBe(`/v1/rules/${id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      name: 'High CPU',
      priority: 'P2',
      for: 300_000,
      keep_firing_for: 0,
      enabled: true,
      tenant_id: 'acme',
      version: 1,
      created_by: expect.stringMatching(/^key:ab_/),
    });
  });

  it('lists every issue of an invalid rule with its path', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: {
        name: '',
        level: 'severe',
        priority: 'P9',
        condition: 'DROP TABLE alerts',
        surprise: 1,
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    const pointers = (res.body.errors as { pointer: string; code: string }[])
      .map((e) => e.pointer)
      .sort();
    expect(pointers).toEqual(['/condition', '/level', '/name', '/priority', '/surprise']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a second rule of the same name', async () => {
    const res = await call(t.app, 'POST', '/v1/rules', { key: t.keys.editor, body: RULE });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALERTBASE_RESOURCE_ALREADY_EXISTS');
  });

  it('updates with If-Match: 412 when stale, 200 and a new ETag otherwise', async () => {
    const stale = await call(t.app, 'PATCH', `/v1/rules/${id}`, {
      key: t.keys.editor,
      body: { description: 'too late' },
      headers: { 'if-match': '"5"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('ALERTBASE_RESOURCE_PRECONDITION_FAILED');
    expect(stale.body.currentVersion).toBe(1);
    const ok = await call(t.app, 'PATCH', `/v1/rules/${id}`, {
      key: t.keys.editor,
      body: { description: 'CPU above 80%', enabled: false },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.body.description).toBe('CPU above 80%');
    const unconditional = await call(t.app, 'PATCH', `/v1/rules/${id}`, {
      key: t.keys.editor,
      body: { enabled: true },
      headers: { 'if-match': '*' },
    });
    expect(unconditional.status).toBe(200);
    const malformed = await call(t.app, 'PATCH', `/v1/rules/${id}`, {
      key: t.keys.editor,
      body: { enabled: true },
      headers: { 'if-match': 'yesterday' },
    });
    expect(malformed.status).toBe(422);
    expect((malformed.body.errors as { pointer: string }[])[0]?.pointer).toBe('/headers/if-match');
    const immutable = await call(t.app, 'PATCH', `/v1/rules/${id}`, {
      key: t.keys.editor,
      body: { id: '01a220fc-0000-7000-8000-000000000001' },
    });
    expect(immutable.status).toBe(422);
  });

  it('soft-deletes and restores', async () => {
    const deleted = await call(t.app, 'DELETE', `/v1/rules/${id}`, { key: t.keys.editor });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted_at).toEqual(expect.any(String));
    expect((await call(t.app, 'GET', `/v1/rules/${id}`, { key: t.keys.viewer })).status).toBe(404);
    const withDeleted = await call(t.app, 'GET', '/v1/rules?include_deleted=true', {
      key: t.keys.viewer,
    });
    expect(withDeleted.body.items?.map((r) => r.id)).toContain(id);
    const restored = await call(t.app, 'POST', `/v1/rules/${id}/restore`, { key: t.keys.editor });
    expect(restored.status).toBe(200);
    expect(restored.body.deleted_at).toBeNull();
    const got = await call(t.app, 'GET', `/v1/rules/${id}`, { key: t.keys.viewer });
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe(`"${String(got.body.version)}"`);
  });

  it('lists with filters and keyset pagination', async () => {
    for (const [name, level, team] of [
      ['disk', 'critical', 'storage'],
      ['latency', 'medium', 'web'],
      ['errors', 'low', 'web'],
    ] as const) {
      const res = await call(t.app, 'POST', '/v1/rules', {
        key: t.keys.editor,
        body: { ...RULE, name, level, labels: { team } },
      });
      expect(res.status).toBe(201);
    }
    const severe = await call(t.app, 'GET', '/v1/rules?level=high', { key: t.keys.viewer });
    expect(severe.body.items?.map((r) => r.name).sort()).toEqual(['High CPU', 'disk']);
    const web = await call(t.app, 'GET', '/v1/rules?label=team=web&status=enabled', {
      key: t.keys.viewer,
    });
    expect(web.body.items?.map((r) => r.name).sort()).toEqual(['errors', 'latency']);
    const first = await call(t.app, 'GET', '/v1/rules?limit=2&order=desc', { key: t.keys.viewer });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(
      t.app,
      'GET',
      `/v1/rules?limit=2&order=desc&cursor=${encodeURIComponent(String(first.body.next_cursor))}`,
      { key: t.keys.viewer },
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    const bad = await call(t.app, 'GET', '/v1/rules?limit=0&level=severe&label=novalue', {
      key: t.keys.viewer,
    });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/label',
      '/level',
      '/limit',
    ]);
  });
});

describe('POST /v1/rules/validate', () => {
  it('reports every level without storing anything', async () => {
    const before = await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer });
    const ok = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: { ...RULE, name: 'dry run' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.valid).toBe(true);
    const bad = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: {
        ...RULE,
        name: 'High CPU',
        condition: 'rate(x[5m]',
        channelIds: ['01a220fc-0000-7000-8000-00000000000f'],
      },
    });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect((bad.body.errors as { level: string }[]).length).toBeGreaterThan(0);
    const after = await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer });
    expect(after.body.items).toHaveLength(before.body.items?.length ?? -1);
    const other = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: { ...RULE, tenant_id: 'globex' },
    });
    expect(other.status).toBe(403);
  });
});

const RULE_FILE = `groups:
  - name: node
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.instance }} is down"
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: disk
        expr: node_filesystem_avail_bytes < 1e9
        labels:
          severity: warning
`;

describe('Prometheus rule files', () => {
  it('imports a rule file: creates new rules, updates those of the same name', async () => {
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: RULE_FILE,
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 1, updated: 1, rejected: 0 });
    const warnings = res.body.warnings as { code: string }[];
    expect(warnings.map((w) => w.code)).toContain('recording_rule_skipped');
    const down = await call(t.app, 'GET', '/v1/rules?level=critical', { key: t.keys.viewer });
    expect(down.body.items?.map((r) => r.name)).toEqual(['InstanceDown']);
    expect(down.body.items?.[0]).toMatchObject({ for: 300_000, group: 'node', priority: 'P1' });
    const again = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: gzipSync(Buffer.from(RULE_FILE)),
      contentType: 'application/yaml',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(again.body.counts).toEqual({ created: 0, updated: 2, rejected: 0 });
  });

  it('refuses an invalid rule file with line and column', async () => {
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: 'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: rate(up[5m]\n',
      contentType: 'text/yaml',
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
    const [first] = res.body.errors as { pointer: string; line?: number }[];
    expect(first?.pointer).toBe('/groups/0/rules/0/expr');
    expect(first?.line).toBe(5);
    const xml = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: '<groups/>',
      contentType: 'application/xml',
    });
    expect(xml.status).toBe(415);
    expect(xml.body.code).toBe('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT');
  });

  it('reports rules the model refuses, per rule', async () => {
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: `groups:\n  - name: g\n    rules:\n      - alert: ${'x'.repeat(300)}\n        expr: up == 0\n`,
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ created: 0, updated: 0, rejected: 1 });
  });

  it('imports in one transaction: a failure part-way stores none of the rules', async () => {
    const names = async () =>
      (await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer })).body.items?.map(
        (r) => r.name,
      );
    const before = await names();
    // The second rule takes the name of the first: its insert fails after the first's.
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: [
        'groups:',
        '  - name: one',
        '    rules:',
        '      - alert: TxFirst',
        '        expr: up == 0',
        '      - alert: TxTwice',
        '        expr: up == 0',
        '  - name: two',
        '    rules:',
        '      - alert: TxTwice',
        '        expr: up == 1',
        '',
      ].join('\n'),
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALERTBASE_RESOURCE_ALREADY_EXISTS');
    expect(await names()).toEqual(before);
  });

  it("keeps a group's interval from import to export", async () => {
    const res = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: 'groups:\n  - name: fast\n    interval: 15s\n    rules:\n      - alert: FastOne\n        expr: up == 0\n',
      contentType: 'application/yaml',
    });
    expect(res.body.counts).toEqual({ created: 1, updated: 0, rejected: 0 });
    const stored = await call(t.app, 'GET', '/v1/rules?limit=1000', { key: t.keys.viewer });
    expect(stored.body.items?.find((r) => r.name === 'FastOne')?.group_interval).toBe(15_000);
    const exported = await call(t.app, 'GET', '/v1/rules/export', { key: t.keys.viewer });
    expect(exported.raw.body).toMatch(/- name: fast\n {4}interval: 15s\n/);
  });

  it('exports the rules as a rule file', async () => {
    const res = await call(t.app, 'GET', '/v1/rules/export?format=prometheus', {
      key: t.keys.viewer,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    const text = res.raw.body;
    expect(text).toContain('alert: InstanceDown');
    expect(text).toContain('expr: up == 0');
    const roundTrip = await call(t.app, 'POST', '/v1/rules/import', {
      key: t.keys.editor,
      raw: text,
      contentType: 'application/yaml',
    });
    expect(roundTrip.body.counts).toMatchObject({ created: 0, rejected: 0 });
    const json = await call(t.app, 'GET', '/v1/rules/export', {
      key: t.keys.viewer,
      accept: 'application/json',
    });
    expect(json.status).toBe(406);
    const other = await call(t.app, 'GET', '/v1/rules/export?format=grafana', {
      key: t.keys.viewer,
    });
    expect(other.status).toBe(422);
  });
});

describe('notification channels', () => {
  it('creates, reads (secrets masked), lists, updates, deletes', async () => {
    const created = await call(t.app, 'POST', '/v1/channels', {
      key: t.keys.editor,
      body: {
        name: 'ops-slack',
        config: {
          type: 'slack',
          webhookUrl: 'https://hooks.slack.com/services/T0/B0/topsecret',
          channel: '#ops',
        },
      },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('topsecret');
    expect(created.body.type).toBe('slack');
    const id = String(created.body.id);
    const bad = await call(t.app, 'POST', '/v1/channels', {
      key: t.keys.editor,
      body: { name: 'pd', config: { type: 'pagerduty', routingKey: 'short' } },
    });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { pointer: string }[])[0]?.pointer).toBe('/config/routingKey');
    const list = await call(t.app, 'GET', '/v1/channels?status=enabled', { key: t.keys.viewer });
    expect(list.body.items?.map((c) => c.id)).toEqual([id]);
    const updated = await call(t.app, 'PATCH', `/v1/channels/${id}`, {
      key: t.keys.editor,
      body: { enabled: false },
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.enabled).toBe(false);
    expect(
      (await call(t.app, 'GET', `/v1/channels/${id}`, { key: t.keys.viewer })).body.enabled,
    ).toBe(false);
    expect((await call(t.app, 'DELETE', `/v1/channels/${id}`, { key: t.keys.editor })).status).toBe(
      200,
    );
    expect((await call(t.app, 'GET', `/v1/channels/${id}`, { key: t.keys.viewer })).status).toBe(
      404,
    );
  });
});

describe('silences', () => {
  it('creates (the author is the key), lists by window, updates, deletes', async () => {
    const now = Date.now();
    const body = {
      matchers: [{ name: 'alertname', value: 'InstanceDown', isRegex: false }],
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      comment: 'maintenance',
    };
    const created = await call(t.app, 'POST', '/v1/silences', { key: t.keys.editor, body });
    expect(created.status).toBe(201);
    expect(created.body.created_by).toMatch(/^key:ab_/);
    expect(created.body.is_active).toBe(true);
    const id = String(created.body.id);
    const named = await call(t.app, 'POST', '/v1/silences', {
      key: t.keys.editor,
      body: {
        ...body,
        created_by: 'ops@acme.example',
        startsAt: new Date(now + 3_600_000).toISOString(),
        endsAt: new Date(now + 7_200_000).toISOString(),
      },
    });
    expect(named.status).toBe(201);
    expect(named.body.is_active).toBe(false);
    const active = await call(t.app, 'GET', '/v1/silences?status=active', { key: t.keys.viewer });
    expect(active.body.items?.map((s) => s.id)).toEqual([id]);
    const backwards = await call(t.app, 'PATCH', `/v1/silences/${id}`, {
      key: t.keys.editor,
      body: { endsAt: new Date(now - 120_000).toISOString() },
    });
    expect(backwards.status).toBe(422);
    expect((backwards.body.errors as { code: string }[])[0]?.code).toBe('ends_before_start');
    const comment = await call(t.app, 'PATCH', `/v1/silences/${id}`, {
      key: t.keys.editor,
      body: { comment: 'longer' },
    });
    expect(comment.status).toBe(200);
    expect((await call(t.app, 'DELETE', `/v1/silences/${id}`, { key: t.keys.editor })).status).toBe(
      200,
    );
  });
});

describe('the consistency lookup of /v1/rules/validate', () => {
  it("sees only the caller's tenant", async () => {
    const lookup = lookupFor({ db: t.db } as RouteContext, 'acme');
    const [rule] =
      (await call(t.app, 'GET', '/v1/rules?limit=1', { key: t.keys.viewer })).body.items ?? [];
    const id = String(rule?.id);
    expect(await lookup.findEntities?.('AlertRule', [id, 'nope'])).toEqual([
      { id, tenantId: 'acme' },
    ]);
    expect(await lookup.findEntities?.('Unknown', [id])).toEqual([]);
    expect(await lookup.findEntities?.('AlertRule', [])).toEqual([]);
    expect(await lookup.findIdByName?.('AlertRule', 'acme', String(rule?.name))).toBe(id);
    expect(await lookup.findIdByName?.('AlertRule', 'globex', String(rule?.name))).toBeUndefined();
    expect(await lookup.findIdByName?.('Silence', 'acme', 'x')).toBeUndefined();
    expect(await lookup.countEntities?.('AlertRule', 'acme')).toBeGreaterThan(0);
    expect(await lookup.countEntities?.('AlertRule', 'globex')).toBe(0);
    expect(await lookup.countEntities?.('Unknown', 'acme')).toBe(0);
  });
});

describe('bodies that are not objects', () => {
  // POST /v1/channels with the JSON `null` answered 500: the channel's URL
  // check read `config` of null before the model refused the body.
  it('are refused by the model (422) on every resource, to create and to update', async () => {
    for (const path of ['/v1/rules', '/v1/channels', '/v1/silences', '/v1/inhibit-rules']) {
      for (const raw of ['null', '[]', '"x"', '0', 'true']) {
        const created = await call(t.app, 'POST', path, {
          key: t.keys.owner,
          raw,
          contentType: 'application/json',
        });
        expect(created.status, `POST ${path} ${raw}`).toBe(422);
        expect(created.body.code, `POST ${path} ${raw}`).toBe('ALERTBASE_VALIDATION_FAILED');
        const updated = await call(t.app, 'PATCH', `${path}/0193a000-0000-7000-8000-000000000000`, {
          key: t.keys.owner,
          raw,
          contentType: 'application/json',
        });
        expect([404, 422], `PATCH ${path} ${raw}: ${updated.status}`).toContain(updated.status);
      }
    }
  });
});
