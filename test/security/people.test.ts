/**
 * People with passwords, on PGlite and on the PostgreSQL server: argon2id
 * hashes (OWASP parameters), a password policy, login → an opaque session
 * token stored hashed (bearer or HttpOnly cookie), the person named in the
 * audit trail, logout, revocation by disabling or a new password, a
 * person's own password change (current password required, throttled),
 * an administrator's reset, imported
 * bcrypt hashes verified (never past 72 bytes) and replaced at login, and
 * logins throttled and audited.
 */
import bcrypt from 'bcryptjs';
import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/security/index.js';
import { ADMIN_KEY, call } from '../server/helpers.js';
import { onEveryEngine } from './engines.js';

const PASSWORD = 'Correct-Horse-Battery-42';
let seq = 0;
const email = (): string => `person${++seq}@example.com`;

onEveryEngine('people with passwords', (fixtures) => {
  const addUser = async (
    role: string,
    password = PASSWORD,
  ): Promise<{ id: string; email: string }> => {
    const t = fixtures();
    const address = email();
    const r = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.admin,
      body: { email: address, name: 'Ada', role, password },
    });
    expect(r.status).toBe(201);
    return { id: String(r.body.id), email: address };
  };
  const login = (address: string, password = PASSWORD, tenant = 'acme') =>
    call(fixtures().app, 'POST', '/v1/auth/login', {
      key: null,
      body: { tenant, email: address, password },
    });

  it('stores an argon2id hash (OWASP parameters), never shows it, and applies the policy', async () => {
    const t = fixtures();
    const user = await addUser('responder');
    const raw = await t.db.query<{ doc: { passwordHash: string }; email: string; role: string }>(
      'SELECT doc, email, role FROM users WHERE tenant_id = $1 AND id = $2',
      ['acme', user.id],
    );
    expect(raw.rows[0]?.doc.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(raw.rows)).not.toContain(PASSWORD);
    const shown = await call(t.app, 'GET', `/v1/users/${user.id}`, { key: t.keys.admin });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ email: user.email, role: 'responder' });
    expect(Object.keys(shown.body)).not.toContain('password_hash');
    const list = await call(t.app, 'GET', '/v1/users', { key: t.keys.admin });
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password_hash/);
    for (const [password, message] of [
      ['short', 'at least 12'],
      ['password1234', 'most used'],
      ['aaaaaaaaaaaaaaaa', 'different characters'],
      [`${'x'.repeat(20)}é${'y'.repeat(1_100)}`, 'at most 1024 bytes'],
    ] as const) {
      const r = await call(t.app, 'POST', '/v1/users', {
        key: t.keys.admin,
        body: { email: email(), role: 'viewer', password },
      });
      expect(r.status).toBe(422);
      expect(r.body.errors).toEqual([
        expect.objectContaining({
          pointer: '/password',
          code: 'password_policy',
          detail: expect.stringContaining(message),
        }),
      ]);
    }
    const same = email();
    const r = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.admin,
      body: { email: same, role: 'viewer', password: same },
    });
    expect(r.status).toBe(422);
    // One address once per tenant, in any case.
    const dup = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.admin,
      body: { email: user.email.toUpperCase(), role: 'viewer', password: PASSWORD },
    });
    expect(dup.status).toBe(409);
  });

  it('who may manage users: admin and owner, up to their own role; never the platform key', async () => {
    const t = fixtures();
    for (const key of [t.keys.editor, t.keys.responder, t.keys.viewer]) {
      const r = await call(t.app, 'GET', '/v1/users', { key });
      expect(r.status).toBe(403);
    }
    expect((await call(t.app, 'GET', '/v1/users', { key: ADMIN_KEY })).status).toBe(403);
    const above = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.admin,
      body: { email: email(), role: 'owner', password: PASSWORD },
    });
    expect(above.status).toBe(403);
    expect(above.body.code).toBe('ALERTBASE_AUTH_FORBIDDEN');
    const owner = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.owner,
      body: { email: email(), role: 'owner', password: PASSWORD },
    });
    expect(owner.status).toBe(201);
    // An admin may not change or disable an owner.
    expect(
      (
        await call(t.app, 'PATCH', `/v1/users/${owner.body.id}`, {
          key: t.keys.admin,
          body: { name: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(t.app, 'DELETE', `/v1/users/${owner.body.id}`, { key: t.keys.admin })).status,
    ).toBe(403);
  });

  it('login gives a session token stored hashed, as bearer and as a strict HttpOnly cookie; actions name the person', async () => {
    const t = fixtures();
    const user = await addUser('responder');
    const r = await login(user.email.toUpperCase());
    expect(r.status).toBe(200);
    const token = String(r.body.token);
    expect(token).toMatch(/^abs_acme_[0-9a-f]{48}$/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(String(r.headers['set-cookie'])).toBe(
      `alertbase_session=${token}; Path=/; Max-Age=28800; HttpOnly; Secure; SameSite=Strict`,
    );
    expect(Date.parse(String(r.body.expires_at)) - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    expect(r.body.user).toMatchObject({ id: user.id, email: user.email, role: 'responder' });
    const stored = await t.db.query<Record<string, unknown>>(
      'SELECT * FROM sessions WHERE tenant_id = $1',
      ['acme'],
    );
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    expect(JSON.stringify(stored.rows)).not.toContain(token.slice(9));
    const me = await call(t.app, 'GET', '/v1/auth/me', { key: token });
    expect(me.body).toMatchObject({
      tenant_id: 'acme',
      role: 'responder',
      actor: `user:${user.email}`,
    });
    const byCookie = await call(t.app, 'GET', '/v1/auth/me', {
      key: null,
      headers: { cookie: `theme=dark; alertbase_session=${token}` },
    });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.actor).toBe(`user:${user.email}`);
    // The role holds: a responder acknowledges, may not write rules.
    const ingest = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels: { alertname: `Person${seq}`, job: 'api' }, level: 'high', priority: 'P2' }],
    });
    const alertId = String((ingest.body.items as { id: string }[])[0]?.id);
    const ack = await call(t.app, 'POST', `/v1/alerts/${alertId}/acknowledge`, { key: token });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledged_by).toBe(`user:${user.email}`);
    expect((await call(t.app, 'POST', '/v1/rules', { key: token, body: {} })).status).toBe(403);
    const trail = await t.repos.audit.list('acme', { limit: 1_000 });
    expect(trail.some((e) => e.action === 'transition' && e.actor === `user:${user.email}`)).toBe(
      true,
    );
    expect(
      trail.some(
        (e) => e.action === 'login' && e.result === 'success' && e.actor === `user:${user.email}`,
      ),
    ).toBe(true);
    // Another tenant's name in the token finds nothing.
    expect(
      (await call(t.app, 'GET', '/v1/auth/me', { key: token.replace('abs_acme_', 'abs_globex_') }))
        .status,
    ).toBe(401);
    // Logout ends it, and clears the cookie.
    const out = await call(t.app, 'POST', '/v1/auth/logout', { key: token });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('alertbase_session=; Path=/; Max-Age=0');
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: token })).status).toBe(401);
    // A key has no session: logout changes nothing for it.
    expect((await call(t.app, 'POST', '/v1/auth/logout', { key: t.keys.viewer })).status).toBe(204);
    expect(
      (await call(t.app, 'GET', '/v1/auth/me', { key: t.keys.viewer })).body.session_id,
    ).toBeNull();
  });

  it('sessions end when they expire, when the user is disabled, and when the password changes', async () => {
    const t = fixtures();
    const user = await addUser('viewer');
    const first = String((await login(user.email)).body.token);
    const second = String((await login(user.email)).body.token);
    expect(await t.repos.users.findSession(first)).toBeDefined();
    expect(
      await t.repos.users.findSession(first, new Date(Date.now() + 8 * 3_600_000 + 1_000)),
    ).toBeUndefined();
    const changed = await call(t.app, 'PATCH', `/v1/users/${user.id}`, {
      key: t.keys.admin,
      body: { password: 'Another-Good-Passphrase-7' },
    });
    expect(changed.status).toBe(200);
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: first })).status).toBe(401);
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: second })).status).toBe(401);
    expect((await login(user.email)).status).toBe(401);
    const third = String((await login(user.email, 'Another-Good-Passphrase-7')).body.token);
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: third })).status).toBe(200);
    const disabled = await call(t.app, 'DELETE', `/v1/users/${user.id}`, { key: t.keys.admin });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled_at).not.toBeNull();
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: third })).status).toBe(401);
    expect((await login(user.email, 'Another-Good-Passphrase-7')).status).toBe(401);
    const logouts = await t.repos.audit.list('acme', { action: 'logout', limit: 1_000 });
    expect(
      logouts
        .filter((e) => e.details.userId === user.id)
        .map((e) => e.details.reason)
        .sort(),
    ).toEqual(['password reset', 'password reset', 'user disabled']);
  });

  it('a person changes their own password: the current one required, the policy applied, every session ended, audited', async () => {
    const t = fixtures();
    const user = await addUser('responder');
    const NEW = 'A-Brand-New-Passphrase-9';
    const first = String((await login(user.email)).body.token);
    const second = String((await login(user.email)).body.token);
    const change = (token: string, body: Record<string, unknown>) =>
      call(t.app, 'POST', '/v1/auth/password', { key: token, body });
    // A key is no person.
    const byKey = await change(t.keys.owner, { current_password: PASSWORD, new_password: NEW });
    expect([byKey.status, byKey.body.code]).toEqual([403, 'ALERTBASE_AUTH_SESSION_REQUIRED']);
    // The current password is required, and must be right.
    const missing = await change(first, { new_password: NEW });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ pointer: '/current_password' }),
    ]);
    const wrong = await change(first, {
      current_password: 'Not-The-Password-1',
      new_password: NEW,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([
      expect.objectContaining({ pointer: '/current_password', code: 'wrong_password' }),
    ]);
    // The policy, and not the same password again.
    for (const [next, message] of [
      ['short', 'at least 12'],
      ['password1234', 'most used'],
      [user.email, 'e-mail'],
      [PASSWORD, 'differ'],
    ] as const) {
      const r = await change(first, { current_password: PASSWORD, new_password: next });
      expect(r.status).toBe(422);
      expect(r.body.errors).toEqual([
        expect.objectContaining({
          pointer: '/new_password',
          code: 'password_policy',
          detail: expect.stringContaining(message),
        }),
      ]);
    }
    // Nothing changed so far.
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: second })).status).toBe(200);
    const done = await change(first, { current_password: PASSWORD, new_password: NEW });
    expect(done.status).toBe(204);
    expect(String(done.headers['set-cookie'])).toContain('Max-Age=0');
    // Every session of the user ended, this one too; the old password no longer logs in.
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: first })).status).toBe(401);
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: second })).status).toBe(401);
    expect((await login(user.email)).status).toBe(401);
    expect((await login(user.email, NEW)).status).toBe(200);
    // Audited: the refused attempt and the change, by the person; never a password.
    const trail = (await t.repos.audit.list('acme', { limit: 1_000, entityId: user.id })).filter(
      (e) => e.action === 'password.change',
    );
    expect(trail.map((e) => [e.actor, e.result, e.details])).toEqual([
      [`user:${user.email}`, 'failure', { by: 'self', reason: 'wrong current password' }],
      [`user:${user.email}`, 'success', { by: 'self', sessionsEnded: 2 }],
    ]);
    const logouts = await t.repos.audit.list('acme', { action: 'logout', limit: 1_000 });
    expect(
      logouts.filter((e) => e.details.userId === user.id).map((e) => e.details.reason),
    ).toEqual(['password changed', 'password changed']);
    const everything = JSON.stringify(await t.repos.audit.list('acme', { limit: 1_000 }));
    for (const secret of [NEW, 'Not-The-Password-1']) expect(everything).not.toContain(secret);
    expect((await t.repos.audit.verify('acme')).ok).toBe(true);
  });

  it('an administrator resets another person’s password, never their own without the current one', async () => {
    const t = fixtures();
    const admin = await addUser('admin');
    const other = await addUser('viewer');
    const session = String((await login(admin.email)).body.token);
    const own = await call(t.app, 'PATCH', `/v1/users/${admin.id}`, {
      key: session,
      body: { password: 'Stolen-Session-Pass-1' },
    });
    expect([own.status, own.body.code]).toEqual([403, 'ALERTBASE_AUTH_FORBIDDEN']);
    expect(String(own.body.detail)).toContain('/v1/auth/password');
    expect((await login(admin.email)).status).toBe(200);
    const otherSession = String((await login(other.email)).body.token);
    const reset = await call(t.app, 'PATCH', `/v1/users/${other.id}`, {
      key: session,
      body: { password: 'Reset-By-The-Admin-3' },
    });
    expect(reset.status).toBe(200);
    expect((await call(t.app, 'GET', '/v1/auth/me', { key: otherSession })).status).toBe(401);
    expect((await login(other.email, 'Reset-By-The-Admin-3')).status).toBe(200);
    const trail = await t.repos.audit.list('acme', {
      action: 'password.change',
      entityId: other.id,
    });
    expect(trail.map((e) => [e.actor, e.result, e.details])).toEqual([
      [`user:${admin.email}`, 'success', { by: 'admin', sessionsEnded: 1 }],
    ]);
  });

  it('imported bcrypt hashes: verified, replaced by argon2id at login; never past 72 bytes; weak costs refused', async () => {
    const t = fixtures();
    const imported = async (password: string, cost: number) => {
      const address = email();
      const r = await call(t.app, 'POST', '/v1/users', {
        key: t.keys.admin,
        body: {
          email: address,
          role: 'viewer',
          password_hash: await bcrypt.hash(password, cost),
        },
      });
      expect(r.status).toBe(201);
      return { id: String(r.body.id), email: address };
    };
    const user = await imported(PASSWORD, 12);
    expect((await login(user.email, `${PASSWORD}x`)).status).toBe(401);
    expect((await login(user.email)).status).toBe(200);
    const raw = await t.db.query<{ doc: { passwordHash: string } }>(
      'SELECT doc FROM users WHERE tenant_id = $1 AND id = $2',
      ['acme', user.id],
    );
    expect(raw.rows[0]?.doc.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(user.email)).status).toBe(200);
    // 79 bytes: bcrypt would compare the first 72 only, so the password as typed is
    // refused rather than checked truncated. (The imported hash itself holds only
    // those 72 bytes: that its maker truncated cannot be seen, see docs/security.md.)
    const long = `${'L'.repeat(72)}-suffix`;
    const longUser = await imported(long, 12);
    expect((await login(longUser.email, long)).status).toBe(401);
    expect((await login(longUser.email, 'L'.repeat(71))).status).toBe(401);
    const weak = await imported(PASSWORD, 4);
    expect((await login(weak.email)).status).toBe(401);
    const bad = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.admin,
      body: {
        email: email(),
        role: 'viewer',
        password_hash: 'md5:5f4dcc3b5aa765d61d8327deb882cf99',
      },
    });
    expect(bad.status).toBe(422);
  });

  it('a refused login says nothing about which part was wrong, and is audited', async () => {
    const t = fixtures();
    const user = await addUser('viewer');
    const answers = await Promise.all([
      login(user.email, 'Wrong-Password-123'),
      login('nobody@example.com'),
      login(user.email, PASSWORD, 'no-such-tenant'),
    ]);
    for (const r of answers) {
      expect(r.status).toBe(401);
      expect(r.body.detail).toBe('unknown tenant, e-mail or password');
    }
    const failures = await t.repos.audit.list('acme', { action: 'login', limit: 1_000 });
    const mine = failures.filter((e) => e.result === 'failure');
    expect(mine.map((e) => [e.actor, e.details.reason])).toEqual(
      expect.arrayContaining([
        [`user:${user.email}`, 'wrong password'],
        ['user:nobody@example.com', 'unknown user'],
      ]),
    );
    expect(JSON.stringify(mine)).not.toContain('Wrong-Password-123');
    expect((await t.repos.audit.verify('acme')).ok).toBe(true);
  });

  it('throttles failed logins per account (429 with Retry-After), before any password check', async () => {
    const t = fixtures();
    const user = await addUser('viewer');
    let last = await login(user.email, 'Wrong-Password-000');
    for (let i = 1; i < 25 && last.status === 401; i++)
      last = await login(user.email, `Wrong-Password-${i}`);
    expect(last.status).toBe(429);
    expect(last.body.code).toBe('ALERTBASE_RATE_LIMITED');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // Blocked: even the right password is not tried.
    expect((await login(user.email)).status).toBe(429);
    const trail = await t.repos.audit.list('acme', { action: 'login', limit: 1_000 });
    expect(trail.some((e) => e.result === 'success' && e.actor === `user:${user.email}`)).toBe(
      false,
    );
  });

  it('throttles guesses of the current password through a session (429), before any check', async () => {
    const t = fixtures();
    // Made directly, from another address: the test before spent 127.0.0.1's budget.
    const user = await t.repos.users.create(
      'acme',
      { email: email(), role: 'viewer', passwordHash: await hashPassword(PASSWORD) },
      'test',
    );
    const { token } = await t.repos.users.openSession('acme', user, 60_000, null);
    const change = (current: string) =>
      call(t.app, 'POST', '/v1/auth/password', {
        key: token,
        remoteAddress: '192.0.2.7',
        body: { current_password: current, new_password: 'Never-Gets-Set-55' },
      });
    let last = await change('Guess-000');
    for (let i = 1; i < 25 && last.status === 422; i++) last = await change(`Guess-${i}`);
    expect(last.status).toBe(429);
    expect(last.body.code).toBe('ALERTBASE_RATE_LIMITED');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // Blocked: even the right password is not tried, and nothing changes.
    expect((await change(PASSWORD)).status).toBe(429);
    const stored = await t.repos.users.get('acme', user.id);
    expect((await verifyPassword(PASSWORD, stored.passwordHash.reveal())).ok).toBe(true);
  });
});
