/**
 * The migrated PGlite template: a tarball of a data directory after initdb
 * and every migration, which new PGlite databases start from instead of
 * running initdb (3–7 s) and the migrations.
 *
 * Looked up in this order, each only under the current key (the PGlite
 * version and the migrations), so a template from another PGlite or another
 * migration set is never used:
 * 1. shipped: `pglite-template-<key>.tar.gz` beside this module, written by
 *    `npm run build` (`scripts/build-template.ts`) and packed with `dist/`;
 * 2. cached: `<tmpdir>/alertbase/pglite-template-<key>.tar`;
 * 3. built: initdb and the migrations, then written to the cache.
 *
 * A new server data directory is seeded from the template unpacked:
 * `npm run build` also writes `pglite-template-<key>/` beside the shipped
 * tarball, a data directory PGlite closed cleanly, which a first start copies
 * (about 0.1–0.3 s of CPU for its 41 MB) instead of decompressing and
 * unpacking the tarball. It is not packed into the package (package.json's
 * `files`): an installed package seeds from the tarball.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { checksumOf, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/list.js';

const gunzipAsync = promisify(gunzip);
/** Output chunk of the template's decompression (see `readShipped`). */
const TEMPLATE_CHUNK = 8 * 1024 * 1024;
const gzipAsync = promisify(gzip);

/** Where a template came from: see the module's lookup order. */
export type PgliteTemplateSource = 'shipped' | 'cache' | 'built';

/** A migrated data-directory tarball (uncompressed ustar) and where it came from. */
export interface PgliteTemplate {
  readonly data: Blob;
  readonly source: PgliteTemplateSource;
}

/** Options of {@link pgliteTemplate} and {@link loadPgliteTemplate}. */
export interface PgliteTemplateOptions {
  /**
   * Directory the migrated template is cached in across processes (each
   * vitest worker is one); `false` keeps it in this process only.
   * Default: `<os tmpdir>/alertbase`.
   */
  readonly cacheDir?: string | false | undefined;
  /**
   * Directory holding the template shipped with the package; `false` skips it.
   * Default: the directory of this module (`dist/storage/` once built).
   */
  readonly shippedDir?: string | false | undefined;
  /**
   * Keep the template in this process's memory for later calls (tests open
   * many databases); default `true`. A server seeds one data directory and
   * passes `false`, so the 40 MB tarball is not held for its lifetime.
   */
  readonly keep?: boolean | undefined;
}

/**
 * Where the build puts the shipped template: dist/storage/, this module's own
 * folder. Named from the parent folder so that it is the same from a chunk of
 * the bundled command (dist/bin/), one folder below dist/ too.
 */
const MODULE_DIR = fileURLToPath(new URL('../storage/', import.meta.url));

/** A shipped template's file name, for any key. */
const SHIPPED_NAME = /^pglite-template-[0-9a-f]{16}\.tar\.gz$/;
/** An unpacked template directory's name, for any key. */
const UNPACKED_NAME = /^pglite-template-[0-9a-f]{16}$/;

/** Templates being located or built, by shipped directory and cache file. */
const templates = new Map<string, Promise<PgliteTemplate>>();

/** @internal Forgets the in-process templates (tests of the cache itself). */
export function forgetTemplates(): void {
  templates.clear();
}

/**
 * @internal The installed PGlite's version, from its package.json (which its
 * `exports` do not expose, so found beside its resolved entry point).
 */
export function pgliteVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    if (pkg.name === '@electric-sql/pglite' && typeof pkg.version === 'string') return pkg.version;
    /* v8 ignore next 3 -- only with an unusual PGlite layout or none installed */
  } catch {
    // Unknown: the key still differs from any template built with a known version.
  }
  /* v8 ignore next */
  return 'unknown';
}

let currentKey: string | undefined;

/**
 * @internal The template key: 16 hex digits of a hash of the PGlite version
 * and every migration (id and SQL). A template under another key is never used.
 */
export function pgliteTemplateKey(): string {
  currentKey ??= checksumOf(
    [`pglite ${pgliteVersion()}`, ...MIGRATIONS.map((m) => `${m.id}:${checksumOf(m.sql)}`)].join(
      '\n',
    ),
  ).slice(0, 16);
  return currentKey;
}

/** @internal The cache file name (uncompressed tarball) for the current key. */
export function cachedTemplateName(): string {
  return `pglite-template-${pgliteTemplateKey()}.tar`;
}

/** @internal The shipped file name (gzip-compressed tarball) for the current key. */
export function shippedTemplateName(): string {
  return `pglite-template-${pgliteTemplateKey()}.tar.gz`;
}

/** @internal The unpacked template directory's name for the current key. */
export function unpackedTemplateName(): string {
  return `pglite-template-${pgliteTemplateKey()}`;
}

/** @internal The cache file `options` name, or `undefined` for in-process only. */
export function cachedTemplateFile(options: PgliteTemplateOptions = {}): string | undefined {
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'alertbase');
  return cacheDir === false ? undefined : join(cacheDir, cachedTemplateName());
}

/** @internal Runs initdb and every migration once, and dumps the result (uncompressed). */
async function buildTemplate(): Promise<Blob> {
  const { PgliteDatabase } = await import('./drivers/pglite.js');
  const db = await PgliteDatabase.create();
  try {
    await migrate(db);
    // The dump is of a running database, so every start from it runs crash
    // recovery: after a checkpoint there is next to nothing left to redo.
    await db.exec('CHECKPOINT');
    return await db.dump();
  } finally {
    await db.close();
  }
}

/** @internal Writes then renames, so a concurrent reader never sees half a file. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(partial, bytes);
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

/** @internal The shipped template under the current key, if there is a readable one. */
async function readShipped(dir: string): Promise<Blob | undefined> {
  let packed: Buffer;
  try {
    packed = await readFile(join(dir, shippedTemplateName()));
  } catch {
    return undefined;
  }
  try {
    // gzip's CRC catches a damaged file: fall back to the cache rather than fail.
    // Large output chunks: with zlib's 16 KiB default, the 40 MB come back in
    // 2,500 callbacks, each waiting for the thread that builds the app meanwhile.
    return new Blob([await gunzipAsync(packed, { chunkSize: TEMPLATE_CHUNK })]);
  } catch {
    return undefined;
  }
}

/** @internal Follows the lookup order of the module comment. */
async function locate(
  shippedDir: string | undefined,
  cacheFile: string | undefined,
): Promise<PgliteTemplate> {
  if (shippedDir !== undefined) {
    const data = await readShipped(shippedDir);
    if (data !== undefined) return { data, source: 'shipped' };
  }
  if (cacheFile !== undefined) {
    try {
      return { data: new Blob([await readFile(cacheFile)]), source: 'cache' };
    } catch {
      // Not cached yet: build it below.
    }
  }
  const data = await buildTemplate();
  if (cacheFile !== undefined) await writeAtomically(cacheFile, await bytesOf(data));
  return { data, source: 'built' };
}

/** @internal The bytes of a blob. */
async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * The migrated PGlite template and where it came from (see the module's
 * lookup order): shipped with the package (under a second), cached on this
 * machine, or built (initdb and migrations, 3–7 s) and then cached. Kept in
 * this process's memory after the first call, unless `keep` is `false`.
 *
 * @example
 * ```ts
 * const { data, source } = await loadPgliteTemplate();
 * const db = await PgliteDatabase.create({ loadDataDir: data }); // source: 'shipped' once built
 * ```
 */
export function loadPgliteTemplate(options: PgliteTemplateOptions = {}): Promise<PgliteTemplate> {
  const shippedDir = options.shippedDir === false ? undefined : (options.shippedDir ?? MODULE_DIR);
  const cacheFile = cachedTemplateFile(options);
  if (options.keep === false) return locate(shippedDir, cacheFile);
  const key = `${shippedDir ?? ''}\0${cacheFile ?? ''}`;
  let template = templates.get(key);
  if (template === undefined) {
    template = locate(shippedDir, cacheFile);
    templates.set(key, template);
    // A failed build must not poison later calls.
    template.catch(() => templates.delete(key));
  }
  return template;
}

/**
 * The migrated PGlite template as a data-directory tarball (uncompressed
 * ustar, PGlite's `dumpDataDir()` format): see {@link loadPgliteTemplate}.
 */
export async function pgliteTemplate(options: PgliteTemplateOptions = {}): Promise<Blob> {
  return (await loadPgliteTemplate(options)).data;
}

/** Options of {@link writeShippedTemplate}. */
export interface WriteShippedTemplateOptions {
  /** Where the migrated tarball comes from; default: initdb and the migrations, fresh. */
  readonly template?: (() => Promise<Blob>) | undefined;
}

/**
 * @internal Writes the shipped template (gzip) into `dir` unless
 * one under the current key is already there; removes those under other keys.
 * What `npm run build` runs, through `scripts/build-template.ts`.
 */
export async function writeShippedTemplate(
  dir: string,
  options: WriteShippedTemplateOptions = {},
): Promise<{ readonly file: string; readonly written: boolean; readonly bytes: number }> {
  const name = shippedTemplateName();
  const file = join(dir, name);
  await mkdir(dir, { recursive: true });
  const stale = (await readdir(dir)).filter((f) => SHIPPED_NAME.test(f) && f !== name);
  await Promise.all(stale.map((f) => rm(join(dir, f), { force: true })));
  try {
    return { file, written: false, bytes: (await stat(file)).size };
  } catch {
    // Not there yet: build it below.
  }
  const tarball = await bytesOf(await (options.template ?? buildTemplate)());
  // The default level: level 9 takes six times as long for 1% less.
  const packed = await gzipAsync(tarball);
  await writeAtomically(file, packed);
  return { file, written: true, bytes: packed.byteLength };
}

/**
 * The unpacked template under the current key in `shippedDir` (default: this
 * module's folder), if the build wrote it; `undefined` otherwise. It is
 * renamed into place once complete, so one that exists is whole.
 */
export function unpackedTemplateDir(
  options: Pick<PgliteTemplateOptions, 'shippedDir'> = {},
): string | undefined {
  if (options.shippedDir === false) return undefined;
  const dir = join(options.shippedDir ?? MODULE_DIR, unpackedTemplateName());
  try {
    return statSync(join(dir, 'PG_VERSION')).isFile() ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** What a new data directory is seeded from: a directory to copy, else a tarball. */
export type PgliteTemplateSeed = { readonly directory: string } | Blob;

/**
 * What a server seeds a new data directory from: the unpacked template when
 * the build wrote it (a copy), else the tarball of {@link pgliteTemplate}.
 */
export async function pgliteTemplateSeed(
  options: PgliteTemplateOptions = {},
): Promise<PgliteTemplateSeed> {
  const directory = unpackedTemplateDir(options);
  return directory === undefined ? pgliteTemplate(options) : { directory };
}

/**
 * @internal Writes the unpacked template (see the module comment) into `dir`
 * unless the one under the current key is there; removes those under other
 * keys. PGlite loads the tarball into the new directory and closes it
 * cleanly, so a start from a copy runs no crash recovery. What
 * `npm run build` runs after {@link writeShippedTemplate}.
 */
export async function writeUnpackedTemplate(
  dir: string,
  options: WriteShippedTemplateOptions = {},
): Promise<{ readonly dir: string; readonly written: boolean }> {
  const name = unpackedTemplateName();
  const target = join(dir, name);
  await mkdir(dir, { recursive: true });
  const stale = (await readdir(dir)).filter((f) => UNPACKED_NAME.test(f) && f !== name);
  await Promise.all(stale.map((f) => rm(join(dir, f), { recursive: true, force: true })));
  if (unpackedTemplateDir({ shippedDir: dir }) !== undefined)
    return { dir: target, written: false };
  const loadDataDir = await (options.template ?? (() => pgliteTemplate({ shippedDir: dir })))();
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  try {
    const { PgliteDatabase } = await import('./drivers/pglite.js');
    const db = await PgliteDatabase.create({ dataDir: partial, loadDataDir });
    await db.close();
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return { dir: target, written: true };
}
