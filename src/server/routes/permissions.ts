/**
 * `GET /v1/permissions`: the permission matrix (who may do what) and what
 * the caller itself may do (its role, narrowed by a scoped key).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Role } from '../../base/enums/index.js';
import { tenantOf } from '../auth.js';
import { PERMISSION_MATRIX, PERMISSION_NAMES, type PermissionEntry } from '../permission-matrix.js';
import { permissionsOf } from '../roles.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { component } from './schemas.js';

const Permission = z.enum(PERMISSION_NAMES as [string, ...string[]]);

/** The answer of `GET /v1/permissions`. */
const PermissionsAnswer = component(
  z.object({
    roles: z.array(Role.schema),
    permissions: z.array(
      z.object({
        name: Permission,
        resource: z.string(),
        action: z.string(),
        roles: z.array(Role.schema),
      }),
    ),
    caller: z.object({
      role: Role.schema,
      scoped: z.boolean(),
      permissions: z.array(Permission),
    }),
  }),
  'Permissions',
);

/** Registers `GET /v1/permissions`. */
export function permissionRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get(
    '/v1/permissions',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['keys'],
        summary:
          'The permission matrix (permission → resources, action, roles) and the caller’s own permissions',
        response: { 200: PermissionsAnswer },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      return send(
        reply,
        200,
        {
          roles: [...Role.values],
          permissions: PERMISSION_NAMES.map((name) => {
            const entry: PermissionEntry = PERMISSION_MATRIX[name];
            return {
              name,
              resource: entry.resource,
              action: entry.action,
              roles: [...entry.roles],
            };
          }),
          caller: {
            role: who.role,
            scoped: who.scopes !== undefined,
            permissions: permissionsOf(who.role, who.scopes),
          },
        },
        ctx.serializer,
      );
    },
  );
}
