/**
 * `alertbase tenant export` and `alertbase tenant import`: a tenant moved
 * between deployments in a portable archive (`src/storage/tenant-archive.ts`).
 * Through the running server's API when one holds the PGlite directory
 * (`/v1/admin/tenants/…`, with `ALERTBASE_ADMIN_KEY`), else against the
 * database the configuration names.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../config/index.js';
import { StorageError } from '../storage/errors.js';
import {
  archiveBytes,
  archiveLines,
  exportTenant,
  gzipArchive,
  importTenant,
  TENANT_ARCHIVE_GZIP_MEDIA_TYPE,
  type TenantImportResult,
} from '../storage/index.js';
import { type CommandIo, openConfigured, runningServerOf } from './commands.js';

/** Options of `alertbase tenant export`. */
export interface TenantExportOptions {
  readonly tenant: string;
  /** The archive written (gzip-compressed newline-delimited JSON). */
  readonly out: string;
  readonly config?: string | undefined;
}

/** Options of `alertbase tenant import`. */
export interface TenantImportOptions {
  /** An archive `alertbase tenant export` wrote. */
  readonly from: string;
  readonly config?: string | undefined;
}

const refused = (what: string, status: number, body: string): StorageError =>
  new StorageError('ALERTBASE_STORAGE_ARCHIVE_INVALID', {
    reason: `${what}: the running server answered ${status}: ${body.slice(0, 500)}`,
  });

/** Writes `bytes` beside `file` and renames it into place: no half-written archive. */
async function writeWhole(file: string, bytes: NodeJS.ReadableStream): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await pipeline(bytes, createWriteStream(partial));
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

/** `alertbase tenant export TENANT --out FILE`. @returns how: `api` or `database`. */
export async function runTenantExport(
  options: TenantExportOptions,
  io: CommandIo,
): Promise<'api' | 'database'> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const out = resolve(io.cwd, options.out);
  const server = await runningServerOf(config);
  if (server !== undefined) {
    const res = await fetch(
      `${server.url}/v1/admin/tenants/${encodeURIComponent(options.tenant)}/export`,
      { headers: { authorization: `Bearer ${server.adminKey}` } },
    );
    if (res.status !== 200 || res.body === null) {
      throw refused(`export of ${options.tenant}`, res.status, await res.text());
    }
    await writeWhole(out, Readable.fromWeb(res.body));
    io.stdout.write(`Tenant ${options.tenant} exported by the running server to ${out}\n`);
    return 'api';
  }
  const { db } = await openConfigured(options.config, io, 'tenant export');
  try {
    const lines = exportTenant(db, options.tenant);
    // The first line proves the tenant exists before a file is written.
    const first = await lines.next();
    const all = async function* (): AsyncGenerator<string> {
      if (first.done !== true) yield first.value;
      yield* lines;
    };
    await writeWhole(out, gzipArchive(all()));
  } finally {
    await db.close();
  }
  io.stdout.write(`Tenant ${options.tenant} exported to ${out}\n`);
  return 'database';
}

/** `alertbase tenant import FILE`. */
export async function runTenantImport(
  options: TenantImportOptions,
  io: CommandIo,
): Promise<TenantImportResult> {
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const from = resolve(io.cwd, options.from);
  const server = await runningServerOf(config);
  let result: TenantImportResult;
  if (server !== undefined) {
    const res = await fetch(`${server.url}/v1/admin/tenants/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        'content-type': TENANT_ARCHIVE_GZIP_MEDIA_TYPE,
      },
      body: Readable.toWeb(createReadStream(from)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (res.status !== 201) throw refused(`import of ${from}`, res.status, text);
    result = JSON.parse(text) as TenantImportResult;
  } else {
    const { db } = await openConfigured(options.config, io, 'tenant import');
    try {
      result = await importTenant(db, archiveLines(archiveBytes(createReadStream(from))));
    } finally {
      await db.close();
    }
  }
  const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
  io.stdout.write(`Tenant ${result.tenant} imported from ${from}: ${total} rows\n`);
  return result;
}
