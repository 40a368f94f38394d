import { describe, expect, it } from 'vitest';
import type { UnknownValueError } from '../exceptions/index.js';
import { Role } from './role.js';

const ROLES: Role[] = ['owner', 'admin', 'editor', 'responder', 'viewer'];

describe('Role', () => {
  it('lists the roles, highest first, ranked 5..1', () => {
    expect(Role.values).toEqual(ROLES);
    expect(ROLES.map((r) => Role.rank(r))).toEqual([5, 4, 3, 2, 1]);
  });

  it('atLeast over every pair', () => {
    for (const [i, role] of ROLES.entries()) {
      for (const [j, min] of ROLES.entries()) {
        expect(Role.atLeast(role, min), `${role} >= ${min}`).toBe(i <= j);
      }
    }
  });

  it('orders, bounds', () => {
    expect(
      ['viewer', 'owner', 'editor'].sort((a, b) => Role.compare(a as Role, b as Role)),
    ).toEqual(['viewer', 'editor', 'owner']);
    expect(Role.max('responder', 'admin', 'viewer')).toBe('admin');
    expect(Role.min('responder', 'admin', 'viewer')).toBe('viewer');
  });

  it('rejects unknown roles', () => {
    expect(Role.parse('editor')).toBe('editor');
    let err: UnknownValueError | undefined;
    try {
      Role.parse('superuser');
    } catch (e) {
      err = e as UnknownValueError;
    }
    expect(err?.code).toBe('ALERTBASE_VALIDATION_UNKNOWN_VALUE');
    expect(err?.context.allowed).toEqual(ROLES);
    expect(() => Role.atLeast('root' as Role, 'viewer')).toThrow();
    expect(Role.schema.safeParse('Owner').success).toBe(false);
  });
});
