import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError, ValidationError } from '../../src/base/exceptions/index.js';
import {
  FORMATS,
  type Format,
  UniversalSerializer as U,
} from '../../src/base/serializers/index.js';
import { Alert, AlertRule, NotificationChannel } from '../../src/domain/index.js';

/** Runs per decoder: `FUZZ_RUNS`, else 10,000 in CI and 500 locally. */
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI === 'true' ? 10_000 : 500));
/**
 * Whole-test limit: 50 ms per run. Each decode has its own 1 s guard below;
 * the suite's 30 s default was passed by 10,000 YAML runs on a loaded machine.
 */
const TIMEOUT_MS = Math.max(30_000, RUNS * 50);

const seeds: Record<Format, Uint8Array[]> = Object.fromEntries(
  FORMATS.map((format) => [
    format,
    [
      U.encode(Alert.parse(Alert.examples[0]), format, { model: Alert }),
      U.encode(NotificationChannel.parse(NotificationChannel.examples[0]), format, {
        model: NotificationChannel,
        revealSecrets: true,
      }),
      U.encodeMany([AlertRule.parse(AlertRule.examples[0])], format, { model: AlertRule }),
      U.encode({ a: [1, 'two', null, { b: true }] }, format),
    ],
  ]),
) as Record<Format, Uint8Array[]>;

/** Random bytes, and valid documents with bytes flipped, inserted, removed or cut. */
function inputs(format: Format): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds[format]),
      fc.array(
        fc.tuple(
          fc.constantFrom('flip', 'insert', 'delete', 'cut'),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([seed, edits]) => {
      const bytes = [...seed];
      for (const [op, at, byte] of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (op === 'flip') bytes[i] = byte;
        else if (op === 'insert') bytes.splice(i, 0, byte);
        else if (op === 'delete') bytes.splice(i, 1);
        else bytes.length = i;
      }
      return Uint8Array.from(bytes);
    });
  return fc.oneof(fc.uint8Array({ maxLength: 256 }), mutated);
}

/** Runs a decoder: it must return or throw `allowed`, nothing else, and never hang. */
function survives(run: () => unknown, allowed: readonly (new (...args: never[]) => Error)[]): void {
  const start = performance.now();
  try {
    run();
  } catch (error) {
    if (!allowed.some((kind) => error instanceof kind)) throw error;
  }
  expect(performance.now() - start).toBeLessThan(1_000);
}

describe.each(FORMATS.map((f) => [f]))('fuzzing the %s decoder', (format: Format) => {
  it(
    `returns a value or throws SerializationError (${RUNS} runs)`,
    () => {
      fc.assert(
        fc.property(inputs(format), (bytes) => {
          survives(() => U.decode(bytes, format), [SerializationError]);
          survives(() => U.decodeMany(bytes, format), [SerializationError]);
        }),
        { numRuns: RUNS },
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'through a model: a value, a SerializationError or a ValidationError',
    () => {
      fc.assert(
        fc.property(inputs(format), (bytes) => {
          survives(() => U.decode(bytes, format, Alert), [SerializationError, ValidationError]);
          survives(
            () => U.decode(bytes, format, NotificationChannel),
            [SerializationError, ValidationError],
          );
        }),
        { numRuns: Math.ceil(RUNS / 5) },
      );
    },
    TIMEOUT_MS,
  );
});
