import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ConvertIo } from './commands/convert.js';
import { runConvert } from './commands/convert.js';
import { runCli } from './program.js';

interface Captured extends ConvertIo {
  out: string;
  err: string;
  bytes: Buffer[];
}

function capture(cwd: string, stdin?: string): Captured {
  const io: Captured = {
    out: '',
    err: '',
    bytes: [],
    cwd,
    env: {},
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s) },
    stdoutBytes: { write: (b: Uint8Array) => io.bytes.push(Buffer.from(b)) },
    ...(stdin === undefined
      ? {}
      : {
          stdin: (async function* () {
            yield Buffer.from(stdin);
          })(),
        }),
  };
  return io;
}

const ALERT = {
  id: '0193b6a2-7c4e-7a11-8f00-1a2b3c4d5e6f',
  tenant_id: 'acme',
  labels: { alertname: 'HighCPUUsage', instance: 'web-1:9100' },
  level: 'high',
  priority: 'P2',
  starts_at: '2026-11-28T06:00:00.000Z',
  created_at: '2026-11-28T06:00:00.000Z',
  updated_at: '2026-11-28T06:00:00.000Z',
  last_received_at: '2026-11-28T06:00:00.000Z',
  value: 93,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-convert-'));
  await writeFile(join(dir, 'alert.json'), JSON.stringify(ALERT, null, 2));
  await writeFile(
    join(dir, 'alerts.ndjson'),
    [ALERT, { ...ALERT, id: '0193b6a2-7c4e-7a11-8f00-1a2b3c4d5e70', level: 'nope' }]
      .map((a) => JSON.stringify(a))
      .join('\n'),
  );
});

describe('alertbase convert', () => {
  it('converts a JSON document to YAML with the model, exactly', async () => {
    const io = capture(dir);
    expect(await runConvert('alert.json', { to: 'yaml', model: 'Alert' }, io)).toBe(0);
    const yaml = parseYaml(Buffer.concat(io.bytes).toString('utf8')) as Record<string, unknown>;
    expect(yaml).toMatchObject({ ...ALERT, status: 'firing', ends_at: null });
  });

  it('round-trips through Protocol Buffers files', async () => {
    expect(
      await runCli(
        ['convert', 'alert.json', '--to', 'protobuf', '--model', 'alert', '-o', 'alert.pb'],
        capture(dir),
      ),
    ).toBe(0);
    const io = capture(dir);
    expect(await runConvert('alert.pb', { to: 'json', model: 'Alert' }, io)).toBe(0);
    const back = JSON.parse(Buffer.concat(io.bytes).toString('utf8')) as Record<string, unknown>;
    expect(back).toMatchObject(ALERT);
  });

  it('reads standard input with --from', async () => {
    const io = capture(dir, JSON.stringify(ALERT));
    expect(await runConvert('-', { to: 'msgpack', from: 'json', model: 'Alert' }, io)).toBe(0);
    expect(Buffer.concat(io.bytes).length).toBeGreaterThan(50);
  });

  it('a bad record: exit 1 with the issues, and no output file left behind', async () => {
    const io = capture(dir);
    expect(
      await runConvert(
        'alerts.ndjson',
        { to: 'yaml', from: 'json', model: 'Alert', output: 'out.yaml' },
        io,
      ),
    ).toBe(1);
    expect(io.err).toContain('ALERTBASE_VALIDATION_FAILED');
    expect(io.err).toContain('/level invalid_value');
    expect(existsSync(join(dir, 'out.yaml'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('malformed input: exit 1 with a serialization code', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'a: [1, 2\n');
    const io = capture(dir);
    expect(await runConvert('broken.yaml', { to: 'json' }, io)).toBe(1);
    expect(io.err).toContain('ALERTBASE_SERIALIZATION_FAILED');
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['convert', 'alert.json', '--to', 'csv'],
      ['convert', 'alert.json', '--to', 'protobuf'],
      ['convert', 'alert.txt', '--to', 'json'],
      ['convert', 'missing.json', '--to', 'yaml'],
      ['convert', 'alert.json', '--to', 'yaml', '--model', 'Nope'],
      ['convert', '-', '--to', 'yaml'],
    ]) {
      const io = capture(dir);
      expect(await runCli(args, io), args.join(' ')).toBe(2);
      expect(io.err.length).toBeGreaterThan(0);
    }
  });
});

describe('alertbase schema', () => {
  it('prints a JSON Schema, a .proto and an OpenAPI document', async () => {
    let io = capture(dir);
    expect(await runCli(['schema', 'AlertRule'], io)).toBe(0);
    const schema = JSON.parse(io.out) as { title: string; $schema: string };
    expect(schema.title).toBe('AlertRule');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    io = capture(dir);
    expect(await runCli(['schema', 'alert', '--format', 'proto'], io)).toBe(0);
    expect(io.out).toContain('syntax = "proto3";');
    expect(io.out).toContain('message Alert {');
    io = capture(dir);
    expect(await runCli(['schema', '--format', 'openapi'], io)).toBe(0);
    const openapi = JSON.parse(io.out) as {
      openapi: string;
      components: { schemas: Record<string, unknown> };
    };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.components.schemas)).toEqual(
      expect.arrayContaining(['Alert', 'AlertInput', 'Tenant', 'Silence']),
    );
  });

  it('usage errors exit 2', async () => {
    for (const args of [['schema', 'Nope'], ['schema'], ['schema', 'Alert', '--format', 'xsd']]) {
      expect(await runCli(args, capture(dir)), args.join(' ')).toBe(2);
    }
  });

  it('prints the same schema every run (no generated ids or times as defaults)', async () => {
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const io = capture(dir);
      expect(await runCli(['schema', '--format', 'openapi'], io)).toBe(0);
      runs.push(io.out);
    }
    expect(runs[1]).toBe(runs[0]);
    const io = capture(dir);
    await runCli(['schema', 'AlertRule'], io);
    const properties = (JSON.parse(io.out) as { properties: Record<string, { default?: unknown }> })
      .properties;
    expect(properties.id?.default).toBeUndefined();
    expect(properties.createdAt?.default).toBeUndefined();
    expect(properties.enabled?.default).toBe(true);
  });

  it('the committed docs/alertbase.proto is what the models generate', async () => {
    const io = capture(dir);
    await runCli(['schema', '--format', 'proto'], io);
    expect(await readFile(join(import.meta.dirname, '../../docs/alertbase.proto'), 'utf8')).toBe(
      io.out,
    );
  });
});

describe('performance.batch_size in alertbase convert', () => {
  async function writesOf(
    batchSize: number | undefined,
  ): Promise<{ writes: number; records: number }> {
    const cwd = await mkdtemp(join(tmpdir(), 'alertbase-batch-'));
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ n: i }));
    await writeFile(join(cwd, 'in.ndjson'), lines.join('\n'));
    if (batchSize !== undefined) {
      await writeFile(
        join(cwd, 'alertbase.yaml'),
        `base_schema:\n  performance:\n    batch_size: ${batchSize}\n`,
      );
    }
    const io = capture(cwd);
    const env = batchSize === undefined ? {} : { ALERTBASE_CONFIG: join(cwd, 'alertbase.yaml') };
    expect(await runConvert('in.ndjson', { to: 'json' }, { ...io, env })).toBe(0);
    const records = Buffer.concat(io.bytes).toString('utf8').trim().split('\n').length;
    return { writes: io.bytes.length, records };
  }

  it('writes the output batch_size records at a time', async () => {
    expect(await writesOf(10)).toEqual({ writes: 3, records: 25 });
    expect(await writesOf(1)).toEqual({ writes: 25, records: 25 });
    // The default, 100: one write for 25 records.
    expect(await writesOf(undefined)).toEqual({ writes: 1, records: 25 });
  });
});
