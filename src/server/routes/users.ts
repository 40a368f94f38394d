/**
 * People: the users of a tenant (e-mail, role, password), their login and
 * sessions. A login answers an opaque session token, also set as the
 * `alertbase_session` cookie (`HttpOnly; Secure; SameSite=Strict`); it is
 * sent back as `Authorization: Bearer <token>` or by the cookie. Logins are
 * throttled with failed authentication (per address, per tenant and e-mail)
 * and audited, refused ones too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Role } from '../../base/enums/index.js';
import { AlertbaseError, ValidationError } from '../../base/exceptions/index.js';
import { User } from '../../domain/index.js';
import {
  hashPassword,
  isPasswordHash,
  passwordProblem,
  verifyPassword,
} from '../../security/index.js';
import { refuseIfBlocked, SESSION_COOKIE, type TenantPrincipal, tenantOf } from '../auth.js';
import { beyondCaller } from '../roles.js';
import { validatedByHandler } from '../route-validation.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { conditional, IdParams, issuesOf, pageParams } from './helpers.js';
import { component, IfMatchHeaders, modelView, NO_CONTENT, problem } from './schemas.js';

const UserQuery = z.object({ ...pageParams });

import { baseListOptions } from './resources.js';

/** How long a session lasts from its login (absolute): 8 hours. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1_000;

/** A user in responses: never its password hash, not even masked. */
function wireUser(user: User): Record<string, unknown> {
  return User.dump(user, { mode: 'json', byAlias: true, exclude: ['passwordHash'] });
}

/** A user as responses carry it (`wireUser`). */
const UserAnswer = component(modelView(User, ['passwordHash']), 'User');

const LoginBody = component(
  validatedByHandler(
    z.object({
      tenant: z.string().min(1).max(63),
      email: z.string().min(3).max(320),
      password: z.string().min(1).max(4_096).meta({ writeOnly: true }),
    }),
  ),
  'Login',
);

/** The answer of a login. */
const Session = component(
  z.object({
    token: z.string().describe('The session token: Authorization: Bearer <token>, or the cookie'),
    expires_at: z.iso.datetime(),
    user: UserAnswer,
  }),
  'Session',
);

/** Who the caller is (`GET /v1/auth/me`). */
const Me = component(
  z.object({
    tenant_id: z.string(),
    role: Role.schema,
    actor: z.string(),
    session_id: z.string().nullable(),
    user: UserAnswer.nullable(),
  }),
  'Me',
);

const NewUserBody = z
  .object({
    email: User.shape.email,
    name: User.shape.name,
    role: User.shape.role,
    password: z.string().max(4_096).optional(),
    password_hash: z.string().max(512).optional(),
  })
  .refine((b) => (b.password === undefined) !== (b.password_hash === undefined), {
    message: 'give either password or password_hash (an imported argon2 or bcrypt hash)',
    path: ['password'],
  });
component(validatedByHandler(NewUserBody), 'NewUser');

const UserPatchBody = z.strictObject({
  name: User.shape.name.optional(),
  role: User.shape.role.optional(),
  password: z.string().max(4_096).optional(),
});
component(validatedByHandler(UserPatchBody), 'UserChange');

const PasswordChangeBody = component(
  validatedByHandler(
    z.strictObject({
      current_password: z.string().min(1).max(4_096).meta({ writeOnly: true }),
      new_password: z.string().max(4_096).meta({ writeOnly: true }),
    }),
  ),
  'PasswordChange',
);

/** A request body as a record (anything else: an empty one, for the schema to refuse). */
function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

function refusePassword(password: string, email: string, field = 'password'): void {
  const problem = passwordProblem(password, { email });
  if (problem !== undefined) {
    throw new ValidationError(User.name, [
      { path: [field], pointer: `/${field}`, code: 'password_policy', message: problem },
    ]);
  }
}

/** A caller may give or touch no role above its own, nor one with permissions its scopes lack. */
function refuseRoleAbove(caller: TenantPrincipal, role: Role): void {
  if (!Role.atLeast(caller.role, role) || beyondCaller(caller, role).length > 0) {
    throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
      role: caller.scopes === undefined ? caller.role : `${caller.role} (scoped key)`,
      action: `give or change a user of role ${role}`,
    });
  }
}

function setSessionCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`,
  );
}

/** Registers `/v1/auth/*` (login, logout, who am I) and `/v1/users`. */
export function userRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/v1/auth/login',
    {
      config: { requires: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Log in with e-mail and password: a session token (8 h), also set as an HttpOnly cookie',
        body: LoginBody,
        response: {
          200: Session,
          401: problem('Unknown tenant, e-mail or password (the same answer for each)'),
        },
      },
    },
    async (request, reply) => {
      const parsed = LoginBody.safeParse(bodyOf(request));
      if (!parsed.success) throw new ValidationError('Login', issuesOf(parsed.error));
      const { tenant, password } = parsed.data;
      const email = parsed.data.email.trim().toLowerCase();
      const client = `ip:${request.ip}`;
      const account = `login:${tenant}:${email}`;
      refuseIfBlocked(reply, [
        await ctx.authFailures.check(client),
        await ctx.authFailures.check(account),
      ]);
      const known = await ctx.tenants.get(tenant);
      const user =
        known === undefined ? undefined : await ctx.repos.users.findByEmail(tenant, email);
      // Unknown tenant, unknown user, disabled user: the same time (a verification) and answer.
      const verdict = await verifyPassword(
        password,
        user === undefined || user.disabledAt !== null ? undefined : user.passwordHash.reveal(),
      );
      const userAgent = String(request.headers['user-agent'] ?? '').slice(0, 200);
      if (!verdict.ok || user === undefined) {
        if (known !== undefined) {
          await ctx.repos.users.recordFailedLogin(
            tenant,
            email,
            user === undefined
              ? 'unknown user'
              : user.disabledAt !== null
                ? 'disabled user'
                : 'wrong password',
            request.ip,
          );
        }
        refuseIfBlocked(reply, [
          await ctx.authFailures.fail(client),
          await ctx.authFailures.fail(account),
        ]);
        throw new AlertbaseError('ALERTBASE_AUTH_UNAUTHENTICATED', {
          reason: 'unknown tenant, e-mail or password',
        });
      }
      if (known?.status !== 'active') {
        throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
          role: user.role,
          action: 'use a suspended tenant',
        });
      }
      let current = user;
      if (verdict.rehash) {
        current = await ctx.repos.users.setPasswordHash(
          tenant,
          user.id,
          await hashPassword(password),
          `user:${user.email}`,
        );
      }
      const opened = await ctx.repos.users.openSession(
        tenant,
        current,
        SESSION_TTL_MS,
        `${request.ip} ${userAgent}`.trim(),
      );
      setSessionCookie(reply, opened.token, Math.floor(SESSION_TTL_MS / 1_000));
      reply.header('cache-control', 'no-store');
      return send(
        reply,
        200,
        {
          token: opened.token,
          expires_at: opened.session.expiresAt.toISOString(),
          user: wireUser(current),
        },
        ctx.serializer,
      );
    },
  );

  api.post(
    '/v1/auth/logout',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['auth'],
        summary: "End the caller's session (a key has none: nothing happens) and clear the cookie",
        response: { 204: NO_CONTENT },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      if (who.session !== undefined) {
        await ctx.repos.users.revokeSession(who.tenantId, who.session.id, who.actor);
      }
      setSessionCookie(reply, '', 0);
      return reply.code(204).send();
    },
  );

  api.post(
    '/v1/auth/password',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['auth'],
        summary:
          "Change the caller's own password (a session's person): the current one is required; every session of the user ends",
        body: PasswordChangeBody,
        response: {
          204: NO_CONTENT,
          403: problem('An API key: only a person with a session changes a password'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      if (who.session === undefined) {
        throw new AlertbaseError('ALERTBASE_AUTH_SESSION_REQUIRED', {
          action: 'changing one’s own password',
          credential: 'an API key',
        });
      }
      const parsed = PasswordChangeBody.safeParse(bodyOf(request));
      if (!parsed.success) throw new ValidationError('PasswordChange', issuesOf(parsed.error));
      const { current_password: currentPassword, new_password: newPassword } = parsed.data;
      const userId = who.session.userId;
      // Guessing the current password through a stolen session is throttled like a login.
      const client = `ip:${request.ip}`;
      const account = `password:${who.tenantId}:${userId}`;
      refuseIfBlocked(reply, [
        await ctx.authFailures.check(client),
        await ctx.authFailures.check(account),
      ]);
      const user = await ctx.repos.users.get(who.tenantId, userId);
      const verdict = await verifyPassword(currentPassword, user.passwordHash.reveal());
      if (!verdict.ok) {
        await ctx.repos.users.recordPasswordChange(who.tenantId, userId, who.actor, {
          by: 'self',
          result: 'failure',
          reason: 'wrong current password',
        });
        refuseIfBlocked(reply, [
          await ctx.authFailures.fail(client),
          await ctx.authFailures.fail(account),
        ]);
        throw new ValidationError('PasswordChange', [
          {
            path: ['current_password'],
            pointer: '/current_password',
            code: 'wrong_password',
            message: 'the current password is wrong',
          },
        ]);
      }
      refusePassword(newPassword, user.email, 'new_password');
      if (newPassword === currentPassword) {
        throw new ValidationError('PasswordChange', [
          {
            path: ['new_password'],
            pointer: '/new_password',
            code: 'password_policy',
            message: 'the new password must differ from the current one',
          },
        ]);
      }
      const passwordHash = await hashPassword(newPassword);
      await ctx.db.withTenant(who.tenantId, async (tx) => {
        await ctx.repos.users.update(who.tenantId, userId, { passwordHash }, who.actor, {
          transaction: tx,
        });
        const ended = await ctx.repos.users.revokeSessionsOf(
          tx,
          who.tenantId,
          userId,
          who.actor,
          'password changed',
        );
        await ctx.repos.users.recordPasswordChange(
          who.tenantId,
          userId,
          who.actor,
          { by: 'self', result: 'success', sessionsEnded: ended },
          tx,
        );
      });
      // This session ended with the others: the person logs in again with the new password.
      setSessionCookie(reply, '', 0);
      return reply.code(204).send();
    },
  );

  api.get(
    '/v1/auth/me',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['auth'],
        summary: 'Who the caller is: tenant, role, and the person of a session',
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const user =
        who.session === undefined
          ? null
          : wireUser(await ctx.repos.users.get(who.tenantId, who.session.userId));
      return send(
        reply,
        200,
        {
          tenant_id: who.tenantId,
          role: who.role,
          actor: who.actor,
          session_id: who.session?.id ?? null,
          user,
        },
        ctx.serializer,
      );
    },
  );

  api.post(
    '/v1/users',
    {
      config: { requires: 'users:manage' },
      schema: {
        tags: ['users'],
        summary:
          'Add a user: e-mail, role (at most the caller’s), and a password (policy checked) or an imported argon2/bcrypt hash',
        body: NewUserBody,
        response: {
          201: UserAnswer,
          409: problem('A user with this e-mail exists'),
          422: problem('The user is invalid, or the password breaks the policy'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const body = bodyOf(request);
      const parsed = NewUserBody.safeParse({ ...body, name: body.name ?? null });
      if (!parsed.success) throw new ValidationError(User.name, issuesOf(parsed.error));
      const { email, name, role, password, password_hash: imported } = parsed.data;
      refuseRoleAbove(who, role);
      let passwordHash: string;
      if (password !== undefined) {
        refusePassword(password, email);
        passwordHash = await hashPassword(password);
      } else {
        if (imported === undefined || !isPasswordHash(imported)) {
          throw new ValidationError(User.name, [
            {
              path: ['password_hash'],
              pointer: '/password_hash',
              code: 'invalid_format',
              message: 'expected an argon2 PHC string or a bcrypt hash ($2a$, $2b$, $2y$)',
            },
          ]);
        }
        passwordHash = imported;
      }
      const user = await ctx.repos.users.create(
        who.tenantId,
        { email, name, role, passwordHash },
        who.actor,
      );
      reply.header('location', `/v1/users/${user.id}`);
      return send(reply, 201, wireUser(user), ctx.serializer);
    },
  );

  api.get(
    '/v1/users',
    {
      config: { requires: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'List users (password hashes never shown)',
        querystring: UserQuery,
        response: {
          200: z.object({ items: z.array(UserAnswer), next_cursor: z.string().nullable() }),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query;
      const page = await ctx.repos.users.list(who.tenantId, baseListOptions(q));
      return send(
        reply,
        200,
        { items: page.items.map(wireUser), next_cursor: page.nextCursor },
        ctx.serializer,
      );
    },
  );

  api.get(
    '/v1/users/:id',
    {
      config: { requires: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Get a user',
        params: IdParams,
        response: { 200: UserAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      return send(
        reply,
        200,
        wireUser(await ctx.repos.users.get(who.tenantId, request.params.id)),
        ctx.serializer,
      );
    },
  );

  api.patch(
    '/v1/users/:id',
    {
      config: { requires: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a user’s name, role or password (a new password ends their sessions)',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UserPatchBody,
        response: {
          200: UserAnswer,
          409: problem('A stale version'),
          412: problem('If-Match names a stale version'),
          422: problem('The change is invalid, or the password breaks the policy'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const parsed = UserPatchBody.safeParse(bodyOf(request));
      if (!parsed.success) throw new ValidationError(User.name, issuesOf(parsed.error));
      const { password, ...rest } = parsed.data;
      const current = await ctx.repos.users.get(who.tenantId, id);
      // Neither the user's present role nor the new one may be above the caller's.
      refuseRoleAbove(who, current.role);
      if (rest.role !== undefined) refuseRoleAbove(who, rest.role);
      const patch: Record<string, unknown> = { ...rest };
      if (password !== undefined && who.session?.userId === id) {
        // One's own password needs the current one: a stolen session must not be enough.
        throw new AlertbaseError('ALERTBASE_AUTH_FORBIDDEN', {
          role: who.role,
          action:
            'set their own password here: change it with POST /v1/auth/password, which asks for the current one',
        });
      }
      if (password !== undefined) {
        refusePassword(password, current.email);
        patch.passwordHash = await hashPassword(password);
      }
      const updated = await ctx.db.withTenant(who.tenantId, async (tx) => {
        const next = await conditional(request, (options) =>
          ctx.repos.users.update(who.tenantId, id, patch, who.actor, {
            ...options,
            transaction: tx,
          }),
        );
        if (password !== undefined) {
          const ended = await ctx.repos.users.revokeSessionsOf(
            tx,
            who.tenantId,
            id,
            who.actor,
            'password reset',
          );
          await ctx.repos.users.recordPasswordChange(
            who.tenantId,
            id,
            who.actor,
            { by: 'admin', result: 'success', sessionsEnded: ended },
            tx,
          );
        }
        return next;
      });
      return send(reply, 200, wireUser(updated), ctx.serializer);
    },
  );

  api.delete(
    '/v1/users/:id',
    {
      config: { requires: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Disable a user: they can no longer log in, and their sessions end',
        params: IdParams,
        response: { 200: UserAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const current = await ctx.repos.users.get(who.tenantId, id);
      refuseRoleAbove(who, current.role);
      const disabled =
        current.disabledAt === null
          ? await ctx.repos.users.disable(who.tenantId, id, who.actor)
          : current;
      return send(reply, 200, wireUser(disabled), ctx.serializer);
    },
  );
}
