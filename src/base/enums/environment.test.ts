import { describe, expect, it } from 'vitest';
import type { UnknownValueError } from '../exceptions/index.js';
import { Environment } from './environment.js';

describe('Environment', () => {
  it.each(['production', 'staging', 'development', 'test'])('parses %s', (env) => {
    expect(Environment.parse(env)).toBe(env);
    expect(Environment.schema.parse(env)).toBe(env);
  });

  it('rejects abbreviations with the allowed list', () => {
    for (const v of ['prod', 'dev', 'Production']) {
      let err: UnknownValueError | undefined;
      try {
        Environment.parse(v);
      } catch (e) {
        err = e as UnknownValueError;
      }
      expect(err?.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
      expect(err?.context.allowed).toEqual(['production', 'staging', 'development', 'test']);
    }
  });
});
