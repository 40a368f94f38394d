import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../domain/audit-event.js';
import type { AuditListOptions, AuditRepository } from '../storage/repositories/index.js';
import type { Database } from '../storage/types.js';
import { createEventFeed, type EventFeed } from './event-feed.js';

/** A trail in memory: `page` as the repository answers it, counting its calls. */
function trail(events: { seq: number; action: string }[]) {
  const calls: AuditListOptions[] = [];
  let fail = false;
  const audit = {
    page: async (_tenant: string, options: AuditListOptions = {}) => {
      calls.push(options);
      if (fail) throw new Error('database down');
      const after = options.afterSeq ?? -1;
      const items = events
        .filter((e) => e.seq > after)
        .slice(0, options.limit ?? 100) as unknown as AuditEvent[];
      return { items, nextAfter: null };
    },
  } as unknown as AuditRepository;
  return {
    audit,
    calls,
    events,
    failing(on: boolean) {
      fail = on;
    },
  };
}

const db = {} as Database;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
let feed: EventFeed | undefined;
afterEach(() => feed?.close());

describe('createEventFeed', () => {
  it('reads once per tenant and interval for all its subscribers, each from its own position', async () => {
    const t = trail([
      { seq: 0, action: 'create' },
      { seq: 1, action: 'read' },
      { seq: 2, action: 'transition' },
    ]);
    feed = createEventFeed({ db, audit: t.audit, pollMs: 20 });
    const a: number[] = [];
    const b: number[] = [];
    const subA = await feed.subscribe('acme', (es) => a.push(...es.map((e) => e.seq)), -1);
    const subB = await feed.subscribe('acme', (es) => b.push(...es.map((e) => e.seq)), 0);
    expect(feed.count('acme')).toBe(2);
    await wait(60);
    expect(a).toEqual([0, 2]);
    expect(b).toEqual([2]);
    const polls = t.calls.length;
    // One read per interval whatever the number of subscribers, from the oldest position.
    expect(t.calls[0]?.afterSeq).toBe(-1);
    t.events.push({ seq: 3, action: 'update' });
    await wait(60);
    expect(a).toEqual([0, 2, 3]);
    expect(b).toEqual([2, 3]);
    expect(t.calls.length - polls).toBeLessThanOrEqual(4);
    subA.unsubscribe();
    subB.unsubscribe();
    expect(feed.count('acme')).toBe(0);
    const after = t.calls.length;
    await wait(60);
    expect(t.calls.length).toBe(after);
  });

  it('reports a failed poll and carries on', async () => {
    const t = trail([{ seq: 0, action: 'create' }]);
    const errors: unknown[] = [];
    feed = createEventFeed({ db, audit: t.audit, pollMs: 10, onError: (e) => errors.push(e) });
    t.failing(true);
    const got: number[] = [];
    const sub = await feed.subscribe('acme', (es) => got.push(...es.map((e) => e.seq)), -1);
    await wait(40);
    expect(errors.length).toBeGreaterThan(0);
    t.failing(false);
    await wait(40);
    expect(got).toEqual([0]);
    sub.unsubscribe();
  });

  it('follows a full page at once', async () => {
    const many = Array.from({ length: 1_200 }, (_, seq) => ({ seq, action: 'create' }));
    const t = trail(many);
    feed = createEventFeed({ db, audit: t.audit, pollMs: 200 });
    const got: number[] = [];
    const sub = await feed.subscribe('acme', (es) => got.push(...es.map((e) => e.seq)), -1);
    await wait(300);
    // Three pages (500, 500, 200) in the first interval, not three intervals.
    expect(got).toHaveLength(1_200);
    expect(t.calls.length).toBeLessThanOrEqual(4);
    sub.unsubscribe();
  });

  it('stops polling when closed', async () => {
    const t = trail([]);
    feed = createEventFeed({ db, audit: t.audit, pollMs: 10 });
    await feed.subscribe('acme', () => undefined, -1);
    await wait(30);
    feed.close();
    const n = t.calls.length;
    await wait(40);
    expect(t.calls.length).toBe(n);
  });
});
