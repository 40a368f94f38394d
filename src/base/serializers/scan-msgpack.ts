import { cannotExceedCounts, ElementCounter } from './element-counter.js';
import { type DecodeLimits, malformed } from './limits.js';

/** Stops the scan where the bytes do not parse: the decoder reports that. */
class Truncated extends Error {}

/** msgpackr's record-definition extension type (`r`). */
const RECORD = 0x72;

/** @internal A MessagePack reader that only counts (msgpackr's records included). */
class MsgpackScanner {
  pos = 0;
  /** Field counts of the record structures defined so far, by id (0x40–0x7f). */
  private readonly records = new Map<number, number>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly counter: ElementCounter,
  ) {}

  private byte(): number {
    const b = this.bytes[this.pos++];
    if (b === undefined) throw new Truncated();
    return b;
  }

  private uint(size: 1 | 2 | 4): number {
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + this.byte();
    return n;
  }

  private skip(n: number): void {
    if (this.pos + n > this.bytes.byteLength) throw new Truncated();
    this.pos += n;
  }

  /** An array of `n` items or a map of `n` keys (each key counted, its value not). */
  private container(kind: 'array' | 'object', start: number, n: number, counted: boolean): void {
    this.counter.open(kind, start, counted);
    for (let i = 0; i < n; i++) {
      this.value(true);
      if (kind === 'object') this.value(false);
    }
    this.counter.close();
  }

  /** A record of `n` fields: only the values are on the wire, each one a key of the object. */
  private record(start: number, n: number, counted: boolean): void {
    this.counter.open('object', start, counted);
    for (let i = 0; i < n; i++) this.value(true);
    this.counter.close();
  }

  /** Reads one value; returns the length when it was an array (record definitions need it). */
  value(counted = true): number | undefined {
    const start = this.pos;
    const b = this.byte();
    if (b >= 0x40 && b < 0x80 && this.records.has(b)) {
      this.record(start, this.records.get(b) ?? 0, counted);
      return undefined;
    }
    if (b < 0x80 || b >= 0xe0) return this.scalar(start, counted);
    if (b < 0x90) return this.object(start, b & 0x0f, counted);
    if (b < 0xa0) return this.array(start, b & 0x0f, counted);
    if (b < 0xc0) return this.sized(start, b & 0x1f, counted);
    switch (b) {
      case 0xc0:
      case 0xc2:
      case 0xc3:
        return this.scalar(start, counted);
      case 0xc4:
      case 0xd9:
        return this.sized(start, this.uint(1), counted);
      case 0xc5:
      case 0xda:
        return this.sized(start, this.uint(2), counted);
      case 0xc6:
      case 0xdb:
        return this.sized(start, this.uint(4), counted);
      case 0xc7:
        return this.sized(start, this.uint(1) + 1, counted);
      case 0xc8:
        return this.sized(start, this.uint(2) + 1, counted);
      case 0xc9:
        return this.sized(start, this.uint(4) + 1, counted);
      case 0xcc:
      case 0xd0:
        return this.sized(start, 1, counted);
      case 0xcd:
      case 0xd1:
        return this.sized(start, 2, counted);
      case 0xca:
      case 0xce:
      case 0xd2:
        return this.sized(start, 4, counted);
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return this.sized(start, 8, counted);
      case 0xd4:
        return this.fixext(start, 1, counted);
      case 0xd5:
        return this.fixext(start, 2, counted);
      case 0xd6:
        return this.fixext(start, 4, counted);
      case 0xd7:
        return this.fixext(start, 8, counted);
      case 0xd8:
        return this.fixext(start, 16, counted);
      case 0xdc:
        return this.array(start, this.uint(2), counted);
      case 0xdd:
        return this.array(start, this.uint(4), counted);
      case 0xde:
        return this.object(start, this.uint(2), counted);
      case 0xdf:
        return this.object(start, this.uint(4), counted);
      default:
        throw new Truncated();
    }
  }

  private scalar(start: number, counted: boolean): undefined {
    if (counted) this.counter.value(start);
    return undefined;
  }

  private sized(start: number, n: number, counted: boolean): undefined {
    this.skip(n);
    return this.scalar(start, counted);
  }

  private array(start: number, n: number, counted: boolean): number {
    this.container('array', start, n, counted);
    return n;
  }

  private object(start: number, n: number, counted: boolean): undefined {
    this.container('object', start, n, counted);
    return undefined;
  }

  private fixext(start: number, size: number, counted: boolean): undefined {
    const type = this.byte();
    if (type !== RECORD) return this.sized(start, size, counted);
    if (size !== 1) {
      // Two-byte record ids: msgpackr writes them only past 64 structures, alertbase never.
      throw malformed('msgpack', 'an unsupported MessagePack record definition', {
        offset: start,
      });
    }
    const id = 0x40 | (this.byte() & 0x3f);
    // The keys (an array), then the first record's values.
    const keys = this.value(false) ?? 0;
    this.records.set(id, keys);
    this.record(start, keys, counted);
    return undefined;
  }
}

/**
 * @internal Counts the values of a MessagePack body from its bytes, before
 * msgpackr builds them, and throws `ALERTBASE_SERIALIZATION_TOO_LARGE` at
 * the first count limit reached. Bytes that do not parse are left to the
 * decoder to report.
 */
export function scanMsgpack(bytes: Uint8Array, limits: DecodeLimits): void {
  if (cannotExceedCounts(bytes.byteLength, limits)) return;
  const scanner = new MsgpackScanner(bytes, new ElementCounter('msgpack', limits));
  try {
    scanner.value();
  } catch (error) {
    if (!(error instanceof Truncated)) throw error;
  }
}
