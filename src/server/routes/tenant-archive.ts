/**
 * Moving a tenant between deployments (platform administrator):
 * `GET /v1/admin/tenants/{id}/export` streams its archive (gzip-compressed
 * newline-delimited JSON, `src/storage/tenant-archive.ts`);
 * `POST /v1/admin/tenants/import` reads one (gzip or plain) into this
 * deployment, in one transaction. What `alertbase tenant export|import`
 * call when a running server holds the PGlite directory.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
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
import { IdParams } from './helpers.js';
import { component, problem, textBody } from './schemas.js';

const ImportResult = component(
  z.object({
    tenant: z.string(),
    rows: z.record(z.string(), z.number().int().min(0)).describe('Rows written per table'),
  }),
  'TenantImportResult',
);

/** Registers the tenant export and import routes. */
export function tenantArchiveRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  // Untyped replies: the answer is a stream, not a JSON body.
  scope.get<{ Params: { id: string } }>(
    '/v1/admin/tenants/:id/export',
    {
      config: { requires: 'platform' },
      schema: {
        tags: ['admin'],
        summary:
          'Export a tenant: every row of its tables, as gzip-compressed newline-delimited JSON for POST /v1/admin/tenants/import',
        params: IdParams,
        response: {
          200: {
            description: 'The archive',
            content: { [TENANT_ARCHIVE_GZIP_MEDIA_TYPE]: { schema: z.string() } },
          },
          400: problem('There is no such tenant'),
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
  scope.register(async (inner) => {
    inner.removeAllContentTypeParsers();
    inner.addContentTypeParser(
      [TENANT_ARCHIVE_GZIP_MEDIA_TYPE, TENANT_ARCHIVE_MEDIA_TYPE],
      (_request, payload, done) => {
        done(null, payload);
      },
    );
    inner.withTypeProvider<ZodTypeProvider>().post(
      '/v1/admin/tenants/import',
      {
        config: { requires: 'platform' },
        schema: {
          tags: ['admin'],
          summary:
            'Import a tenant archive (application/gzip, or application/x-ndjson uncompressed), in one transaction; the tenant must not exist here',
          consumes: [TENANT_ARCHIVE_GZIP_MEDIA_TYPE, TENANT_ARCHIVE_MEDIA_TYPE],
          body: textBody('An archive `GET /v1/admin/tenants/{id}/export` wrote'),
          response: {
            201: ImportResult,
            400: problem('A damaged, truncated or foreign archive'),
            409: problem('The tenant exists here'),
          },
        },
      },
      async (request, reply) => {
        const body = request.body as unknown as AsyncIterable<Uint8Array>;
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
