import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAlertbaseError } from '../exceptions/index.js';
import { fingerprint, formatFingerprint, isFingerprint, parseFingerprint } from './fingerprint.js';

/*
 * Reference implementation, written plainly from the definition rather than
 * from our code. The definition is Prometheus' label-set fingerprint, which
 * Alertmanager uses as an alert's identity: prometheus/common
 * `model/signature.go` (`LabelsToSignature`, `labelSetToFingerprint`) and
 * `model/fnv.go` (FNV-1a 64): for each label name sorted ascending (Go string
 * order = UTF-8 byte order), hash the name's bytes, the separator byte 0xFF,
 * the value's bytes, 0xFF. `Fingerprint.String()` prints `%016x`.
 */
const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MOD = 2n ** 64n;

function referenceFingerprint(labels: Record<string, string>): string {
  const encoder = new TextEncoder();
  const compareBytes = (a: string, b: string): number => {
    const x = encoder.encode(a);
    const y = encoder.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
    }
    return x.length - y.length;
  };
  let hash = FNV_OFFSET;
  const feed = (byte: number): void => {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) % MOD;
  };
  for (const name of Object.keys(labels).sort(compareBytes)) {
    for (const byte of encoder.encode(name)) feed(byte);
    feed(0xff);
    for (const byte of encoder.encode(labels[name] ?? '')) feed(byte);
    feed(0xff);
  }
  return hash.toString(16).padStart(16, '0');
}

describe('fingerprint', () => {
  it('hashes the empty label set to the FNV-64 offset basis', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(referenceFingerprint({})).toBe('cbf29ce484222325');
  });

  const cases: Record<string, string>[] = [
    { alertname: 'HighCPU' },
    { alertname: 'HighCPU', job: 'node', instance: 'host-1:9100', severity: 'critical' },
    { a: '', b: '' },
    { summary: 'Température élevée', team: 'équipe', emoji: '🔥😀', cjk: '警报' },
    { zeta: 'z', Alpha: 'A', _under: '_', a1: '1', A: 'upper' },
    { long: 'x'.repeat(2_000), other: 'y' },
    { lone: '\ud800x\udc00', ctrl: '\u0000\u00ff\uffff' },
  ];

  it.each(cases.map((c, i) => [i, c] as const))(
    'matches the reference implementation for label set #%i',
    (_i, labels) => {
      expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
      expect(isFingerprint(fingerprint(labels))).toBe(true);
    },
  );

  it('does not depend on label order', () => {
    const a = { alertname: 'HighCPU', job: 'api', severity: 'critical', région: 'ü' };
    const b = { région: 'ü', severity: 'critical', job: 'api', alertname: 'HighCPU' };
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('distinguishes where a label name ends and its value begins', () => {
    expect(fingerprint({ ab: 'c' })).not.toBe(fingerprint({ a: 'bc' }));
  });

  it('sorts names by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes.
    const labels = { '\uff5e': 'a', '\u{1f600}': 'b' };
    expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
    const prefixes = { é: '1', éa: '2', '\u{1f600}b': '3', '\u{1f600}a': '4', e: '5' };
    expect(fingerprint(prefixes)).toBe(referenceFingerprint(prefixes));
  });

  it('agrees with the reference on arbitrary label sets', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
        (labels) => {
          expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isFingerprint', () => {
  it('accepts only 16 lowercase hex digits', () => {
    expect(isFingerprint('0123456789abcdef')).toBe(true);
    expect(isFingerprint('0123456789ABCDEF')).toBe(false);
    expect(isFingerprint('abc')).toBe(false);
    expect(isFingerprint('0123456789abcdef0')).toBe(false);
    expect(isFingerprint(42)).toBe(false);
  });
});

describe('parseFingerprint / formatFingerprint', () => {
  it('parses what Go ParseFingerprint parses and formats as %016x', () => {
    expect(parseFingerprint('cbf29ce484222325')).toBe(FNV_OFFSET);
    expect(parseFingerprint('ABC')).toBe(0xabcn);
    expect(formatFingerprint(0xabcn)).toBe('0000000000000abc');
    expect(formatFingerprint(2n ** 64n - 1n)).toBe('ffffffffffffffff');
    expect(formatFingerprint(parseFingerprint(fingerprint({ a: 'b' })))).toBe(
      fingerprint({ a: 'b' }),
    );
  });

  it.each(['', 'xyz', '0123456789abcdef0', ' abc', '-1'])('refuses %j', (text) => {
    try {
      parseFingerprint(text);
      expect.unreachable();
    } catch (err) {
      expect(isAlertbaseError(err, 'ALERTBASE_VALIDATION_FAILED')).toBe(true);
      expect((err as { issues: { code: string }[] }).issues[0]?.code).toBe('invalid_fingerprint');
    }
  });

  it('refuses values outside unsigned 64 bits', () => {
    expect(() => formatFingerprint(-1n)).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_VALIDATION_FAILED' }),
    );
    expect(() => formatFingerprint(2n ** 64n)).toThrow(
      expect.objectContaining({ code: 'ALERTBASE_VALIDATION_FAILED' }),
    );
  });
});
