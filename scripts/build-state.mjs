#!/usr/bin/env node
// Keeps `dist/` in step with the sources without rebuilding on every start.
//
//   node scripts/build-state.mjs stamp   records that dist/ is built (the last step of `npm run build`)
//   node scripts/build-state.mjs ensure  runs `npm run build` only when dist/ is missing or older than
//                                        an input
//   node scripts/build-state.mjs start [args]  `ensure`, then `alertbase serve [args]` in this same
//                                        process (what `npm start` runs: one Node start-up, not two)
//
// Inputs are what the build reads: the sources under src/ (tests excluded: the build
// skips them) and console/, the template and console builders, the TypeScript configurations, package.json and
// package-lock.json (a dependency update can change the migrated template). Plain
// JavaScript, so that the check costs a few milliseconds and loads no compiler.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist', '.build-stamp');
const DIRS = ['src', 'console'];
const FILES = [
  'scripts/build-template.ts',
  'scripts/build-console.ts',
  'scripts/build-bundle.ts',
  'scripts/warm-compile-cache.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];

/** The newest modification time among the build's inputs, in milliseconds. */
function newestInput() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of DIRS) {
    try {
      visit(join(ROOT, dir));
    } catch {
      // A directory that is not there (console/ in a packed copy).
    }
  }
  for (const file of FILES) {
    try {
      newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
    } catch {
      // An optional input that is not there (package-lock.json in a packed copy).
    }
  }
  return newest;
}

function stampTime() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Builds dist/ when it is missing or older than an input. */
function ensure() {
  const built = stampTime();
  if (built === undefined || newestInput() > built) {
    process.stderr.write(
      built === undefined
        ? 'alertbase: building dist/ (first start)\n'
        : 'alertbase: sources changed since the last build, rebuilding dist/\n',
    );
    const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

const command = process.argv[2];
if (command === 'stamp') {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
} else if (command === 'ensure') {
  ensure();
} else if (command === 'start') {
  ensure();
  // The bundled command (scripts/build-bundle.ts), as the `alertbase` bin runs it; it reads its
  // arguments from process.argv, as if run as `node dist/bin/alertbase.js serve …`.
  const main = join(ROOT, 'dist', 'bin', 'alertbase.js');
  process.argv = [process.argv[0] ?? process.execPath, main, 'serve', ...process.argv.slice(3)];
  await import(pathToFileURL(main).href);
} else {
  process.stderr.write('usage: node scripts/build-state.mjs stamp|ensure|start [serve options]\n');
  process.exit(2);
}
