/**
 * Writes the migrated PGlite template into dist/storage/ (beside the module
 * that looks it up), so the first `alertbase serve` on a new machine loads it
 * instead of running initdb and the migrations. Part of `npm run build`;
 * does nothing when the template for the current PGlite and migrations is
 * already there, and removes those for other keys.
 */
import { fileURLToPath } from 'node:url';
import { writeShippedTemplate } from '../src/storage/pglite-template.js';

const started = performance.now();
const dir = fileURLToPath(new URL('../dist/storage/', import.meta.url));
const { file, written, bytes } = await writeShippedTemplate(dir);
if (written) {
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `PGlite template: ${file} (${(bytes / 1e6).toFixed(1)} MB, built in ${ms} ms)\n`,
  );
}
