import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id.js';

describe('requestIdOf', () => {
  it('keeps a plain token and replaces anything else', () => {
    expect(requestIdOf('abc-1.2:3_4')).toBe('abc-1.2:3_4');
    expect(requestIdOf(' abc ')).toBe('abc');
    for (const bad of [undefined, '', 'a b', 'x\ny', 'é', 'x'.repeat(129), ['a', 'b']]) {
      expect(requestIdOf(bad)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
    expect(requestIdOf('x'.repeat(128))).toBe('x'.repeat(128));
  });
});
