import type { Format } from './formats.js';
import { type DecodeLimits, tooLarge } from './limits.js';

/**
 * The kind of an open container: arrays count items, objects count keys, a
 * protobuf message counts per field (see {@link ElementCounter.check}).
 */
export type ContainerKind = 'array' | 'object' | 'message';

const ARRAY = 0;
const OBJECT = 1;
const MESSAGE = 2;

/**
 * @internal Counts the values of a document while a scanner reads its bytes,
 * and stops at the first limit reached: values in the document
 * (`maxNodes`), items of one array (`maxItems`), keys of one object
 * (`maxKeys`), nesting (`maxDepth`). The scanners run before the real
 * decoder, so an amplified body (a few KB of gzip standing for millions of
 * values) is refused after reading at most the limit, never after building
 * the tree.
 */
export class ElementCounter {
  private nodes = 0;
  private top = -1;
  // Fixed-size stacks (depth is bounded): no allocation per container.
  private readonly counts: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly maxNodes: number;
  private readonly maxItems: number;
  private readonly maxKeys: number;
  private readonly maxLevels: number;

  /**
   * @param levelsPerDepth containers per level of the decoded tree: protobuf
   *   nests up to 3 messages per level (`Value` → `Struct` → map entry).
   */
  constructor(
    private readonly format: Format,
    private readonly limits: DecodeLimits,
    levelsPerDepth = 1,
  ) {
    this.maxNodes = limits.maxNodes;
    this.maxItems = limits.maxItems;
    this.maxKeys = limits.maxKeys;
    this.maxLevels = limits.maxDepth * levelsPerDepth;
    this.counts = new Int32Array(this.maxLevels);
    this.kinds = new Uint8Array(this.maxLevels);
  }

  /** One value (scalar or container) in the current container, at byte `offset`. */
  value(offset: number): void {
    if (++this.nodes > this.maxNodes) {
      throw tooLarge(this.format, this.limits.maxNodes, 'values in a document', { offset });
    }
    const top = this.top;
    if (top < 0) return;
    const kind = this.kinds[top];
    if (kind === MESSAGE) return;
    const count = (this.counts[top] ?? 0) + 1;
    this.counts[top] = count;
    if (count > (kind === ARRAY ? this.maxItems : this.maxKeys)) {
      this.check(count, kind === ARRAY ? 'array' : 'object', offset);
    }
  }

  /** Throws when `count` items (an array) or keys (an object) are too many. */
  check(count: number, kind: 'array' | 'object', offset: number): void {
    if (kind === 'array') {
      if (count > this.maxItems) {
        throw tooLarge(this.format, this.maxItems, 'items in an array', { offset });
      }
    } else if (count > this.maxKeys) {
      throw tooLarge(this.format, this.maxKeys, 'keys in an object', { offset });
    }
  }

  /** `n` values at once (a packed protobuf field). */
  values(n: number, offset: number): void {
    for (let i = 0; i < n; i++) this.value(offset);
  }

  /**
   * A container starts: the new current one, and (unless `counted` is false:
   * a JSON object's value, whose key was counted) a value of the current one.
   */
  open(kind: ContainerKind, offset: number, counted = true): void {
    if (counted) this.value(offset);
    if (this.top + 1 >= this.maxLevels) {
      throw tooLarge(this.format, this.limits.maxDepth, 'levels of nesting', { offset });
    }
    this.top++;
    this.counts[this.top] = 0;
    this.kinds[this.top] = kind === 'array' ? ARRAY : kind === 'object' ? OBJECT : MESSAGE;
  }

  /** The current container ends. */
  close(): void {
    if (this.top >= 0) this.top--;
  }

  /** Open containers. */
  get depth(): number {
    return this.top + 1;
  }
}

/**
 * @internal Whether a body is too small to break a count limit: every value
 * takes at least one byte, so a body of fewer bytes than the smallest count
 * limit cannot exceed it (and the scan is skipped on the common small body).
 */
export function cannotExceedCounts(byteLength: number, limits: DecodeLimits): boolean {
  return byteLength < Math.min(limits.maxItems, limits.maxKeys, limits.maxNodes);
}
