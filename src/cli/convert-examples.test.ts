/**
 * Every file of `examples/` goes through `alertbase convert`: to every format
 * as plain records, and, for a file whose records name their model
 * (`kind: Alert`), with `--model` of that kind to every format and back from
 * Protocol Buffers unchanged. Files that are not records of a model (a
 * Prometheus rule file, an Alertmanager configuration) give a clear error
 * with `--model`, never a crash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvertIo } from './commands/convert.js';
import { runConvert } from './commands/convert.js';
import { formatOf, readDocuments } from './documents.js';
import { EXIT } from './io.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const FORMATS = ['json', 'yaml', 'xml', 'msgpack', 'protobuf'] as const;

interface Captured extends ConvertIo {
  out: string;
  err: string;
  bytes: Buffer[];
}

function capture(cwd: string): Captured {
  const io: Captured = {
    out: '',
    err: '',
    bytes: [],
    cwd,
    env: {},
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s) },
    stdoutBytes: { write: (b: Uint8Array) => io.bytes.push(Buffer.from(b)) },
  };
  return io;
}

/** The `kind` every record of a file names, or undefined when a record names none. */
function kindOf(file: string): string | undefined {
  const format = formatOf(file);
  if (format === undefined) throw new Error(`examples/${file}: not JSON or YAML`);
  const docs = readDocuments(readFileSync(join(EXAMPLES, file), 'utf8'), format);
  const kinds = new Set(
    docs.map((doc) =>
      typeof doc.value === 'object' && doc.value !== null && 'kind' in doc.value
        ? String(doc.value.kind)
        : undefined,
    ),
  );
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

const files = readdirSync(EXAMPLES).sort();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-convert-examples-'));
});

describe('alertbase convert on examples/', () => {
  it('covers the examples: records of models and the Prometheus and Alertmanager files', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files.filter((f) => kindOf(f) !== undefined)).toEqual([
      'alert-rule.yaml',
      'alert.json',
      'notification-channels.yaml',
      'routing-tree.yaml',
      'silence.yaml',
      'tenant.yaml',
    ]);
  });

  describe.each(files)('examples/%s', (file) => {
    const input = join(EXAMPLES, file);
    const kind = kindOf(file);

    it.each(FORMATS.filter((f) => f !== 'protobuf'))(
      'converts as plain records to %s',
      async (to) => {
        const io = capture(dir);
        expect(await runConvert(input, { to }, io)).toBe(EXIT.ok);
        expect(io.err).toBe('');
        expect(Buffer.concat(io.bytes).length).toBeGreaterThan(0);
      },
    );

    if (kind !== undefined) {
      it.each(FORMATS)(`converts with --model ${kind} to %s`, async (to) => {
        const io = capture(dir);
        expect(await runConvert(input, { to, model: kind }, io)).toBe(EXIT.ok);
        expect(io.err).toBe('');
        expect(Buffer.concat(io.bytes).length).toBeGreaterThan(0);
      });

      it(`comes back from Protocol Buffers as it went (--model ${kind})`, async () => {
        // Defaults (id, timestamps) are filled in once, by the first conversion.
        const asJson = capture(dir);
        expect(await runConvert(input, { to: 'json', model: kind }, asJson)).toBe(EXIT.ok);
        const json = Buffer.concat(asJson.bytes).toString('utf8');
        expect(json).not.toContain('"kind"');
        const jsonFile = join(dir, `${file}.json`);
        await writeFile(jsonFile, json);
        const asProto = capture(dir);
        expect(await runConvert(jsonFile, { to: 'protobuf', model: kind }, asProto)).toBe(EXIT.ok);
        const protoFile = join(dir, `${file}.pb`);
        await writeFile(protoFile, Buffer.concat(asProto.bytes));
        const back = capture(dir);
        expect(await runConvert(protoFile, { to: 'json', model: kind }, back)).toBe(EXIT.ok);
        // The same records (NDJSON, one a line); key order may differ.
        const records = (text: string): unknown[] =>
          text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as unknown);
        expect(records(json).length).toBeGreaterThan(0);
        expect(records(Buffer.concat(back.bytes).toString('utf8'))).toEqual(records(json));
      });
    } else {
      it('with --model, is refused as not a record of that model (exit 1, the issues listed)', async () => {
        const io = capture(dir);
        expect(await runConvert(input, { to: 'json', model: 'Alert' }, io)).toBe(EXIT.invalid);
        expect(io.err).toMatch(/^alertbase: ALERTBASE_VALIDATION_FAILED: Alert is invalid: /);
        expect(io.err).toContain('  /level ');
        expect(io.bytes).toEqual([]);
      });
    }

    it('to Protocol Buffers without --model is a usage error naming --model', async () => {
      await expect(runConvert(input, { to: 'protobuf' }, capture(dir))).rejects.toThrow(
        'Protocol Buffers need a schema: pass --model (Alert, AlertRule, ...)',
      );
    });
  });

  it('a record whose kind names another model is refused with both names', async () => {
    const io = capture(dir);
    const input = join(EXAMPLES, 'alert.json');
    expect(await runConvert(input, { to: 'protobuf', model: 'Silence' }, io)).toBe(EXIT.invalid);
    expect(io.err).toBe(
      'alertbase: ALERTBASE_SERIALIZATION_FAILED: cannot decode json: the record\'s kind "Alert" is not the model Silence\n',
    );
    expect(io.bytes).toEqual([]);
  });

  it('kind spelled as validate accepts it (alert-rule) names the model too', async () => {
    const text = readFileSync(join(EXAMPLES, 'alert-rule.yaml'), 'utf8').replace(
      /^kind: AlertRule$/m,
      'kind: alert-rule',
    );
    expect(text).toContain('kind: alert-rule');
    const input = join(dir, 'rule.yaml');
    await writeFile(input, text);
    const io = capture(dir);
    expect(await runConvert(input, { to: 'json', model: 'AlertRule' }, io)).toBe(EXIT.ok);
    expect(io.err).toBe('');
  });
});
