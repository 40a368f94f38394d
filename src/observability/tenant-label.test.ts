import { describe, expect, it } from 'vitest';
import { createTenantLabel, OTHER_TENANT } from './tenant-label.js';

describe('createTenantLabel', () => {
  it('keeps the first N tenants and labels the rest "other"', () => {
    const label = createTenantLabel(2);
    expect(['a', 'b', 'c', 'a', 'b', 'd'].map(label)).toEqual([
      'a',
      'b',
      'other',
      'a',
      'b',
      'other',
    ]);
    // A tenant named "other" never takes a slot of its own.
    const l2 = createTenantLabel(1);
    expect(l2(OTHER_TENANT)).toBe('other');
    expect(l2('x')).toBe('x');
  });
});
