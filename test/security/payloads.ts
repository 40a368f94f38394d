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
