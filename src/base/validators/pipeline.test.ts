import { describe, expect, it } from 'vitest';
import { ConfigError } from '../exceptions/index.js';
import { createValidationCache, ValidationCache } from './cache.js';
import { defineCheck } from './check.js';
import { createValidator, defaultChecks } from './pipeline.js';

const risky = { description: "x'; DROP TABLE users; --", condition: 'up' };

describe('createValidator', () => {
  it('refuses what is not an object at the syntax level', async () => {
    const v = createValidator({ cache: false });
    for (const doc of [null, [], 'x', 1]) {
      const r = await v.validate(doc);
      expect(r.errors[0]).toMatchObject({ code: 'invalid_type', level: 'syntax', path: '' });
    }
  });

  it('strict mode turns security and performance warnings into errors', async () => {
    const lax = await createValidator({ cache: false }).validate(risky);
    expect(lax.isValid()).toBe(true);
    expect(lax.warnings[0]).toMatchObject({ code: 'sql_injection', severity: 'warning' });
    const strict = await createValidator({ cache: false, strict: true }).validate(risky);
    expect(strict.isValid()).toBe(false);
    expect(strict.errors[0]).toMatchObject({
      code: 'sql_injection',
      severity: 'error',
      level: 'security',
      promoted: true,
      path: '/description',
    });
    const perCall = await createValidator({ cache: false }).validate(risky, { strict: true });
    expect(perCall.isValid()).toBe(false);
    // Semantic warnings stay warnings.
    const semantic = await createValidator({ cache: false, strict: true }).validate({
      level: 'critical',
      priority: 'P3',
    });
    expect(semantic.warnings[0]).toMatchObject({
      code: 'level_priority_unusual',
      severity: 'warning',
    });
  });

  it('stops at maxErrors and says how many more there were', async () => {
    const labels = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`__l${i}`, 'x']));
    const r = await createValidator({ cache: false, maxErrors: 3 }).validate({ labels });
    expect(r.errors).toHaveLength(3);
    expect(r.omitted.errors).toBe(5);
    expect(() => createValidator({ maxErrors: 0 })).toThrow(ConfigError);
  });

  it('runs later levels only on what passed syntax, and up to a level', async () => {
    const failing = defineCheck({
      name: 'syntax.fail',
      level: 'syntax',
      run: (ctx) => ctx.error({ code: 'bad', message: 'bad' }),
    });
    const v = createValidator({ cache: false, checks: defaultChecks().add(failing) });
    const r = await v.validate(risky);
    expect(r.findings().map((f) => f.code)).toEqual(['bad']);
    const upTo = await createValidator({ cache: false }).validate(risky, { upTo: 'semantic' });
    expect(upTo.findings()).toEqual([]);
  });

  it('reports a crashing check as check_failed and goes on', async () => {
    const crash = defineCheck({
      name: 'semantic.crash',
      level: 'semantic',
      run: () => {
        throw new Error('boom');
      },
    });
    const crashAsync = defineCheck({
      name: 'semantic.crash-async',
      level: 'semantic',
      run: async () => {
        throw 'nope';
      },
    });
    const r = await createValidator({
      cache: false,
      checks: defaultChecks().add(crash, crashAsync),
    }).validate(risky);
    expect(r.errors.map((e) => [e.code, e.check])).toEqual([
      ['check_failed', 'semantic.crash'],
      ['check_failed', 'semantic.crash-async'],
    ]);
    expect(r.has('sql_injection')).toBe(true);
  });

  it('applies per-tenant check patches (record or function)', async () => {
    const v = createValidator({
      cache: false,
      tenantChecks: { lax: { disable: ['security.injection'] } },
    });
    expect((await v.validate(risky, { tenant: { id: 'lax' } })).has('sql_injection')).toBe(false);
    expect((await v.validate(risky, { tenant: { id: 'other' } })).has('sql_injection')).toBe(true);
    expect(v.checksFor('lax')).toBe(v.checksFor('lax'));
    expect(v.checksFor('lax').version).not.toBe(v.checks.version);
    const f = createValidator({
      cache: false,
      tenantChecks: (id) => (id === 'lax' ? { disable: ['security.injection'] } : undefined),
    });
    expect((await f.validate(risky, { tenant: { id: 'lax' } })).has('sql_injection')).toBe(false);
    expect(f.checksFor('x')).toBe(f.checks);
  });

  it('places findings with locate, passing the position within the value', async () => {
    const seen: unknown[] = [];
    const v = createValidator({
      cache: false,
      locate: (pointer, within) => {
        seen.push([pointer, within]);
        return pointer === '/condition' ? { line: 10 + (within?.line ?? 0), column: 4 } : undefined;
      },
    });
    const r = await v.validate({ condition: 'up ==', description: '<script>' });
    expect(r.errors[0]).toMatchObject({ code: 'invalid_promql', line: 11, column: 4 });
    expect(r.warnings[0]).toMatchObject({ code: 'script_injection' });
    expect(r.warnings[0]?.line).toBeUndefined();
    expect(seen).toContainEqual(['/condition', { line: 1, column: 6 }]);
    const invalid = await v.validate(null);
    expect(invalid.errors[0]?.code).toBe('invalid_type');
  });

  it('records timings per level when asked', async () => {
    const r = await createValidator({ cache: false }).validate(risky, { timings: true });
    expect(Object.keys(r.timings ?? {})).toEqual([
      'syntax',
      'semantic',
      'security',
      'performance',
      'consistency',
    ]);
  });
});

describe('validation cache', () => {
  const clock = () => {
    let t = 1_000_000;
    return {
      now: () => t,
      advance: (ms: number) => {
        t += ms;
      },
    };
  };

  it('reuses a result for the same content, whatever the key order', async () => {
    const c = clock();
    const cache = createValidationCache({ ttlSeconds: 60, now: c.now });
    let runs = 0;
    const counting = defineCheck({
      name: 'semantic.count',
      level: 'semantic',
      run: () => {
        runs++;
      },
    });
    const v = createValidator({ cache, checks: defaultChecks().add(counting) });
    const a = await v.validate({ a: 1, b: "x' OR '1'='1" });
    const b = await v.validate({ b: "x' OR '1'='1", a: 1 });
    expect(runs).toBe(1);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    // The consistency level is never cached: it reports again on a hit.
    expect(b.has('consistency_skipped')).toBe(true);
    expect(b.infos.filter((i) => i.code === 'consistency_skipped')).toHaveLength(1);
    c.advance(60_001);
    await v.validate({ a: 1, b: "x' OR '1'='1" });
    expect(runs).toBe(2);
  });

  it('keys on tenant, tenant settings, check-set version, strictness and previous', async () => {
    const cache = createValidationCache({ ttlSeconds: 60 });
    let runs = 0;
    const counting = defineCheck({
      name: 'semantic.count',
      level: 'semantic',
      run: () => {
        runs++;
      },
    });
    const checks = defaultChecks().add(counting);
    const v = createValidator({ cache, checks });
    const doc = { status: 'firing' };
    await v.validate(doc, { tenant: { id: 'a' } });
    await v.validate(doc, { tenant: { id: 'b' } });
    await v.validate(doc, { tenant: { id: 'b', settings: { allowPrivateNetworks: true } } });
    await v.validate(doc, { tenant: { id: 'b' }, strict: true });
    await v.validate(doc, { tenant: { id: 'b' }, previous: { status: 'resolved' } });
    expect(runs).toBe(5);
    await createValidator({ cache, checks: checks.disable('security.injection') }).validate(doc, {
      tenant: { id: 'a' },
    });
    expect(runs).toBe(6);
    await v.validate(doc, { tenant: { id: 'a' } });
    expect(runs).toBe(6);
  });

  it('TTL 0 disables it; cache: false has none; content with no canonical form is not cached', async () => {
    let runs = 0;
    const counting = defineCheck({
      name: 'semantic.count',
      level: 'semantic',
      run: () => {
        runs++;
      },
    });
    const off = createValidationCache({ ttlSeconds: 0 });
    expect(off.enabled).toBe(false);
    const v = createValidator({ cache: off, checks: defaultChecks().add(counting) });
    await v.validate({ a: 1 });
    await v.validate({ a: 1 });
    expect(runs).toBe(2);
    expect(off.size).toBe(0);
    off.set('k', { result: (await v.validate({})).toJSON(), syntaxOk: true, data: {} });
    expect(off.get('k')).toBeUndefined();
    expect(createValidator({ cache: false }).cache).toBeUndefined();
    const big = createValidator({
      cache: { ttlSeconds: 10 },
      checks: defaultChecks().add(counting),
    });
    runs = 0;
    await big.validate({ a: 10n });
    await big.validate({ a: 10n });
    expect(runs).toBe(2);
    expect(big.cache?.size).toBe(0);
  });

  it('is bounded, evicting the least recently used', async () => {
    const cache = new ValidationCache({ ttlSeconds: 60, maxEntries: 2 });
    const entry = {
      result: (await createValidator({ cache: false }).validate({})).toJSON(),
      syntaxOk: true,
      data: {},
    };
    cache.set('a', entry);
    cache.set('b', entry);
    cache.get('a');
    cache.set('c', entry);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.stats().evictions).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new ValidationCache({ ttlSeconds: -1 })).toThrow(ConfigError);
    expect(() => new ValidationCache({ maxEntries: 0 })).toThrow(ConfigError);
    expect(new ValidationCache().ttlMs).toBe(3_600_000);
  });
});
