/** Hostile inputs shared by the security tests and the `hostile` bench. */

/**
 * A merge-key bomb: level `i` merges level `i - 1` `width` times, so level
 * `levels` copies `width ** levels` mappings (5 levels of 10: 100,000, in
 * under 500 bytes).
 */
export function mergeBomb(levels: number, width: number): string {
  const lines = ['l0: &l0 {a: 1}'];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `l${i}: &l${i} {<<: [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]}`,
    );
  }
  return lines.join('\n');
}

/** "Billion laughs": level `i` is a sequence of `width` aliases of level `i - 1`. */
export function aliasBomb(levels: number, width: number): string {
  const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `a${i}: &a${i} [${Array(width)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  }
  return lines.join('\n');
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A `google.protobuf.Value` list of `n` null Values (4 bytes each on the wire). */
export function protobufNulls(n: number): Uint8Array {
  const item = [0x0a, 0x02, 0x08, 0x00]; // values: Value { null_value: NULL_VALUE }
  const list = Buffer.alloc(item.length * n);
  for (let i = 0; i < n; i++) list.set(item, i * item.length);
  return Buffer.concat([Buffer.from([0x32, ...varint(list.length)]), list]);
}

/** A MessagePack array32 of `n` nils. */
export function msgpackNulls(n: number): Uint8Array {
  const head = Buffer.from([0xdd, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  return Buffer.concat([head, Buffer.alloc(n, 0xc0)]);
}

/** A JSON array of `n` zeros. */
export function jsonZeros(n: number): Uint8Array {
  return Buffer.from(`[${'0,'.repeat(n).slice(0, -1)}]`);
}

/** An XML document of `n` empty children. */
export function xmlChildren(n: number): Uint8Array {
  return Buffer.from(`<items>${'<i/>'.repeat(n)}</items>`);
}
