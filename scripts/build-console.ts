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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/** What {@link buildConsole} built. */
export interface ConsoleBuild {
  /** The entry module's file name. */
  readonly entry: string;
  /** Bytes of the initial JavaScript (the entry and its static imports), gzipped. */
  readonly initialGzipBytes: number;
  readonly ms: number;
}

/** Builds the console into `outdir` (emptied first). */
export async function buildConsole(outdir: string): Promise<ConsoleBuild> {
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
  const rel = (p: string): string => relative(outdir, `${root}${p}`).split('\\').join('/');
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
  return {
    entry: basename(entryJs),
    initialGzipBytes: initialGzip,
    ms: Math.round(performance.now() - started),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const built = await buildConsole(`${root}dist/console`);
  process.stdout.write(
    `console: ${built.entry}, initial JavaScript ${(built.initialGzipBytes / 1024).toFixed(1)} KB gzipped, built in ${built.ms} ms\n`,
  );
  if (process.argv.includes('--check-size') && built.initialGzipBytes > 150 * 1024) {
    process.stderr.write('console: initial JavaScript exceeds 150 KB gzipped\n');
    process.exitCode = 1;
  }
}
