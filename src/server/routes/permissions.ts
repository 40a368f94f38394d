/**
 * `GET /v1/permissions`: the permission matrix (who may do what) and what
 * the caller itself may do (its role, narrowed by a scoped key).
 */
import type { FastifyInstance } from 'fastify';
import { Role } from '../../base/enums/index.js';
import { tenantOf } from '../auth.js';
import { PERMISSION_MATRIX, PERMISSION_NAMES, type PermissionEntry } from '../permission-matrix.js';
import { permissionsOf } from '../roles.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { ERRORS } from './json-schemas.js';

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
        response: { 200: { type: 'object', additionalProperties: true }, ...ERRORS },
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
