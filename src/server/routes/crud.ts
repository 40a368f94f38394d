/**
 * Create, get, list, update, soft delete and restore of one tenant-scoped
 * model (rules, notification channels, silences): the same six routes over
 * a repository of the storage layer.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { AnyModel } from '../../base/types/model.js';
import type {
  CreateOptions,
  ListOptions,
  Page,
  WriteOptions,
} from '../../storage/repositories/index.js';
import { bindTenant, tenantOf } from '../auth.js';
import { type CountedQuota, withinQuota } from '../quotas.js';
import type { Permission } from '../roles.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { conditional, etag, IdParams, wire, wirePage } from './helpers.js';
import {
  IfMatchHeaders,
  modelBody,
  modelPatch,
  modelResponse,
  OWNED_WIRE_NAMES,
  Problem,
  pageOf,
} from './schemas.js';

/**
 * @internal A body without the wire names of owned fields. The repositories
 * drop the field names; a body read back from a GET carries the wire names,
 * which would otherwise clash.
 */
export function withoutOwnedWireNames(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (!OWNED_WIRE_NAMES.includes(key)) out[key] = value;
  return out;
}

/** The repository calls the CRUD routes make (every `ModelRepository` has them). */
export interface CrudRepository<T extends object, F> {
  create(
    tenantId: string,
    input: Record<string, unknown>,
    actor: string,
    options?: CreateOptions,
  ): Promise<T>;
  get(tenantId: string, id: string, options?: { includeDeleted?: boolean }): Promise<T>;
  update(
    tenantId: string,
    id: string,
    patch: Record<string, unknown>,
    actor: string,
    options?: WriteOptions,
  ): Promise<T>;
  delete(tenantId: string, id: string, actor: string, options?: WriteOptions): Promise<T>;
  restore(tenantId: string, id: string, actor: string, options?: WriteOptions): Promise<T>;
  list(tenantId: string, options?: ListOptions<F>): Promise<Page<T>>;
}

/** What differs between the CRUD resources. */
export interface CrudSpec<T extends object, F, Q extends z.ZodType> {
  /** `/v1/rules`. */
  readonly path: string;
  /** OpenAPI tag. */
  readonly tag: string;
  /** The model of the records. */
  readonly model: AnyModel;
  readonly repo: CrudRepository<T, F>;
  /** The permission of writes (reads need `read`). */
  readonly write: Permission;
  /** The list query (pagination included; it validates and documents) and how it maps to list options. */
  readonly query: Q;
  readonly listOptions: (query: z.output<Q>) => ListOptions<F>;
  /**
   * Whether list answers may be cached under the tenant's data version
   * (`ENABLE_QUERY_CACHE`). False for a resource whose listing depends on
   * the clock (silences: active, pending, expired). Default true.
   */
  readonly queryCache?: boolean;
  /** The tenant quota each creation counts against. */
  readonly quota?: CountedQuota;
  /**
   * A check of a create or update body (wire or camelCase names) before it
   * is stored; throws to refuse it. The body is as sent: not yet checked to
   * be an object (the model refuses it after).
   */
  readonly beforeWrite?: (tenantId: string, body: unknown) => Promise<void>;
}

/** Registers the six routes of one resource. */
export function crudRoutes<T extends object, F, Q extends z.ZodType>(
  scope: FastifyInstance,
  ctx: RouteContext,
  spec: CrudSpec<T, F, Q>,
): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const { model, repo, path, tag } = spec;
  const name = model.name;
  const record = modelResponse(model);
  // A stale version in the body (409) or in If-Match (412); a record the model refuses (422).
  const writeErrors = { 409: Problem, 412: Problem, 422: Problem };
  const write = { requires: spec.write };

  api.post(
    path,
    {
      config: write,
      schema: {
        tags: [tag],
        summary: `Create a ${name}`,
        body: modelBody(model),
        response: { 201: record, ...writeErrors },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const input = withoutOwnedWireNames(bindTenant(request.body, who.tenantId)) as Record<
        string,
        unknown
      >;
      await spec.beforeWrite?.(who.tenantId, input);
      const created = await withinQuota(ctx, who.tenantId, spec.quota, (options) =>
        repo.create(who.tenantId, input, who.actor, options),
      );
      const id = (created as { id?: unknown }).id;
      reply.header('location', `${path}/${String(id)}`);
      return send(etag(reply, created), 201, wire(model, created), ctx.serializer);
    },
  );

  api.get(
    path,
    {
      config: { requires: 'read' },
      schema: {
        tags: [tag],
        summary: `List ${name} records (keyset pagination)`,
        querystring: spec.query,
        response: { 200: pageOf(model) },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const query = request.query as z.output<Q>;
      const load = async () =>
        wirePage(model, await repo.list(who.tenantId, spec.listOptions(query)));
      const answer =
        spec.queryCache === false
          ? await load()
          : await ctx.queryCache.answer(who.tenantId, name, query, load);
      return send(reply, 200, answer, ctx.serializer);
    },
  );

  api.get(
    `${path}/:id`,
    {
      config: { requires: 'read' },
      schema: {
        tags: [tag],
        summary: `Get a ${name}`,
        params: IdParams,
        response: { 200: record },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const found = await repo.get(who.tenantId, request.params.id);
      return send(etag(reply, found), 200, wire(model, found), ctx.serializer);
    },
  );

  api.patch(
    `${path}/:id`,
    {
      config: write,
      schema: {
        tags: [tag],
        summary: `Update a ${name} (If-Match: 412 when stale)`,
        params: IdParams,
        headers: IfMatchHeaders,
        body: modelPatch(model),
        response: { 200: record, ...writeErrors },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const patch = withoutOwnedWireNames(bindTenant(request.body ?? {}, who.tenantId)) as Record<
        string,
        unknown
      >;
      await spec.beforeWrite?.(who.tenantId, patch);
      const updated = await conditional(request, (options) =>
        repo.update(who.tenantId, id, patch, who.actor, options),
      );
      return send(etag(reply, updated), 200, wire(model, updated), ctx.serializer);
    },
  );

  api.delete(
    `${path}/:id`,
    {
      config: write,
      schema: {
        tags: [tag],
        summary: `Soft-delete a ${name} (restore with POST .../restore)`,
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 200: record, 409: Problem, 412: Problem },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const deleted = await conditional(request, (options) =>
        repo.delete(who.tenantId, id, who.actor, options),
      );
      return send(etag(reply, deleted), 200, wire(model, deleted), ctx.serializer);
    },
  );

  api.post(
    `${path}/:id/restore`,
    {
      config: write,
      schema: {
        tags: [tag],
        summary: `Restore a soft-deleted ${name}`,
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 200: record, 409: Problem, 412: Problem },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const id = request.params.id;
      const restored = await conditional(request, (options) =>
        repo.restore(who.tenantId, id, who.actor, options),
      );
      return send(etag(reply, restored), 200, wire(model, restored), ctx.serializer);
    },
  );
}
