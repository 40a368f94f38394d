/**
 * A conservative estimate of the entropy of a secret someone chose (an
 * administrator key), in bits: its length times log2 of the alphabet its
 * characters come from (hex digits 16; otherwise lowercase, uppercase,
 * digits, anything else: 26 + 26 + 10 + 33 for those present). A repetitive
 * secret (under 3 bits of Shannon entropy per character, i.e. fewer than
 * about 8 symbols in even use: `aaaa…`, `abab…`) counts only its Shannon
 * entropy.
 *
 * It cannot tell a random key from a memorable one of the same shape; it
 * refuses the short and the repetitive.
 *
 * @example
 * ```ts
 * estimateEntropyBits('abc'); // ~4.8
 * estimateEntropyBits(randomBytes(16).toString('hex')); // 128
 * ```
 */
export function estimateEntropyBits(secret: string): number {
  const chars = [...secret];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let shannon = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    shannon -= p * Math.log2(p);
  }
  if (shannon < 3) return chars.length * shannon;
  let alphabet = 16;
  if (!/^[0-9a-f]+$/.test(secret) && !/^[0-9A-F]+$/.test(secret)) {
    alphabet = 0;
    if (/[a-z]/.test(secret)) alphabet += 26;
    if (/[A-Z]/.test(secret)) alphabet += 26;
    if (/[0-9]/.test(secret)) alphabet += 10;
    if (/[^a-zA-Z0-9]/.test(secret)) alphabet += 33;
  }
  return chars.length * Math.log2(alphabet);
}
