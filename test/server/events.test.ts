/**
 * `GET /v1/events`: a tenant's changes as server-sent events, over a real
 * socket — live, resumable, tenant-scoped, without audited reads, across
 * two app instances sharing one database, and ended when the app closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { MAX_STREAMS_PER_TENANT, sseOf } from '../../src/server/routes/events.js';
import { call, setup, type TestApp } from './helpers.js';

interface Received {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

/** A stream read in the background: every event received so far, and a way to wait for one. */
interface Stream {
  readonly status: number;
  readonly events: Received[];
  waitFor(match: (e: Received) => boolean, timeoutMs?: number): Promise<Received>;
  readonly ended: Promise<void>;
  close(): void;
}

async function open(
  base: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/v1/events`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: Received[] = [];
  const waiters: (() => void)[] = [];
  const ended = (async () => {
    if (res.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          const lines = block.split('\n').filter((l) => !l.startsWith(':') && l !== '');
          const field = (name: string) =>
            lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data === undefined) continue;
          events.push({
            event: field('event') ?? 'message',
            id: field('id'),
            data: JSON.parse(data),
          });
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    events,
    ended,
    close: () => abort.abort(),
    async waitFor(match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching event in ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

describe('GET /v1/events', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await setup({ eventPollMs: 50, readAuditFlushMs: 20 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams an ingest and a transition live, and not audited reads', async () => {
    const stream = await open(base, t.keys.viewer);
    expect(stream.status).toBe(200);
    const ready = await stream.waitFor((e) => e.event === 'ready');
    expect(typeof ready.data.after).toBe('number');
    const ingest = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: 'Live', team: 'db' }, level: 'high', priority: 'P2' }],
    });
    expect(ingest.status).toBe(200);
    const id = (ingest.body.items as { id: string }[])[0]?.id as string;
    const ingested = await stream.waitFor((e) => e.event === 'alert' && e.data.action === 'ingest');
    expect(ingested.data).toMatchObject({ entity_type: 'Alert', details: { created: 1 } });
    expect(Number(ingested.id)).toBe(ingested.data.seq);
    expect(Number(ingested.id)).toBeGreaterThan(ready.data.after as number);

    // A read is audited (written to the trail within readAuditFlushMs) but is not a change.
    expect((await call(t.app, 'GET', '/v1/alerts', { key: t.keys.viewer })).status).toBe(200);
    const ack = await call(t.app, 'POST', `/v1/alerts/${id}/acknowledge`, {
      key: t.keys.responder,
    });
    expect(ack.status).toBe(200);
    const transition = await stream.waitFor(
      (e) => e.event === 'alert' && e.data.entity_id === id && e.data.action === 'transition',
    );
    expect(transition.data.details).toMatchObject({ action: 'acknowledge', to: 'acknowledged' });
    const reads = await t.repos.audit.list('acme', { action: 'read' });
    expect(reads.length).toBeGreaterThan(0);
    expect(stream.events.some((e) => e.data.action === 'read')).toBe(false);

    // Another kind of change arrives as `change`.
    const rule = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { name: 'Streamed', condition: 'up == 0', level: 'high', priority: 'P2' },
    });
    expect(rule.status).toBe(201);
    const created = await stream.waitFor((e) => e.event === 'change');
    expect(created.data).toMatchObject({ action: 'create', entity_type: 'AlertRule' });
    stream.close();
    await stream.ended;
  });

  it('keeps tenants apart, resumes from Last-Event-ID and filters by type', async () => {
    const other = await open(base, t.otherKey);
    await other.waitFor((e) => e.event === 'ready');
    const mine = await open(base, t.keys.viewer);
    const ready = await mine.waitFor((e) => e.event === 'ready');
    const at = ready.data.after as number;
    const ingest = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: 'Scoped' }, level: 'low', priority: 'P4' }],
    });
    expect(ingest.status).toBe(200);
    await mine.waitFor((e) => e.event === 'alert');
    // Several polls later the other tenant has still seen nothing but its own ready.
    await new Promise((r) => setTimeout(r, 200));
    expect(other.events.map((e) => e.event)).toEqual(['ready']);

    const resumed = await open(base, t.keys.viewer, { 'last-event-id': String(at) });
    const again = await resumed.waitFor((e) => e.event === 'alert');
    expect(again.data.seq).toBe(at + 1);
    const rule = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { name: 'Filtered', condition: 'up == 0', level: 'high', priority: 'P2' },
    });
    expect(rule.status).toBe(201);
    const abort = new AbortController();
    const onlyRules = await fetch(`${base}/v1/events?after=${at}&types=AlertRule`, {
      headers: { authorization: `Bearer ${t.keys.viewer}` },
      signal: abort.signal,
    });
    const reader = onlyRules.body?.getReader();
    let text = '';
    while (!text.includes('event: change')) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    abort.abort();
    expect(text).toContain('"entity_type":"AlertRule"');
    expect(text).not.toContain('event: alert');
    for (const s of [other, mine, resumed]) s.close();
  });

  it('ends after `timeout` seconds', async () => {
    const res = await call(t.app, 'GET', '/v1/events?timeout=0', { key: t.keys.viewer });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.raw.body).toMatch(/^retry: 2000\nevent: ready\ndata: \{"after":\d+\}\n\n$/);
  });

  it(`refuses a tenant's stream past ${MAX_STREAMS_PER_TENANT} on one instance, with 429`, async () => {
    const streams = await Promise.all(
      Array.from({ length: MAX_STREAMS_PER_TENANT }, () => open(base, t.keys.viewer)),
    );
    expect(streams.every((s) => s.status === 200)).toBe(true);
    const refused = await call(t.app, 'GET', '/v1/events', { key: t.keys.viewer });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('ALERTBASE_RATE_LIMITED');
    expect(refused.headers['retry-after']).toBe('5');
    // Another tenant is not held back by this one.
    const other = await call(t.app, 'GET', '/v1/events?timeout=0', { key: t.otherKey });
    expect(other.status).toBe(200);
    for (const s of streams) s.close();
    await Promise.all(streams.map((s) => s.ended));
  });

  it('refuses without a key, and a bad query', async () => {
    expect((await call(t.app, 'GET', '/v1/events', { key: null })).status).toBe(401);
    const bad = await call(t.app, 'GET', '/v1/events?after=x', { key: t.keys.viewer });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('ALERTBASE_VALIDATION_FAILED');
  });

  it('sees the changes another instance makes in the same database', async () => {
    const { config } = await loadConfig({ env: {}, cwd: '/nonexistent-alertbase-test' });
    const second = await buildApp({ db: t.db, config, keyRing: t.keyRing });
    try {
      const stream = await open(base, t.keys.viewer);
      await stream.waitFor((e) => e.event === 'ready');
      const res = await second.inject({
        method: 'POST',
        url: '/v1/alerts',
        headers: { authorization: `Bearer ${t.keys.responder}` },
        payload: [{ labels: { alertname: 'Elsewhere' }, level: 'low', priority: 'P4' }],
      });
      expect(res.statusCode).toBe(200);
      const e = await stream.waitFor((x) => x.event === 'alert');
      expect(e.data.details).toMatchObject({ created: 1 });
      stream.close();
    } finally {
      await second.close();
    }
  });

  it('ends open streams when the app closes', async () => {
    const s = await setup({ eventPollMs: 50 });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const address = s.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const stream = await open(`http://127.0.0.1:${address.port}`, s.keys.viewer);
    await stream.waitFor((e) => e.event === 'ready');
    const started = Date.now();
    await s.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('writes one audit event as one server-sent event', () => {
    const text = sseOf({
      seq: 7,
      at: new Date('2026-12-01T00:00:00Z'),
      action: 'transition',
      entityType: 'Alert',
      entityId: 'a1',
      actor: 'key:ab',
      result: 'success',
      details: { to: 'acknowledged' },
    } as unknown as Parameters<typeof sseOf>[0]);
    expect(text).toBe(
      'id: 7\nevent: alert\ndata: {"seq":7,"at":"2026-12-01T00:00:00.000Z","action":"transition","entity_type":"Alert","entity_id":"a1","actor":"key:ab","result":"success","details":{"to":"acknowledged"}}\n\n',
    );
  });
});
