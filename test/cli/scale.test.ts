/**
 * `alertbase validate` on a folder of 10,000 files and on a 100,000-line file,
 * in a child process whose heap is capped at the seed's MAX_MEMORY_USAGE_MB
 * default (512 MB): it must finish, not run out of memory.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** tsx's loader by absolute URL: a child whose working directory is elsewhere resolves it too. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const run = promisify(execFile);
const MAIN = resolve(import.meta.dirname, '../../src/cli/main.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-scale-'));
  await mkdir(join(dir, 'many'));
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 10_000; i++) {
    writes.push(
      writeFile(
        join(dir, 'many', `r${i}.yaml`),
        `kind: AlertRule\ntenant_id: acme\nname: rule ${i}\nlevel: high\npriority: P2\ncondition: cpu_usage{instance="i${i}"} > 80\nfor: 5m\n`,
      ),
    );
  }
  await Promise.all(writes);
  const docs: string[] = [];
  for (let i = 0; i < 12_500; i++) {
    docs.push(
      `---\nkind: Alert\ntenant_id: acme\nlabels:\n  alertname: A${i}\n  instance: web-${i}\nlevel: low\npriority: ${i === 12_499 ? 'P9' : 'P4'}\n`,
    );
  }
  await writeFile(join(dir, 'big.yaml'), docs.join(''));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function validate(
  target: string,
): Promise<{ code: number; summary: { files: number; errors: number } }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--max-old-space-size=512', '--import', TSX, MAIN, 'validate', '--format', 'json', target],
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return {
      code: 0,
      summary: (JSON.parse(stdout) as { summary: { files: number; errors: number } }).summary,
    };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return {
      code: e.code,
      summary: (JSON.parse(e.stdout) as { summary: { files: number; errors: number } }).summary,
    };
  }
}

describe('validate at scale', () => {
  it('a folder of 10,000 files', async () => {
    const { code, summary } = await validate('many');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ files: 10_000, errors: 0 });
  }, 240_000);

  it('a 100,000-line file of 12,500 documents, finding the one bad document', async () => {
    const { code, summary } = await validate('big.yaml');
    expect(code).toBe(1);
    expect(summary).toMatchObject({ files: 1, errors: 1 });
  }, 240_000);
});
