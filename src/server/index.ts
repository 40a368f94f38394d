/**
 * The reference HTTP service: `buildApp` (a Fastify application over an open
 * database) and `startServer` (opens the database, listens, shuts down on
 * signals). Nothing in the library imports this layer except the CLI.
 */
export { type BuildAppOptions, buildApp } from './app.js';
export type { AuthBackend, KeyRecord, Principal, TenantPrincipal } from './auth.js';
export { PLATFORM_TENANT } from './auth.js';
export {
  type CommandIo,
  type CreateKeyCommandOptions,
  runCreateAdminKey,
} from './commands.js';
export {
  PERMISSION_MATRIX,
  PERMISSION_NAMES,
  type PermissionEntry,
  permissionTable,
} from './permission-matrix.js';
export { PROBLEM_JSON, PreconditionFailedError } from './problems.js';
export {
  allows,
  beyondCaller,
  isPermission,
  PERMISSIONS,
  type Permission,
  permissionsOf,
  type Requirement,
} from './roles.js';
export { runServe, type ServeCommandOptions } from './serve-command.js';
export {
  ADMIN_KEY_ENV,
  DEMO_TENANT,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from './start-server.js';
