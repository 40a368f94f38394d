import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SerializationError, ValidationError } from '../../base/exceptions/index.js';
import { convert, type Format, formatFromPath, parseFormat } from '../../base/serializers/index.js';
import { loadConfig } from '../../config/index.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { modelForKind } from '../models.js';

/** Options of `alertbase convert`. */
export interface ConvertCommandOptions {
  readonly to: string;
  readonly from?: string;
  readonly model?: string;
  /** Output file; stdout when absent or `-`. */
  readonly output?: string;
}

/** Where convert reads from when the input is `-`. */
export interface ConvertIo extends CliIo {
  readonly stdin?: AsyncIterable<Uint8Array | string>;
  readonly stdoutBytes?: { write(chunk: Uint8Array): unknown };
}

function formatOption(name: string, value: string): Format {
  try {
    return parseFormat(value);
  } catch {
    throw new UsageError(
      `${name} must be one of json, yaml, xml, protobuf, msgpack (got "${value}")`,
    );
  }
}

/**
 * `alertbase convert <input> --to <format>`: converts records between JSON,
 * YAML, XML, Protocol Buffers and MessagePack, record by record. With
 * `--model`, every record is validated and written exactly. An output file is
 * written next to its destination and renamed when complete, so a failed
 * conversion never leaves half a file. The output is written
 * `performance.batch_size` records at a time. Exit 0, 1 for bad input, 2
 * for usage.
 */
export async function runConvert(
  input: string,
  options: ConvertCommandOptions,
  io: ConvertIo,
): Promise<number> {
  const to = formatOption('--to', options.to);
  const fromStdin = input === '-';
  const from =
    options.from !== undefined
      ? formatOption('--from', options.from)
      : fromStdin
        ? undefined
        : formatFromPath(input);
  if (from === undefined) throw new UsageError(`cannot tell the format of ${input}: use --from`);
  const model = options.model === undefined ? undefined : modelForKind(options.model);
  if (options.model !== undefined && model === undefined)
    throw new UsageError(`unknown model "${options.model}"`);
  if (protoNeedsModel(from, to) && model === undefined) {
    throw new UsageError('Protocol Buffers need a schema: pass --model (Alert, AlertRule, ...)');
  }

  // Before the input is opened: a read stream's error needs its reader attached.
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd });
  const batchSize = config.performance.batchSize;

  let source: AsyncIterable<Uint8Array | string>;
  if (fromStdin) {
    if (io.stdin === undefined) throw new UsageError('no standard input');
    source = io.stdin;
  } else {
    const path = resolve(io.cwd, input);
    source = createReadStream(path);
  }

  const toStdout = options.output === undefined || options.output === '-';
  const target = toStdout ? undefined : resolve(io.cwd, options.output as string);
  const partial =
    target === undefined
      ? undefined
      : join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  const file = partial === undefined ? undefined : await open(partial, 'w');
  const showProgress = io.stderr.isTTY === true;
  const pending: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending);
    pending.length = 0;
    if (file !== undefined) await file.write(chunk);
    else if (io.stdoutBytes !== undefined) io.stdoutBytes.write(chunk);
    else io.stdout.write(Buffer.from(chunk).toString('utf8'));
  };
  try {
    for await (const chunk of convert(source, {
      from,
      to,
      // A file's records may name their model (`kind: Alert`), as validate reads them.
      ...(model === undefined ? {} : { model, kindField: true }),
      ...(showProgress
        ? { onRecord: (n: number) => n % 1_000 === 0 && io.stderr.write(`\r${n} records`) }
        : {}),
    })) {
      // Each record is one chunk (a format's header and footer one more each).
      pending.push(chunk);
      if (pending.length >= batchSize) await flush();
    }
    await flush();
    if (showProgress) io.stderr.write('\n');
    if (file !== undefined && partial !== undefined && target !== undefined) {
      await file.close();
      await rename(partial, target);
    }
    return EXIT.ok;
  } catch (err) {
    if (file !== undefined && partial !== undefined) {
      await file.close();
      await rm(partial, { force: true });
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`cannot read ${input}: no such file`);
    if (err instanceof ValidationError) {
      io.stderr.write(`alertbase: ${err.code}: ${err.message}\n`);
      for (const issue of err.issues)
        io.stderr.write(`  ${issue.pointer || '(root)'} ${issue.code} ${issue.message}\n`);
      return EXIT.invalid;
    }
    if (err instanceof SerializationError) {
      io.stderr.write(`alertbase: ${err.code}: ${err.message}\n`);
      return EXIT.invalid;
    }
    throw err;
  }
}

function protoNeedsModel(from: Format, to: Format): boolean {
  return from === 'protobuf' || to === 'protobuf';
}
