/**
 * Bundles the `alertbase` command (src/cli/main.ts) with esbuild into
 * dist/bin/: what the `alertbase` bin and `npm start` run. One file per lazy
 * step instead of about 300 modules of dist/ to resolve, read and compile:
 * the entry, a chunk per command (`import()` of a command's module stays an
 * `import()` of its chunk, so `validate` never loads the server's code), and
 * shared chunks. The small pure-JavaScript packages the command paths need are
 * bundled in too; the others stay packages that Node loads from node_modules:
 * those with native addons, WebAssembly or files read beside their modules
 * (PGlite, argon2, msgpackr, swagger-ui, pino's workers), and the drivers
 * and libraries loaded on first use. dist/ stays the library
 * that the package's exports name, built by tsc. Part of `npm run build`.
 *
 * The chunks sit one folder below dist/, like the modules of dist/storage/
 * and dist/server/, so the paths they find by `import.meta.url` (the shipped
 * PGlite template in dist/storage/, the console in dist/console/) are the same.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Packages bundled into the command: pure JavaScript, no file read beside
 * their modules, and no object shared with an external package (zod's schemas
 * go to fastify-type-provider-zod, so both are in).
 */
export const BUNDLED_PACKAGES: readonly string[] = [
  'commander',
  'yaml',
  'zod',
  'fastify-type-provider-zod',
  're2js',
  'lru-cache',
  '@lezer/common',
  '@lezer/lr',
  '@lezer/highlight',
  '@prometheus-io/lezer-promql',
];

/** What {@link buildBundle} built. */
export interface BundleBuild {
  /** The entry module, relative to the package root. */
  readonly entry: string;
  readonly files: number;
  readonly bytes: number;
  readonly ms: number;
}

/** Builds the command into `outdir` (emptied first). */
export async function buildBundle(outdir: string): Promise<BundleBuild> {
  const started = performance.now();
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { alertbase: `${root}src/cli/main.ts` },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    // Bundled CommonJS packages call require(): give the chunks one.
    banner: {
      js: "import { createRequire as __alertbaseRequire } from 'node:module';\nconst require = __alertbaseRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'external-packages',
        setup(b) {
          // A bare specifier is external unless its package is in BUNDLED_PACKAGES.
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:')) return { external: true };
            const parts = args.path.split('/');
            const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
            return name !== undefined && BUNDLED_PACKAGES.includes(name)
              ? undefined
              : { external: true };
          });
        },
      },
    ],
    sourcemap: 'linked',
    legalComments: 'inline',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const outputs = Object.entries(result.metafile.outputs).filter(([p]) => p.endsWith('.js'));
  // Each command's chunk has an entry point too (an `import()`): the entry is the named one.
  const entry = outputs.find(([p]) => p.endsWith('/alertbase.js'))?.[0];
  if (entry === undefined) throw new Error('bundle: no entry output');
  return {
    entry,
    files: outputs.length,
    bytes: outputs.reduce((n, [, o]) => n + o.bytes, 0),
    ms: Math.round(performance.now() - started),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildBundle(`${root}dist/bin`);
  process.stdout.write(
    `alertbase command: ${built.entry} and ${built.files - 1} chunk(s), ${(built.bytes / 1e6).toFixed(1)} MB, built in ${built.ms} ms\n`,
  );
}
