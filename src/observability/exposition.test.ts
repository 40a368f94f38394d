import { describe, expect, it } from 'vitest';
import { wantsOpenMetrics } from './exposition.js';

describe('wantsOpenMetrics', () => {
  it.each([
    [undefined, false],
    ['text/plain', false],
    ['application/openmetrics-text', true],
    ['application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.5', true],
    ['text/plain, application/openmetrics-text;q=0', false],
    ['APPLICATION/OPENMETRICS-TEXT', true],
  ])('%s → %s', (accept, expected) => {
    expect(wantsOpenMetrics(accept)).toBe(expected);
  });
});
