/**
 * `VALIDATION_CACHE_TTL` and `validation.cache_enabled` take effect in the
 * service: a rule validated twice runs its pure levels once when the cache
 * is on, twice when it is off. Seen through the validation metrics.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createTestDatabase } from '../../src/storage/index.js';
import { call, RULE, setupOn } from './helpers.js';

const SYNTAX_RUNS = 'alertbase_validation_duration_seconds_count{model="AlertRule",level="syntax"}';

async function syntaxRunsAfterTwoValidations(env: Record<string, string>): Promise<number> {
  const { config } = await loadConfig({ env, cwd: '/nonexistent-alertbase-test' });
  const t = await setupOn(await createTestDatabase(), { config });
  try {
    for (let i = 0; i < 2; i++) {
      const r = await call(t.app, 'POST', '/v1/rules/validate', { key: t.keys.viewer, body: RULE });
      expect(r.status).toBe(200);
      expect(r.body.valid).toBe(true);
    }
    const text = (await t.app.inject({ url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith(`${SYNTAX_RUNS} `));
    return Number(line?.slice(SYNTAX_RUNS.length + 1));
  } finally {
    await t.close();
  }
}

describe('the validation cache of the service', () => {
  it('on by default: the second validation of one rule is answered from the cache', async () => {
    expect(await syntaxRunsAfterTwoValidations({})).toBe(1);
  });

  it('VALIDATION_CACHE_TTL=0 turns it off', async () => {
    expect(await syntaxRunsAfterTwoValidations({ VALIDATION_CACHE_TTL: '0' })).toBe(2);
  });
});
