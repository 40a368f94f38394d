/**
 * The web console's files (built by `npm run build` into dist/console/):
 * read once into memory when the app is built and served by name from
 * that set, so no request path reaches the file system. `GET /` redirects
 * to `/ui/`. Hashed files are cached for a year (immutable), `index.html`
 * is revalidated (ETag); every answer carries a strict Content-Security-
 * Policy: scripts, style sheets and connections to this origin only, no
 * inline script, no framing (inline style attributes are allowed: the
 * PromQL editor positions its parts with them).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The console's Content-Security-Policy. `nonce`: the one style element the
 * page may add (the PromQL editor's generated style sheet), per response.
 */
export const consoleCsp = (nonce?: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    nonce === undefined ? "style-src 'self'" : `style-src 'self' 'nonce-${nonce}'`,
    // The editor sets style attributes (sizes, positions); style elements stay limited as above.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** One file of the console. */
interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly immutable: boolean;
}

/** Where the built console is: beside the compiled server, else the repository's dist/. */
function candidates(): string[] {
  return [
    fileURLToPath(new URL('../console/', import.meta.url)),
    fileURLToPath(new URL('../../dist/console/', import.meta.url)),
  ];
}

/** Reads every file under `dir` (at most 200 files, none over 5 MB), or `undefined` without an index.html. */
export async function loadConsoleAssets(dir: string): Promise<Map<string, Asset> | undefined> {
  const assets = new Map<string, Asset>();
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return undefined;
  }
  for (const entry of entries.slice(0, 200)) {
    const type = TYPES[extname(entry)];
    if (type === undefined) continue;
    const path = join(dir, entry);
    const body = await readFile(path).catch(() => undefined);
    if (body === undefined || body.byteLength > 5 * 1024 * 1024) continue;
    const name = relative(dir, path).split('\\').join('/');
    assets.set(name, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: /-[A-Z0-9]{8}\.(js|css)$/.test(name),
    });
  }
  return assets.has('index.html') ? assets : undefined;
}

/** Options of {@link useConsole}. */
export interface ConsoleOptions {
  /** The built console's directory (default: dist/console beside the server). */
  readonly dir?: string | undefined;
}

function sendAsset(
  reply: FastifyReply,
  name: string,
  asset: Asset,
  ifNoneMatch: string | undefined,
) {
  if (name === 'index.html') {
    // A fresh nonce each time: the page is small, never cached.
    const nonce = randomBytes(16).toString('base64');
    return reply
      .header('content-security-policy', consoleCsp(nonce))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .code(200)
      .type(asset.type)
      .send(asset.body.toString('utf8').replaceAll('%STYLE_NONCE%', nonce));
  }
  reply
    .header('content-security-policy', consoleCsp())
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('etag', asset.etag)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (ifNoneMatch === asset.etag) return reply.code(304).send();
  return reply.code(200).type(asset.type).send(asset.body);
}

/**
 * Serves the console at `/ui/` and redirects `/` there. Without a built
 * console (`npm run build` not run), `/ui/` answers 503 saying so.
 */
export async function useConsole(app: FastifyInstance, options: ConsoleOptions = {}) {
  let assets: Map<string, Asset> | undefined;
  for (const dir of options.dir === undefined ? candidates() : [options.dir]) {
    assets = await loadConsoleAssets(dir);
    if (assets !== undefined) break;
  }
  const found = assets;
  const config = { requires: 'public' as const };
  app.get('/', { config, schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', { config, schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui/*', { config, schema: { hide: true } }, (request, reply) => {
    if (found === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build`.\n');
    }
    const name = (request.params as { '*': string })['*'];
    // Paths of the console's own pages (#-less deep links) get the index.
    const page = found.has(name) ? name : name.includes('.') ? undefined : 'index.html';
    const asset = page === undefined ? undefined : found.get(page);
    if (page === undefined || asset === undefined) return reply.callNotFound();
    const inm = request.headers['if-none-match'];
    return sendAsset(reply, page, asset, typeof inm === 'string' ? inm : undefined);
  });
}
