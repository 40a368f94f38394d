/**
 * Moving a tenant between deployments (platform administrator):
 * `GET /v1/admin/tenants/{id}/export` streams its archive (gzip-compressed
 * newline-delimited JSON, `src/storage/tenant-archive.ts`);
 * `POST /v1/admin/tenants/import` reads one (gzip or plain) into this
 * deployment, in one transaction. What `alertbase tenant export|import`
 * call when a running server holds the PGlite directory.
 */
import type { FastifyInstance } from 'fastify';
import {
  archiveBytes,
  archiveLines,
  exportTenant,
  gzipArchive,
  importTenant,
  TENANT_ARCHIVE_GZIP_MEDIA_TYPE,
  TENANT_ARCHIVE_MEDIA_TYPE,
} from '../../storage/index.js';
import type { RouteContext } from './context.js';
import { ERRORS } from './schemas.js';

/** Registers the tenant export and import routes. */
export function tenantArchiveRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get<{ Params: { id: string } }>(
    '/v1/admin/tenants/:id/export',
    {
      config: { requires: 'platform' },
      schema: {
        tags: ['admin'],
        summary:
          'Export a tenant: every row of its tables, as gzip-compressed newline-delimited JSON for POST /v1/admin/tenants/import',
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1 } },
          required: ['id'],
        },
        response: {
          200: { description: 'the archive (application/gzip)', type: 'string' },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const lines = exportTenant(ctx.db, request.params.id);
      // The first line proves the tenant exists before the status is sent.
      const first = await lines.next();
      const all = async function* (): AsyncGenerator<string> {
        if (first.done !== true) yield first.value;
        yield* lines;
      };
      request.log.info({ tenant: request.params.id }, 'tenant export');
      const gzip = gzipArchive(all(), (err) =>
        request.log.error({ err, tenant: request.params.id }, 'tenant export failed midway'),
      );
      const file = `tenant-${request.params.id.replace(/[^A-Za-z0-9._-]/g, '_')}.alertbase.ndjson.gz`;
      return reply
        .code(200)
        .type(TENANT_ARCHIVE_GZIP_MEDIA_TYPE)
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(gzip);
    },
  );

  // The import reads the body as a stream, line by line, in its own scope.
  api.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      [TENANT_ARCHIVE_GZIP_MEDIA_TYPE, TENANT_ARCHIVE_MEDIA_TYPE],
      (_request, payload, done) => {
        done(null, payload);
      },
    );
    scope.post(
      '/v1/admin/tenants/import',
      {
        config: { requires: 'platform' },
        schema: {
          tags: ['admin'],
          summary:
            'Import a tenant archive (application/gzip, or application/x-ndjson uncompressed), in one transaction; the tenant must not exist here',
          response: {
            201: {
              type: 'object',
              properties: {
                tenant: { type: 'string' },
                rows: { type: 'object', additionalProperties: { type: 'integer' } },
              },
              required: ['tenant', 'rows'],
            },
            ...ERRORS,
          },
        },
      },
      async (request, reply) => {
        const body = request.body as AsyncIterable<Uint8Array>;
        const result = await importTenant(ctx.db, archiveLines(archiveBytes(body)));
        // Its API keys were unknown here a moment ago, and may be cached so.
        ctx.forgetKeys();
        ctx.tenants.forget(result.tenant);
        request.log.info({ tenant: result.tenant, rows: result.rows }, 'tenant import');
        return reply.code(201).send(result);
      },
    );
  });
}
