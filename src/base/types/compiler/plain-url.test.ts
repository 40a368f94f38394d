import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plainUrl } from './zod-runtime.js';

/** The pieces of a URL that the URL parser and Zod's check read differently or strip. */
const url = fc
  .tuple(
    fc.constantFrom('', ' ', '\t', '\u00a0', '\u0001'),
    fc.constantFrom(
      'http',
      'HTTP',
      'https',
      'HtTpS',
      'ftp',
      'javascript',
      'h\ttp',
      '1http',
      '',
      'ht tp',
      'web+x',
    ),
    fc.constantFrom('://', ':', ':/', '', '//', ':\\\\', ':///'),
    fc.constantFrom(
      'example.com',
      'exa\nmple.com',
      'exa\rmple.com',
      '[::1]',
      '[::1',
      'a b',
      '',
      'ex%41mple.com',
      'ünïcode.com',
      '256.256.256.256',
      'user:pw@host:8080',
      'host:99999',
    ),
    fc.constantFrom('', '/x?y=1', '/\u0000', '#frag', '/a b', '/\u00e9'),
    fc.constantFrom('', ' ', '\u00a0', '\n', '\u0001'),
  )
  .map((parts) => parts.join(''));

/** No control character or space at either end. */
const plainEnds = (text: string): boolean =>
  text.length > 0 && text.charCodeAt(0) > 0x20 && text.charCodeAt(text.length - 1) > 0x20;

const PROTOCOLS = [/^https?$/, /^ftp$/, /^(web\+x|https?)$/i, undefined] as const;

describe('plainUrl', () => {
  it.each(PROTOCOLS.map((p) => [String(p), p]))(
    'says yes only to URLs that z.url({ protocol: %s }) accepts unchanged',
    (_, protocol) => {
      const schema = z.string().url(protocol === undefined ? {} : { protocol });
      let yes = 0;
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof(url, fc.webUrl(), fc.string()), (text) => {
          const result = schema.safeParse(text);
          // What plainUrl is for: kept as it is, with no control or space at the ends.
          if (result.success && result.data === text && plainEnds(text)) accepted += 1;
          if (!plainUrl(text, protocol)) return;
          yes += 1;
          expect(result.success).toBe(true);
          expect(result.data).toBe(text);
        }),
        { numRuns: 4_000, seed: 7 },
      );
      // Not a test that can only say no: what Zod keeps as it is passes here too.
      expect(yes).toBeGreaterThan(0);

      expect(yes).toBeGreaterThanOrEqual(accepted * 0.8);
    },
  );

  it('keeps what Zod rewrites or refuses to the check', () => {
    const http = /^https?$/;
    expect(plainUrl('https://example.com/x', http)).toBe(true);
    expect(plainUrl('HTTPS://example.com/x', http)).toBe(true);
    // Trimmed, tab removed, no "://" (Zod's http guard), another scheme: the check decides.
    expect(plainUrl(' https://example.com', http)).toBe(false);
    expect(plainUrl('https://exa\tmple.com', http)).toBe(false);
    expect(plainUrl('http:example.com', http)).toBe(false);
    expect(plainUrl('ftp://example.com', http)).toBe(false);
    expect(plainUrl('https://', http)).toBe(false);
  });
});
