/**
 * JSON array bodies decoded item by item, with what earlier bodies decoded
 * remembered per tenant. Prometheus resends every firing alert each
 * `resend_delay`, its JSON text the same to the byte but for the value of
 * `endsAt`: such an item is built from the item decoded before with its own
 * `endsAt` text, instead of being decoded again. Only the items met for the
 * first time are decoded, together, as one array.
 *
 * The result is the serializer's decode of the whole body, item for item:
 * - an item is remembered only once the decoder took it, by its bytes with
 *   the member's value cut out (and where it was cut), and only when that
 *   value is a string of printable ASCII without escapes under a key written
 *   without escapes, once in the item (see `jsonArrayItems`): an item equal
 *   to it byte for byte but for that value is then the same JSON but for
 *   that string, which decodes to its own text;
 * - the items met first are decoded as one array of the same nesting, under
 *   the same limits; the counts that span the whole body cannot be reached
 *   (the body is smaller than `maxNodes` bytes, its items no more than
 *   `maxItems`; otherwise it is decoded whole);
 * - anything the decoder refuses in them, or any other shape of body, is
 *   decoded whole, and fails with the error (and the pointer) it always did.
 *
 * Items are found by a hash of those bytes (FNV-1a, counted as the bytes
 * are read) and compared byte for byte: a JavaScript string key of a
 * 300-byte item costs as much to hash as the item costs to decode. A hash's
 * bucket holds {@link BUCKET} items at most, so that colliding items cost a
 * bounded number of comparisons. Memory is bounded like the route's other
 * memos (`BoundedTenantMap`, counted in buckets), and in bytes: an item
 * larger than {@link MAX_ITEM_BYTES} is not kept, and each item kept is
 * charged {@link itemEntryBytes} against the budget it shares with the
 * route's memos (`memo-budget.ts`), with which it starts over. The items
 * remembered are frozen; each body gets objects of its own at the top
 * level, and shares the nested ones (labels, annotations) with the memo.
 */
import { type JsonArrayItem, jsonArrayItems } from '../base/serializers/json-array-items.js';
import type { DecodeLimits } from '../base/serializers/limits.js';
import { MemoBudget } from '../storage/repositories/memo-budget.js';
import { BoundedTenantMap } from '../storage/repositories/validation-memo.js';

/** The member whose value may differ between an item and the one remembered. */
const MEMBER = 'endsAt';

/** Items of one hash kept at most (more colliding items are decoded each time). */
const BUCKET = 4;

/**
 * Bytes of an item kept at most (without the member's value): items are kept
 * before any model has checked them, so a larger one (no alert Prometheus
 * sends) is decoded each time instead.
 */
export const MAX_ITEM_BYTES = 16 * 1_024;

/**
 * The memory an item kept holds, estimated from its bytes (without the
 * member's value): their copy, off the heap, and 640 bytes of heap for the
 * entry and its decoded value (whose strings the route's and ingest's memos
 * share, and are charged for). Measured for items of 330 and 1,830 bytes:
 * 510 and 550 bytes of heap besides the copy (`bench/README.md`).
 */
export function itemEntryBytes(size: number): number {
  return 640 + size;
}

type JsonObject = Readonly<Record<string, unknown>>;

/** An item remembered. */
interface Known {
  /** Its bytes without the member's value. */
  readonly bytes: Buffer;
  /** Where the value was cut out of them; -1: the item has no such member. */
  readonly cut: number;
  /** Its decoded value, frozen. */
  readonly value: JsonObject;
}

/** Freezes a decoded JSON value and everything in it. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** A decoded item remembered: an object of its own at the top level, the member's text set. */
function copyOf(known: JsonObject, text: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...known };
  if (text !== undefined) out[MEMBER] = text;
  return out;
}

/** @internal The FNV-1a hash before any byte. */
export const FNV_OFFSET = 0x811c9dc5;

/** @internal FNV-1a of `bytes[start, end)`, continued from `hash`. */
export function fnv(bytes: Uint8Array, start: number, end: number, hash: number): number {
  let h = hash;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h;
}

/** The hash of an item's bytes without its member's value (and where it was cut). */
function hashOf(
  bytes: Uint8Array,
  item: JsonArrayItem,
  member: readonly [number, number] | null,
): number {
  if (member === null) return fnv(bytes, item.start, item.end, FNV_OFFSET);
  const cut = member[0] - item.start;
  const head = fnv(bytes, item.start, member[0], Math.imul(FNV_OFFSET ^ cut, 0x01000193));
  return fnv(bytes, member[1], item.end, head);
}

/** Whether `known` is the item (its bytes equal but for the member's value). */
function isItem(
  known: Known,
  bytes: Buffer,
  item: JsonArrayItem,
  member: readonly [number, number] | null,
): boolean {
  if (member === null) {
    return (
      known.cut === -1 &&
      bytes.compare(known.bytes, 0, known.bytes.length, item.start, item.end) === 0
    );
  }
  const cut = member[0] - item.start;
  return (
    known.cut === cut &&
    known.bytes.length === cut + (item.end - member[1]) &&
    bytes.compare(known.bytes, 0, cut, item.start, member[0]) === 0 &&
    bytes.compare(known.bytes, cut, known.bytes.length, member[1], item.end) === 0
  );
}

/** Each body the memo decoded: the item remembered for each of its items, by index. */
const tokensByBody = new WeakMap<object, readonly (object | undefined)[]>();

/**
 * For a body a {@link JsonItemMemo} decoded, an object per item that stands
 * for the item's bytes but for the member's value (the same object for every
 * such item of the tenant while it is remembered; `undefined` for an item
 * not remembered); `undefined` for any other body. What a route keys what it
 * derives from an item on (in a `WeakMap`, so that it goes with the item).
 */
export function itemTokensOf(body: unknown): readonly (object | undefined)[] | undefined {
  return typeof body === 'object' && body !== null ? tokensByBody.get(body) : undefined;
}

/** Decoded items of JSON array bodies, per tenant (see the file comment). */
export class JsonItemMemo {
  readonly #items: BoundedTenantMap<Known[], number>;

  /** @param budget the bytes it shares with other memos; absent, a budget of its own (128 MiB). */
  constructor(budget: MemoBudget = new MemoBudget()) {
    this.#items = new BoundedTenantMap(budget);
  }

  /**
   * The decoded body: the items met before built from memory, the others
   * decoded (with `decode`, the serializer's decode of JSON bytes) and
   * remembered.
   */
  decode(
    bytes: Buffer,
    tenantId: string,
    limits: DecodeLimits,
    decode: (bytes: Buffer) => unknown,
  ): unknown {
    const items =
      bytes.byteLength < limits.maxNodes && bytes.byteLength <= limits.maxBytes
        ? jsonArrayItems(bytes, MEMBER, limits.maxItems)
        : undefined;
    if (items === undefined) return decode(bytes);
    const out: unknown[] = new Array(items.length);
    const tokens: (Known | undefined)[] = new Array(items.length);
    const hashes: (number | undefined)[] = new Array(items.length);
    const missed: number[] = [];
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as JsonArrayItem;
      const member = item.member;
      if (member === undefined) {
        missed.push(k);
        continue;
      }
      const hash = hashOf(bytes, item, member);
      hashes[k] = hash;
      const known = this.#items.get(tenantId, hash)?.find((c) => isItem(c, bytes, item, member));
      tokens[k] = known;
      if (known === undefined) missed.push(k);
      else {
        out[k] = copyOf(
          known.value,
          member === null ? undefined : bytes.toString('latin1', member[0], member[1]),
        );
      }
    }
    tokensByBody.set(out, tokens);
    if (missed.length === 0) return out;
    let decoded: unknown[];
    if (missed.length === items.length) {
      decoded = decode(bytes) as unknown[];
    } else {
      const parts: Buffer[] = [];
      for (const k of missed) {
        const item = items[k] as JsonArrayItem;
        parts.push(parts.length === 0 ? OPEN : COMMA, bytes.subarray(item.start, item.end));
      }
      parts.push(CLOSE);
      try {
        decoded = decode(Buffer.concat(parts)) as unknown[];
      } catch {
        // Decoded whole, it fails with the error and pointer of the whole body.
        return decode(bytes);
      }
    }
    missed.forEach((k, j) => {
      const value = decoded[missed.length === items.length ? k : j] as JsonObject;
      const hash = hashes[k];
      if (hash !== undefined) {
        tokens[k] = this.#remember(tenantId, hash, bytes, items[k] as JsonArrayItem, value);
      }
      out[k] = copyOf(value, undefined);
    });
    return out;
  }

  /** Keeps a decoded item under its hash (unless its bucket is full); returns what is kept. */
  #remember(
    tenantId: string,
    hash: number,
    bytes: Buffer,
    item: JsonArrayItem,
    value: JsonObject,
  ): Known | undefined {
    const member = item.member as readonly [number, number] | null;
    const size = item.end - item.start - (member === null ? 0 : member[1] - member[0]);
    if (size > MAX_ITEM_BYTES) return undefined;
    const bucket = this.#items.get(tenantId, hash);
    // The same item twice in one body: the first is kept.
    const same = bucket?.find((c) => isItem(c, bytes, item, member));
    if (same !== undefined || (bucket !== undefined && bucket.length >= BUCKET)) return same;
    deepFreeze(value);
    const known: Known = {
      bytes:
        member === null
          ? Buffer.from(bytes.subarray(item.start, item.end))
          : Buffer.concat([
              bytes.subarray(item.start, member[0]),
              bytes.subarray(member[1], item.end),
            ]),
      cut: member === null ? -1 : member[0] - item.start,
      value,
    };
    const charge = itemEntryBytes(size);
    if (bucket === undefined) {
      return this.#items.set(tenantId, hash, [known], charge) ? known : undefined;
    }
    if (!this.#items.charge(tenantId, charge)) return undefined;
    // The charge may have started the memo over: the bucket is looked up again.
    const kept = this.#items.get(tenantId, hash);
    if (kept === undefined) this.#items.set(tenantId, hash, [known]);
    else kept.push(known);
    return known;
  }
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
