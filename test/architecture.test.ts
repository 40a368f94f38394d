/**
 * The dependency rule of DESIGN.md, checked on the source: which layer may
 * import which, that base/ does no I/O, and that the root entry pulls in no
 * database driver (drivers are loaded with dynamic import() when used).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Static imports and re-exports (not `import type`, not dynamic `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(re)) if (match[1] !== undefined) out.push(match[1]);
  return out;
}

const layerOf = (file: string): string => relative(SRC, file).split('/')[0] ?? '';

/** Which layers each layer may import (itself included). */
const ALLOWED: Record<string, readonly string[]> = {
  base: ['base'],
  domain: ['base', 'domain'],
  config: ['base', 'config'],
  interop: ['base', 'domain', 'interop'],
  storage: ['base', 'domain', 'storage'],
  cache: ['base', 'domain', 'cache'],
  security: ['base', 'domain', 'security'],
  observability: ['base', 'domain', 'observability'],
  notify: ['base', 'domain', 'notify'],
  server: [
    'base',
    'domain',
    'config',
    'interop',
    'storage',
    'cache',
    'security',
    'observability',
    'notify',
    'server',
  ],
  cli: [
    'base',
    'domain',
    'config',
    'interop',
    'storage',
    'cache',
    'security',
    'observability',
    'notify',
    'server',
    'cli',
  ],
};

const files = sourceFiles(SRC);

describe('architecture', () => {
  it('the layer table names exactly the layers in src/', () => {
    const dirs = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(Object.keys(ALLOWED).sort()).toEqual(dirs.sort());
  });

  it('every layer imports only the layers below it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from.endsWith('.ts')) continue; // src/index.ts re-exports the public layers
      const allowed = ALLOWED[from];
      expect(allowed, `unknown layer ${from}`).toBeDefined();
      for (const spec of staticImports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(file), spec));
        if (!allowed?.includes(target)) violations.push(`${relative(SRC, file)} -> ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('base/ does no I/O: no file, network, process or environment access', () => {
    // node:net is allowed for its pure address helpers (isIP, BlockList) used by the SSRF check.
    const io =
      /^node:(fs|fs\/promises|http|https|http2|dgram|dns|child_process|worker_threads|cluster|tls|readline)$/;
    const violations: string[] = [];
    for (const file of files.filter((f) => layerOf(f) === 'base')) {
      for (const spec of staticImports(file))
        if (io.test(spec)) violations.push(`${relative(SRC, file)} imports ${spec}`);
      const text = readFileSync(file, 'utf8');
      if (/process\.(env|argv|exit|cwd)/.test(text))
        violations.push(`${relative(SRC, file)} reads process state`);
      if (/\b(setInterval|setTimeout)\(/.test(text))
        violations.push(`${relative(SRC, file)} starts timers`);
    }
    expect(violations).toEqual([]);
  });

  it("each layer's index.ts only re-exports", () => {
    const layers = ['observability', 'storage', 'server', 'config', 'interop', 'notify'];
    const offenders = layers.filter((layer) => {
      const lines = readFileSync(join(SRC, layer, 'index.ts'), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter(
          (line) =>
            line !== '' &&
            !line.startsWith('//') &&
            !line.startsWith('*') &&
            !line.startsWith('/*'),
        );
      const text = lines.join('\n');
      // Whole statements: `export * from '...'` or `export { ... } from '...'` (possibly multi-line).
      return text.replace(/export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+'[^']+';/g, '').trim() !== '';
    });
    expect(offenders).toEqual([]);
  });

  it('observability/ imports no other layer but base/ (it is wired in by server/)', () => {
    const reached = files
      .filter((f) => layerOf(f) === 'observability')
      .flatMap((file) =>
        staticImports(file)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => layerOf(resolve(dirname(file), spec)))
          .filter((layer) => layer !== 'observability' && layer !== 'base')
          .map((layer) => `${relative(SRC, file)} -> ${layer}`),
      );
    expect(files.some((f) => layerOf(f) === 'observability')).toBe(true);
    expect(reached).toEqual([]);
  });

  it('the root entry pulls in no database or cache driver', () => {
    const drivers = [
      'pg',
      '@electric-sql/pglite',
      'ioredis',
      'fastify',
      'prom-client',
      'nodemailer',
    ];
    // Only drivers alertbase depends on: a name that is not a dependency guards nothing.
    const pkg = JSON.parse(readFileSync(resolve(SRC, '../package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(drivers.filter((d) => !(d in pkg.dependencies))).toEqual([]);
    const seen = new Set<string>();
    const reached: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of staticImports(file)) {
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
        else if (drivers.some((d) => spec === d || spec.startsWith(`${d}/`)))
          reached.push(`${relative(SRC, file)} -> ${spec}`);
      }
    };
    walk(join(SRC, 'index.ts'));
    expect(seen.size).toBeGreaterThan(20);
    expect(reached).toEqual([]);
  });
});
