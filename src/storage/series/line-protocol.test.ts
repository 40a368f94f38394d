import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeMeasurement,
  escapeTag,
  formatLine,
  influxqlIdentifier,
  influxqlString,
} from './line-protocol.js';

/**
 * Reads a tag key or value back as InfluxDB 1.x does (models/points.go):
 * a backslash before `,`, `=` or a space escapes it; any other backslash is
 * kept as it is; an unescaped `,`, `=` or space ends the token.
 */
function readTag(text: string, from: number): { value: string; end: number } {
  let value = '';
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length && ',= '.includes(text[i + 1] as string)) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    if (',= '.includes(c)) break;
    value += c;
    i++;
  }
  return { value, end: i };
}

/** Parses the tag set of a line written by `formatLine` (measurement without specials). */
function tagsOf(line: string): Record<string, string> {
  const tags: Record<string, string> = {};
  let i = line.indexOf(',');
  const space = line.indexOf(' ');
  if (i === -1 || i > space) return tags;
  while (line[i] === ',') {
    const key = readTag(line, i + 1);
    const value = readTag(line, key.end + 1);
    tags[key.value] = value.value;
    i = value.end;
  }
  return tags;
}

const hostile = fc.string({
  unit: fc.constantFrom('a', 'Z', ',', ' ', '=', '\\', '"', "'", '\n', 'é', '🚨', '\u200b', '\t'),
  maxLength: 12,
});

describe('line protocol', () => {
  it('escapes commas, spaces and equals signs; keeps Unicode', () => {
    expect(
      formatLine({
        measurement: 'alert created',
        tags: { tenant: 'acme', alertname: 'High CPU, p=99 🚨', rule: null, empty: '' },
        fields: { count: 1, duration_ms: null },
        timeNs: '1700000000000000001',
      }),
    ).toBe(
      'alert\\ created,alertname=High\\ CPU\\,\\ p\\=99\\ 🚨,tenant=acme count=1i 1700000000000000001',
    );
  });

  it('property: every tag value round-trips, or is refused with ALERTBASE_STORAGE_POINT_INVALID', () => {
    fc.assert(
      fc.property(hostile, hostile, (alertname, rule) => {
        let line: string;
        try {
          line = formatLine({
            measurement: 'm',
            tags: { alertname, rule, tenant: 't' },
            fields: { count: 1 },
            timeNs: '1',
          });
        } catch (err) {
          expect(err).toMatchObject({ code: 'ALERTBASE_STORAGE_POINT_INVALID' });
          // Refused only for what the protocol cannot carry.
          expect(/[\n\r]|\\$|\\[\\, =]/.test(alertname) || /[\n\r]|\\$|\\[\\, =]/.test(rule)).toBe(
            true,
          );
          return;
        }
        expect(line).not.toMatch(/[\n\r]/);
        const expected: Record<string, string> = { tenant: 't' };
        if (alertname !== '') expected.alertname = alertname;
        if (rule !== '') expected.rule = rule;
        expect(tagsOf(line)).toEqual(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses what it cannot carry, naming why', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => escapeTag('a\nb'), /line break/],
      [() => escapeTag('a\\'), /ends with a backslash/],
      [() => escapeTag('a\\,b'), /backslash before ","/],
      [() => escapeMeasurement(''), /empty measurement/],
      [() => escapeMeasurement('a\\ b'), /backslash before " "/],
      [
        () => formatLine({ measurement: 'm', tags: { '': 'x' }, fields: { c: 1 }, timeNs: '1' }),
        /empty tag key/,
      ],
      [
        () => formatLine({ measurement: 'm', tags: {}, fields: { c: null }, timeNs: '1' }),
        /at least one field/,
      ],
      [
        () => formatLine({ measurement: 'm', tags: {}, fields: { c: 1.5 }, timeNs: '1' }),
        /not an integer/,
      ],
      [
        () => formatLine({ measurement: 'm', tags: {}, fields: { '': 1 }, timeNs: '1' }),
        /empty field key/,
      ],
      [
        () => formatLine({ measurement: 'm', tags: {}, fields: { c: 1 }, timeNs: '-1' }),
        /bad timestamp/,
      ],
      [() => influxqlString('a\rb'), /line break/],
      [() => influxqlIdentifier('a\nb'), /line break/],
    ];
    for (const [attempt, why] of bad) {
      expect(attempt).toThrow(why);
      try {
        attempt();
      } catch (err) {
        expect(err).toMatchObject({ code: 'ALERTBASE_STORAGE_POINT_INVALID' });
      }
    }
  });

  it('InfluxQL literals escape quotes and backslashes', () => {
    expect(influxqlString(`it's \\ "x"`)).toBe(`'it\\'s \\\\ "x"'`);
    expect(influxqlIdentifier(`a"b\\c`)).toBe(`"a\\"b\\\\c"`);
  });
});
