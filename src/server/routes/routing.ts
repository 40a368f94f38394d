/**
 * The tenant's routing tree: `GET/PUT/DELETE /v1/routing`, and
 * `POST /v1/routing/import`, which takes an Alertmanager configuration file
 * (its `route`, `receivers`, `inhibit_rules`, `time_intervals`) and makes
 * the tree, a notification channel per receiver integration and the
 * inhibition rules, in one transaction (see `docs/routing.md`).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DECODE_LIMITS } from '../../base/constants.js';
import {
  NotFoundError,
  SerializationError,
  toJsonPointer,
  ValidationError,
  type ValidationIssue,
} from '../../base/exceptions/index.js';
import type { ChannelConfig } from '../../domain/index.js';
import { RouteNode, RoutingTree } from '../../domain/index.js';
import {
  type AlertmanagerImport,
  channelsFromAlertmanagerReceiver,
  parseAlertmanagerConfig,
} from '../../interop/alertmanager/index.js';
import type { TransactionClient } from '../../storage/index.js';
import { type CreateInput, ROUTING_TREE_NAME } from '../../storage/repositories/index.js';
import { bindTenant, tenantOf } from '../auth.js';
import { checkQuotaIn } from '../quotas.js';
import { send } from '../wire.js';
import { checkChannelTargets } from './channel-targets.js';
import type { RouteContext } from './context.js';
import { withoutOwnedWireNames } from './crud.js';
import { conditional, etag, wire } from './helpers.js';
import { yamlBodyText } from './rule-files.js';
import {
  component,
  IfMatchHeaders,
  modelBody,
  modelResponse,
  NO_CONTENT,
  problem,
  textBody,
} from './schemas.js';

// A route holds routes: one component, referenced by itself.
component(RouteNode, 'Route');

/** The answer of `POST /v1/routing/import`. */
const RoutingImport = component(
  z.object({
    tree: modelResponse(RoutingTree),
    channels: z
      .array(z.object({ id: z.string(), name: z.string(), type: z.string() }))
      .describe('The channels made or updated, one per receiver integration'),
    inhibit_rules: z.int().min(0).describe('How many inhibition rules were imported'),
    warnings: z
      .array(
        z.object({
          severity: z.literal('warning'),
          code: z.string(),
          pointer: z.string(),
          path: z.array(z.union([z.string(), z.number()])),
          message: z.string(),
          line: z.int().optional(),
          column: z.int().optional(),
        }),
      )
      .describe('Settings imported but not honoured'),
  }),
  'RoutingImport',
);

/** The channel names of a receiver's integrations: the receiver's, numbered when several. */
function channelNames(receiver: string, configs: readonly ChannelConfig[]): string[] {
  if (configs.length === 1) return [receiver];
  const seen = new Map<string, number>();
  return configs.map((c) => {
    const n = (seen.get(c.type) ?? 0) + 1;
    seen.set(c.type, n);
    return `${receiver}-${c.type}-${n}`;
  });
}

async function idByName(
  tx: TransactionClient,
  table: 'notification_channels' | 'inhibit_rules' | 'routing_trees',
  tenantId: string,
  name: string,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE tenant_id = $1 AND name = $2 AND deleted_at IS NULL LIMIT 1`,
    [tenantId, name],
  );
  return rows[0]?.id;
}

/** The issues of an import that stop it (errors), as validation issues. */
function importErrors(parsed: AlertmanagerImport): ValidationIssue[] {
  return parsed.issues
    .filter((i) => i.severity === 'error')
    .map((i) => ({ path: [...i.path], pointer: i.pointer, code: i.code, message: i.message }));
}

/**
 * What a replacement leaves empty when the body does not name it (under
 * its field or its wire name: both would be the same field twice).
 */
function replacedDefaults(input: object): Record<string, unknown[]> {
  const defaults: Record<string, unknown[]> = {};
  for (const [field, wireName] of [
    ['timeIntervals', 'time_intervals'],
    ['escalation', 'escalation'],
  ] as const) {
    if (!Object.hasOwn(input, field) && !Object.hasOwn(input, wireName)) defaults[field] = [];
  }
  return defaults;
}

/** Registers the routing routes. */
export function routingRoutes(api: FastifyInstance, ctx: RouteContext): void {
  const current = async (tenantId: string): Promise<RoutingTree | undefined> => {
    const page = await ctx.repos.routingTrees.list(tenantId, { limit: 1 });
    return page.items[0];
  };

  api.get(
    '/v1/routing',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['routing'],
        summary: "The tenant's routing tree (404 when it has none)",
        response: { 200: modelResponse(RoutingTree) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const tree = await current(who.tenantId);
      if (tree === undefined) throw new NotFoundError('RoutingTree', 'default');
      return send(etag(reply, tree), 200, wire(RoutingTree, tree), ctx.serializer);
    },
  );

  api.put(
    '/v1/routing',
    {
      config: { requires: 'channels:write' },
      schema: {
        tags: ['routing'],
        summary:
          "Set the tenant's routing tree (creates it, or replaces it: If-Match for its version)",
        headers: IfMatchHeaders,
        body: modelBody(RoutingTree),
        response: {
          200: modelResponse(RoutingTree),
          201: modelResponse(RoutingTree),
          409: problem('A stale version, or a receiver naming an unknown channel'),
          412: problem('If-Match names a stale version'),
          422: problem('The tree is invalid (every issue, with its pointer)'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      // The model validates the body (every issue, with its path).
      const input = withoutOwnedWireNames(bindTenant(request.body, who.tenantId)) as CreateInput<
        typeof RoutingTree
      >;
      const existing = await current(who.tenantId);
      if (existing === undefined) {
        const created = await ctx.repos.routingTrees.create(who.tenantId, input, who.actor);
        return send(etag(reply, created), 201, wire(RoutingTree, created), ctx.serializer);
      }
      const replaced = await conditional(request, (options) =>
        ctx.repos.routingTrees.update(
          who.tenantId,
          existing.id,
          { ...replacedDefaults(input), ...input },
          who.actor,
          options,
        ),
      );
      return send(etag(reply, replaced), 200, wire(RoutingTree, replaced), ctx.serializer);
    },
  );

  api.delete(
    '/v1/routing',
    {
      config: { requires: 'channels:write' },
      schema: {
        tags: ['routing'],
        summary: "Remove the tenant's routing tree",
        response: { 204: NO_CONTENT },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const tree = await current(who.tenantId);
      if (tree === undefined) throw new NotFoundError('RoutingTree', 'default');
      await ctx.repos.routingTrees.delete(who.tenantId, tree.id, who.actor);
      return reply.code(204).send();
    },
  );

  // The configuration is read as text (YAML positions, the alias budget).
  api.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
    scope.post(
      '/v1/routing/import',
      {
        config: { requires: 'channels:write' },
        schema: {
          tags: ['routing'],
          summary:
            'Import an Alertmanager configuration (application/yaml): its route, receivers (as channels), inhibit_rules and time_intervals, in one transaction',
          consumes: ['application/yaml'],
          body: textBody('An Alertmanager configuration file (alertmanager.yml)'),
          response: {
            200: RoutingImport,
            409: problem('A name already used'),
            422: problem('Settings that cannot be imported (every issue, with its pointer)'),
          },
        },
      },
      async (request, reply) => {
        const who = tenantOf(request);
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const parsed = parseAlertmanagerConfig(yamlBodyText(request, bytes, ctx.bodyLimit));
        const bomb = parsed.issues.find((i) => i.code === 'excessive_aliasing');
        if (bomb !== undefined) {
          throw new SerializationError('ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING', {
            format: 'yaml',
            limit: DECODE_LIMITS.maxYamlAliases,
            line: bomb.line,
            column: bomb.column,
          });
        }
        const errors = importErrors(parsed);
        const receivers = parsed.receivers.map((r, index) => {
          const mapping = channelsFromAlertmanagerReceiver(r.raw, { global: parsed.global });
          for (const issue of mapping.issues) {
            const path = ['receivers', index, ...issue.path];
            errors.push({
              path,
              pointer: toJsonPointer(path),
              code: issue.code,
              message: issue.message,
            });
          }
          return { name: r.name, configs: mapping.configs };
        });
        if (errors.length > 0 || parsed.route === undefined) {
          throw new ValidationError('AlertmanagerConfig', errors);
        }
        for (const r of receivers) {
          for (const config of r.configs) await checkChannelTargets(ctx, who.tenantId, { config });
        }
        const route = parsed.route;
        // Read before the transaction (see checkQuotaIn).
        const tenant = await ctx.tenants.get(who.tenantId);
        const result = await ctx.db.withTenant(who.tenantId, async (tx) => {
          const opts = { transaction: tx };
          // The channels it creates count against the tenant's channel quota.
          let created = 0;
          for (const r of receivers) {
            for (const name of channelNames(r.name, r.configs)) {
              if ((await idByName(tx, 'notification_channels', who.tenantId, name)) === undefined) {
                created++;
              }
            }
          }
          await checkQuotaIn(ctx, tx, tenant, 'channels', created);
          const channels: { id: string; name: string; type: string }[] = [];
          const treeReceivers: { name: string; channels: string[] }[] = [];
          for (const r of receivers) {
            const names = channelNames(r.name, r.configs);
            const ids: string[] = [];
            for (const [k, config] of r.configs.entries()) {
              const name = names[k] as string;
              const known = await idByName(tx, 'notification_channels', who.tenantId, name);
              const channel =
                known === undefined
                  ? await ctx.repos.notificationChannels.create(
                      who.tenantId,
                      { name, config },
                      who.actor,
                      opts,
                    )
                  : await ctx.repos.notificationChannels.update(
                      who.tenantId,
                      known,
                      { config },
                      who.actor,
                      opts,
                    );
              ids.push(channel.id);
              channels.push({ id: channel.id, name, type: config.type });
            }
            treeReceivers.push({ name: r.name, channels: ids });
          }
          for (const [k, rule] of parsed.inhibitRules.entries()) {
            const name = `alertmanager-${k + 1}`;
            const known = await idByName(tx, 'inhibit_rules', who.tenantId, name);
            if (known === undefined) {
              await ctx.repos.inhibitRules.create(who.tenantId, { ...rule, name }, who.actor, opts);
            } else {
              await ctx.repos.inhibitRules.update(
                who.tenantId,
                known,
                { ...rule, name },
                who.actor,
                opts,
              );
            }
          }
          const input = {
            route,
            receivers: treeReceivers,
            timeIntervals: [...parsed.timeIntervals],
            escalation: [],
          };
          // In this transaction: PGlite has one connection, and this transaction holds it.
          const existing = await idByName(tx, 'routing_trees', who.tenantId, ROUTING_TREE_NAME);
          const tree =
            existing === undefined
              ? await ctx.repos.routingTrees.create(who.tenantId, input, who.actor, opts)
              : await ctx.repos.routingTrees.update(who.tenantId, existing, input, who.actor, opts);
          return { tree, channels };
        });
        return send(
          reply,
          200,
          {
            tree: wire(RoutingTree, result.tree),
            channels: result.channels,
            inhibit_rules: parsed.inhibitRules.length,
            warnings: parsed.issues.filter((i) => i.severity === 'warning'),
          },
          ctx.serializer,
        );
      },
    );
  });
}
