import type { FastifyInstance } from 'fastify';
import { alertmanagerRoutes } from './alertmanager.js';
import { alertmanagerApiRoutes } from './alertmanager-api.js';
import { alertRoutes } from './alerts.js';
import { archiveRoutes } from './archive.js';
import { auditRoutes } from './audit.js';
import { backupRoutes } from './backup.js';
import { channelTestRoutes } from './channel-test.js';
import type { RouteContext } from './context.js';
import { eventRoutes } from './events.js';
import { keyRoutes } from './keys.js';
import { notificationRoutes } from './notifications.js';
import { permissionRoutes } from './permissions.js';
import { resourceRoutes } from './resources.js';
import { routingRoutes } from './routing.js';
import { ruleFileRoutes } from './rule-files.js';
import { statsRoutes } from './stats.js';
import { tenantArchiveRoutes } from './tenant-archive.js';
import { tenantRoutes } from './tenants.js';
import { usageRoutes } from './usage.js';
import { userRoutes } from './users.js';

/** Registers every tenant and platform route on the API scope. */
export function registerRoutes(api: FastifyInstance, ctx: RouteContext): void {
  tenantRoutes(api, ctx);
  backupRoutes(api, ctx);
  tenantArchiveRoutes(api, ctx);
  ruleFileRoutes(api, ctx, ctx.bodyLimit);
  resourceRoutes(api, ctx);
  channelTestRoutes(api, ctx);
  alertRoutes(api, ctx);
  eventRoutes(api, ctx);
  keyRoutes(api, ctx);
  auditRoutes(api, ctx);
  notificationRoutes(api, ctx);
  routingRoutes(api, ctx);
  userRoutes(api, ctx);
  permissionRoutes(api, ctx);
  usageRoutes(api, ctx);
  statsRoutes(api, ctx);
  alertmanagerRoutes(api, ctx);
  alertmanagerApiRoutes(api, ctx);
  archiveRoutes(api, ctx);
}
