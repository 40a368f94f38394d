import { describe, expect, it } from 'vitest';
import { probe, statementLabel } from './database-metrics.js';

describe('statementLabel', () => {
  it('is the name, else the leading verb of a known set, else "other"', () => {
    expect(statementLabel('SELECT 1', 'alerts_open')).toBe('alerts_open');
    expect(statementLabel('  select * from t', undefined)).toBe('select');
    expect(statementLabel('INSERT INTO t VALUES (1)', undefined)).toBe('insert');
    expect(statementLabel('CREATE TABLE secret_stuff ()', undefined)).toBe('other');
    expect(statementLabel('', undefined)).toBe('other');
  });
});

describe('probe', () => {
  it('is true when SELECT 1 answers, false when it fails or is too slow', async () => {
    expect(await probe({ query: async () => ({}) }, 100)).toBe(true);
    expect(await probe({ query: () => Promise.reject(new Error('down')) }, 100)).toBe(false);
    expect(await probe({ query: () => new Promise(() => {}) }, 20)).toBe(false);
  });
});
