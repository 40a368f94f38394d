/**
 * A fast first start on PGlite: a new data directory is written from the
 * migrated template instead of running initdb (3–7 s) and the migrations:
 * copied from the unpacked template the build writes beside the package's
 * modules, or else unpacked from the tarball that `pgliteTemplate()` takes
 * from the package, from the machine's cache, or builds once. The tarball is
 * PGlite's own `dumpDataDir()` output: ustar, directories and regular files only.
 */
import { constants, cpSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { AlertbaseError } from '../base/exceptions/index.js';
import type { PgliteTemplateSeed } from '../storage/pglite-template.js';

const BLOCK = 512;
/** Files written at once. */
const WRITE_CONCURRENCY = 64;
const text = new TextDecoder();

/** @internal A NUL-terminated header field. */
function field(header: Uint8Array, start: number, length: number): string {
  const raw = text.decode(header.subarray(start, start + length));
  const end = raw.indexOf('\0');
  return end === -1 ? raw : raw.slice(0, end);
}

const broken = (reason: string): AlertbaseError =>
  new AlertbaseError('ALERTBASE_INTERNAL', {
    reason: `the database template is unreadable: ${reason}`,
  });

/**
 * Writes the files of an uncompressed ustar archive under `root`. Entries
 * may not leave `root`; links and special files are refused.
 *
 * @throws AlertbaseError `ALERTBASE_INTERNAL` for an archive it cannot read.
 */
export async function extractTar(archive: Uint8Array, root: string): Promise<number> {
  const base = resolve(root);
  const files: { path: string; bytes: Uint8Array }[] = [];
  let offset = 0;
  await mkdir(base, { recursive: true });
  while (offset + BLOCK <= archive.byteLength) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0) throw broken(`bad size of ${name}`);
    const path = resolve(base, `.${sep}${prefix === '' ? name : `${prefix}/${name}`}`);
    if (path !== base && !path.startsWith(`${base}${sep}`)) {
      throw broken(`entry ${name} leaves the directory`);
    }
    const start = offset + BLOCK;
    if (type === '5') {
      await mkdir(path, { recursive: true });
    } else if (type === '0' || type === '\0') {
      if (start + size > archive.byteLength) throw broken(`truncated entry ${name}`);
      files.push({ path, bytes: archive.subarray(start, start + size) });
    } else {
      throw broken(`entry ${name} of type ${JSON.stringify(type)}`);
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  // A data directory is about a thousand small files: write them concurrently.
  const dirs = new Set(files.map((f) => dirname(f.path)));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  for (let i = 0; i < files.length; i += WRITE_CONCURRENCY) {
    await Promise.all(files.slice(i, i + WRITE_CONCURRENCY).map((f) => writeFile(f.path, f.bytes)));
  }
  return files.length;
}

/** Does `dir` exist with something in it? */
async function hasContent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

/**
 * Creates the PGlite data directory `dataDir` from `template` unless it
 * already holds data. Written beside it and renamed into place, so an
 * interrupted first start leaves no half-written database.
 *
 * @returns whether the directory was created (a first start).
 */
export async function seedDataDir(
  dataDir: string,
  template: () => Promise<PgliteTemplateSeed>,
): Promise<boolean> {
  const target = resolve(dataDir);
  if (await hasContent(target)) return false;
  const partial = `${target}.partial-${process.pid}-${Date.now()}`;
  try {
    const source = await template();
    if (source instanceof Blob) {
      await extractTar(new Uint8Array(await source.arrayBuffer()), partial);
    } else {
      // Synchronous: Node's asynchronous fs.cp costs about three times the CPU
      // for its thousand files. A copy-on-write clone where the file system
      // supports one (btrfs, XFS), a plain copy elsewhere.
      cpSync(source.directory, partial, {
        recursive: true,
        mode: constants.COPYFILE_FICLONE,
      });
    }
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return true;
}
