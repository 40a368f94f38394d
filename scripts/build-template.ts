/**
 * Writes the migrated PGlite template into dist/storage/ (beside the module
 * that looks it up), so the first `alertbase serve` on a new machine loads it
 * instead of running initdb and the migrations: the tarball the package
 * ships, and the same unpacked (a data directory), which a first start in
 * this checkout copies. Part of `npm run build`; does nothing when both are
 * there for the current PGlite and migrations, and removes those for other keys.
 */
import { fileURLToPath } from 'node:url';
import { writeShippedTemplate, writeUnpackedTemplate } from '../src/storage/pglite-template.js';

const started = performance.now();
const dir = fileURLToPath(new URL('../dist/storage/', import.meta.url));
const { file, written, bytes } = await writeShippedTemplate(dir);
if (written) {
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `PGlite template: ${file} (${(bytes / 1e6).toFixed(1)} MB, built in ${ms} ms)\n`,
  );
}
const unpacked = await writeUnpackedTemplate(dir);
if (unpacked.written) {
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`PGlite template unpacked: ${unpacked.dir} (${ms} ms)\n`);
}
