/** The console's files: redirect, index with CSP and nonce, immutable hashed files, 304, 404, 503. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCsp, loadConsoleAssets } from '../../src/server/console.js';
import { setup, type TestApp } from './helpers.js';

describe('the console files', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-console-files-'));
    await mkdir(join(dir, 'chunks'));
    await writeFile(
      join(dir, 'index.html'),
      '<meta name="style-nonce" content="%STYLE_NONCE%"><script src="app-ABCDEFGH.js"></script>',
    );
    await writeFile(join(dir, 'app-ABCDEFGH.js'), 'console.log(1)');
    await writeFile(join(dir, 'chunks', 'editor-ZYXWVUTS.js'), 'export {}');
    await writeFile(join(dir, 'notes.txt'), 'not served');
    t = await setup({ consoleDir: dir });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('redirects / and /ui to /ui/', async () => {
    for (const url of ['/', '/ui']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/ui/');
    }
  });

  it('answers the index (and deep links) with a fresh style nonce in the page and the policy', async () => {
    const a = await t.app.inject({ url: '/ui/' });
    const b = await t.app.inject({ url: '/ui/alerts' });
    for (const res of [a, b]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      const nonce = /content="([^"]+)"/.exec(res.body)?.[1] as string;
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(res.headers['content-security-policy']).toBe(consoleCsp(nonce));
    }
    expect(a.body).not.toBe(b.body);
    expect(consoleCsp()).toContain("script-src 'self'");
    expect(consoleCsp()).not.toContain('unsafe-eval');
    expect(consoleCsp()).toContain("frame-ancestors 'none'");
  });

  it('serves hashed files as immutable, with ETag and 304', async () => {
    const js = await t.app.inject({ url: '/ui/app-ABCDEFGH.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.body).toBe('console.log(1)');
    const again = await t.app.inject({
      url: '/ui/app-ABCDEFGH.js',
      headers: { 'if-none-match': String(js.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await t.app.inject({ url: '/ui/chunks/editor-ZYXWVUTS.js' })).statusCode).toBe(200);
  });

  it('answers 404 for files it does not have, and never reads outside its directory', async () => {
    for (const url of [
      '/ui/notes.txt',
      '/ui/missing.js',
      '/ui/../package.json',
      '/ui/%2e%2e/package.json',
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('says the console is not built when it is not', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'alertbase-console-none-'));
    const bare = await setup({ consoleDir: empty });
    try {
      const res = await bare.app.inject({ url: '/ui/' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      expect(await loadConsoleAssets(join(empty, 'nowhere'))).toBeUndefined();
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
