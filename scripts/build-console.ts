/**
 * Builds the web console (console/src) into dist/console/ with esbuild:
 * one entry module and its stylesheet, the PromQL editor split into chunks
 * loaded only by the rule editor, file names hashed (served as immutable),
 * and an index.html naming them. Part of `npm run build` (about half a
 * second). `--check-size` fails when the initial JavaScript exceeds 150 KB
 * gzipped.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist/console`;
const started = performance.now();
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: { app: `${root}console/src/main.tsx` },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  outdir,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
});
const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint !== undefined && o.cssBundle !== undefined);
const [entryJs, entryMeta] = entry ?? outputs.find(([, o]) => o.entryPoint !== undefined) ?? [];
if (entryJs === undefined || entryMeta === undefined) throw new Error('console: no entry output');
const rel = (p: string): string => relative(outdir, `${root}${p}`);
const css = entryMeta.cssBundle === undefined ? undefined : rel(entryMeta.cssBundle);
const html = (await readFile(`${root}console/index.html`, 'utf8'))
  .replace('%APP_JS%', rel(entryJs))
  .replace('%APP_CSS%', css ?? '');
await writeFile(`${outdir}/index.html`, html);

// Initial JavaScript: the entry and the chunks it imports statically.
const initial = new Set<string>();
const walk = (file: string): void => {
  if (initial.has(file)) return;
  initial.add(file);
  for (const imp of result.metafile.outputs[file]?.imports ?? []) {
    if (imp.kind === 'import-statement') walk(imp.path);
  }
};
walk(entryJs);
let initialGzip = 0;
for (const file of initial) initialGzip += gzipSync(await readFile(`${root}${file}`)).byteLength;
const ms = Math.round(performance.now() - started);
process.stdout.write(
  `console: ${basename(entryJs)}, initial JavaScript ${(initialGzip / 1024).toFixed(1)} KB gzipped, built in ${ms} ms\n`,
);
if (process.argv.includes('--check-size') && initialGzip > 150 * 1024) {
  process.stderr.write('console: initial JavaScript exceeds 150 KB gzipped\n');
  process.exitCode = 1;
}
