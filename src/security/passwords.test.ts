import { hash as argon2Hash } from '@node-rs/argon2';
import bcryptjs from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  ARGON2_PARAMETERS,
  hashPassword,
  isPasswordHash,
  passwordProblem,
  verifyPassword,
} from './passwords.js';

const PW = 'Correct-Horse-Battery-42';

describe('passwords', () => {
  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const stored = await hashPassword(PW);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(PW, stored)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword(`${PW} `, stored)).toEqual({ ok: false, rehash: false });
    expect(isPasswordHash(stored)).toBe(true);
  });

  it('asks for a rehash of weaker argon2 parameters and of bcrypt', async () => {
    const weak = await argon2Hash(PW, { ...ARGON2_PARAMETERS, memoryCost: 4_096, timeCost: 1 });
    expect(await verifyPassword(PW, weak)).toEqual({ ok: true, rehash: true });
    const bcrypt = await bcryptjs.hash(PW, 10);
    expect(isPasswordHash(bcrypt)).toBe(true);
    expect(await verifyPassword(PW, bcrypt)).toEqual({ ok: true, rehash: true });
    expect(await verifyPassword('wrong-password-1', bcrypt)).toEqual({ ok: false, rehash: false });
  });

  it('answers no for no user, unknown or broken hashes, and oversized passwords', async () => {
    expect(await verifyPassword(PW, undefined)).toEqual({ ok: false, rehash: false });
    expect(await verifyPassword(PW, 'plain')).toEqual({ ok: false, rehash: false });
    expect(await verifyPassword(PW, '$argon2id$broken')).toEqual({ ok: false, rehash: false });
    expect(await verifyPassword(PW, '$2b$12$short')).toEqual({ ok: false, rehash: false });
    const stored = await hashPassword('x'.repeat(1_024));
    expect((await verifyPassword('x'.repeat(1_024), stored)).ok).toBe(true);
    expect((await verifyPassword('x'.repeat(1_025), stored)).ok).toBe(false);
    expect(isPasswordHash('md5:abc')).toBe(false);
  });

  it('states why a password is refused', () => {
    expect(passwordProblem(PW)).toBeUndefined();
    expect(passwordProblem('short')).toContain('at least 12');
    expect(passwordProblem('Password1234')).toContain('most used');
    expect(passwordProblem('abababababab')).toContain('different characters');
    expect(passwordProblem('ada.lovelace', { email: 'Ada.Lovelace@example.com' })).toContain(
      'e-mail',
    );
    expect(
      passwordProblem('ada.lovelace@example.com', { email: 'ada.lovelace@example.com' }),
    ).toContain('e-mail');
    // Characters, not bytes: 12 emoji pass the length rule.
    expect(passwordProblem('🔒🔑🗝️🛡️🔐🧷🔏📎🖇️✂️🧰🪛')).toBeUndefined();
  });
});
