import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCamelCase, toSnakeCase } from './case.js';

describe('toSnakeCase', () => {
  it.each([
    ['tenantId', 'tenant_id'],
    ['generatorURL', 'generator_url'],
    ['HTTPServer', 'http_server'],
    ['startsAt', 'starts_at'],
    ['ipv4Address', 'ipv4_address'],
    ['sha256', 'sha256'],
    ['level2Name', 'level2_name'],
    ['TenantId', 'tenant_id'],
    ['id', 'id'],
    ['ID', 'id'],
    ['_internalId', '_internal_id'],
    ['__typename', '__typename'],
    ['tenant_id', 'tenant_id'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(toSnakeCase(input)).toBe(expected);
  });
});

describe('toCamelCase', () => {
  it.each([
    ['tenant_id', 'tenantId'],
    ['generator_url', 'generatorUrl'],
    ['starts_at', 'startsAt'],
    ['ipv4_address', 'ipv4Address'],
    ['level_2', 'level2'],
    ['_tenant_id', '_tenantId'],
    ['__typename', '__typename'],
    ['a__b', 'aB'],
    ['trailing_', 'trailing'],
    ['tenantId', 'tenantId'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(toCamelCase(input)).toBe(expected);
  });
});

describe('round trip', () => {
  it('camelCase of lowercase words (2+ characters: single letters in a row read as an acronym) survives snake_case and back', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const camel =
          (words[0] ?? '') +
          words
            .slice(1)
            .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
            .join('');
        expect(toCamelCase(toSnakeCase(camel))).toBe(camel);
      }),
    );
  });
});
