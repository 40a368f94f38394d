/**
 * `GET /v1/admin/backup` (platform administrator): a consistent backup of a
 * PGlite database while the server runs, as the tarball `alertbase restore`
 * takes. What `alertbase backup` calls when a running server holds the data
 * directory. A PostgreSQL server is backed up with `pg_dump` instead.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { backupPglite, isDumpable } from '../../storage/backup.js';
import { StorageError } from '../../storage/errors.js';
import type { RouteContext } from './context.js';
import { problem } from './schemas.js';

/** The media type of a PGlite backup. */
export const BACKUP_MEDIA_TYPE = 'application/x-tar';

/** Registers `GET /v1/admin/backup`. */
export function backupRoutes(api: FastifyInstance, ctx: RouteContext): void {
  api.get(
    '/v1/admin/backup',
    {
      config: { requires: 'platform' },
      schema: {
        tags: ['admin'],
        summary:
          'Backup of the PGlite data directory, taken while serving (a tarball for alertbase restore)',
        response: {
          200: {
            description: 'ustar archive of the data directory',
            content: { [BACKUP_MEDIA_TYPE]: { schema: z.string().meta({ format: 'binary' }) } },
          },
          409: problem('The database is a PostgreSQL server: back it up with pg_dump'),
        },
      },
    },
    async (_request, reply) => {
      if (!isDumpable(ctx.db)) {
        throw new StorageError('ALERTBASE_STORAGE_BACKUP_FAILED', {
          what: 'backup through the API',
          reason:
            'this server stores into a PostgreSQL server: run alertbase backup (pg_dump) against DATABASE_URL',
        });
      }
      const tarball = Buffer.from(await (await backupPglite(ctx.db)).arrayBuffer());
      return reply
        .code(200)
        .type(BACKUP_MEDIA_TYPE)
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="alertbase-backup.tar"')
        .send(tarball);
    },
  );
}
