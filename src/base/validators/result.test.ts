import { describe, expect, it } from 'vitest';
import { ConfigError } from '../exceptions/index.js';
import { CheckSet, defineCheck } from './check.js';
import { ValidationResult } from './result.js';

const noop = (name: string, level: 'semantic' | 'security' = 'semantic') =>
  defineCheck({ name, level, run: () => undefined });

describe('ValidationResult', () => {
  it('adds findings in three severities with codes, levels and paths', () => {
    const r = new ValidationResult({ level: 'security' });
    r.addError({ code: 'a', path: '/x', message: 'm' });
    r.addWarning({ code: 'b', message: 'm', level: 'performance', line: 1, column: 2 });
    r.addInfo('just a note');
    expect(r.isValid()).toBe(false);
    expect(r.errors[0]).toMatchObject({
      code: 'a',
      level: 'security',
      severity: 'error',
      path: '/x',
    });
    expect(r.warnings[0]).toMatchObject({
      code: 'b',
      level: 'performance',
      path: '',
      line: 1,
      column: 2,
    });
    expect(r.infos[0]).toMatchObject({ code: 'custom', severity: 'info' });
    expect(r.has('a', '/x')).toBe(true);
    expect(r.has('a', '/y')).toBe(false);
    expect(r.findings().map((f) => f.code)).toEqual(['a', 'b', 'custom']);
  });

  it('takes the seed form: addError(message) with code custom at the root, level semantic', () => {
    const r = new ValidationResult();
    r.addError('SQL injection attempt detected');
    expect(r.errors[0]).toMatchObject({ code: 'custom', level: 'semantic', path: '' });
  });

  it('stops collecting at maxErrors and counts the rest', () => {
    const r = new ValidationResult({ maxErrors: 2 });
    for (let i = 0; i < 5; i++) r.addError({ code: `e${i}`, message: 'm' });
    r.addWarning('w');
    expect(r.errors).toHaveLength(2);
    expect(r.full).toBe(true);
    expect(r.omitted).toEqual({ errors: 3, warnings: 0, infos: 0 });
    expect(r.toJSON()).toMatchObject({ valid: false, omitted: { errors: 3 } });
  });

  it('is invalid when errors were only omitted', () => {
    const r = ValidationResult.fromJSON({
      valid: false,
      errors: [],
      warnings: [],
      infos: [],
      omitted: { errors: 1, warnings: 2, infos: 3 },
      skipped: ['consistency'],
      timings: { syntax: 1 },
    });
    expect(r.isValid()).toBe(false);
    expect(r.skipped).toEqual(['consistency']);
    expect(r.timings).toEqual({ syntax: 1 });
  });

  it('merges findings, omitted counts and skipped levels within its own cap', () => {
    const a = new ValidationResult({ maxErrors: 3 });
    const b = new ValidationResult({ maxErrors: 1 });
    b.addError({ code: 'x', message: 'm' }).addError({ code: 'y', message: 'm' });
    b.addWarning('w').addInfo('i').markSkipped('consistency').markSkipped('consistency');
    a.addError({ code: 'z', message: 'm' }).merge(b);
    expect(a.errors.map((e) => e.code)).toEqual(['z', 'x']);
    expect(a.omitted.errors).toBe(1);
    expect(a.warnings).toHaveLength(1);
    expect(a.infos).toHaveLength(1);
    expect(a.skipped).toEqual(['consistency']);
  });

  it('records timings and refuses a bad maxErrors', () => {
    const r = new ValidationResult();
    expect(r.timings).toBeUndefined();
    r.recordTiming('syntax', 1);
    r.recordTiming('syntax', 2);
    expect(r.toJSON().timings).toEqual({ syntax: 3 });
    expect(() => new ValidationResult({ maxErrors: 0 })).toThrow(ConfigError);
  });
});

describe('CheckSet', () => {
  it('lists checks by level, versions them, and changes version on every change', () => {
    const set = CheckSet.of([noop('b.one', 'security'), noop('a.one')]);
    expect(set.list().map((c) => c.name)).toEqual(['a.one', 'b.one']);
    expect(set.list('security').map((c) => c.name)).toEqual(['b.one']);
    expect(set.names).toEqual(['b.one', 'a.one']);
    const v = set.version;
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    const disabled = set.disable('a.one');
    expect(disabled.version).not.toBe(v);
    expect(disabled.isEnabled('a.one')).toBe(false);
    expect(disabled.get('a.one')).toBeDefined();
    expect(disabled.enable('a.one').version).toBe(v);
    const replaced = set.replace({ ...noop('a.one'), version: '2' });
    expect(replaced.version).not.toBe(v);
    expect(set.add(noop('c.one')).list()).toHaveLength(3);
    expect(
      set
        .only('security')
        .list()
        .map((c) => c.name),
    ).toEqual(['b.one']);
  });

  it('applies a tenant patch', () => {
    const set = CheckSet.of([noop('a.one'), noop('a.two')]);
    const patched = set.apply({
      disable: ['a.one'],
      add: [noop('a.three')],
      replace: [{ ...noop('a.two'), version: '9' }],
      enable: [],
    });
    expect(patched.list().map((c) => c.name)).toEqual(['a.two', 'a.three']);
    expect(patched.get('a.two')?.version).toBe('9');
    expect(set.apply({}).version).toBe(set.version);
    expect(set.apply({ enable: ['a.one'] }).version).toBe(set.version);
  });

  it('refuses duplicate, unknown and malformed names and unknown levels', () => {
    expect(() => CheckSet.of([noop('a.one'), noop('a.one')])).toThrow(ConfigError);
    const set = CheckSet.of([noop('a.one')]);
    expect(() => set.add(noop('a.one'))).toThrow(ConfigError);
    expect(() => set.disable('nope')).toThrow(ConfigError);
    expect(() => set.replace(noop('nope'))).toThrow(ConfigError);
    expect(() => noop('Bad Name')).toThrow(ConfigError);
    expect(() =>
      defineCheck({ name: 'x.y', level: 'nope' as 'syntax', run: () => undefined }),
    ).toThrow(ConfigError);
  });
});
