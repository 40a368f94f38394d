import { describe, expect, it } from 'vitest';
import { InhibitRule } from './inhibit-rule.js';
import { inhibitedBy } from './inhibition.js';
import {
  compileMatcher,
  formatMatcher,
  type Matcher,
  MatcherSyntaxError,
  matchesAll,
  matchesEmpty,
  parseMatcher,
  parseMatchers,
  passesFilter,
  regexError,
} from './matchers.js';

const m = (name: string, value: string, isRegex = false, isEqual = true): Matcher => ({
  name,
  value,
  isRegex,
  isEqual,
});

describe('parseMatcher (Alertmanager 0.25 labels.ParseMatcher)', () => {
  it.each([
    ['alertname="HighCPU"', m('alertname', 'HighCPU')],
    ['  severity =~ "crit.*"  ', m('severity', 'crit.*', true)],
    ['team!=db', m('team', 'db', false, false)],
    ['job!~"api|web"', m('job', 'api|web', true, false)],
    ['a=""', m('a', '')],
    ['a=', m('a', '')],
    ['a="say \\"hi\\""', m('a', 'say "hi"')],
    ['a="line\\nbreak"', m('a', 'line\nbreak')],
    ['a="back\\\\slash"', m('a', 'back\\slash')],
    ['a="odd\\d"', m('a', 'odd\\d')],
    ['a=trailing\\', m('a', 'trailing\\')],
    ['ns:metric="x"', m('ns:metric', 'x')],
  ])('%s', (text, expected) => {
    expect(parseMatcher(text)).toEqual(expected);
  });

  it.each([
    ['no operator', 'bad matcher format: no operator'],
    ['1abc="x"', 'bad matcher format: 1abc="x"'],
    ['a="x"y"', 'matcher value contains unescaped double quote: "x"y"'],
    ['a="open', 'matcher value contains unescaped double quote: "open'],
  ])('refuses %s', (text, message) => {
    expect(() => parseMatcher(text)).toThrow(new MatcherSyntaxError(message));
  });

  it('refuses a regular expression RE2 refuses, and an oversized matcher', () => {
    expect(() => parseMatcher('a=~"(x"')).toThrow(MatcherSyntaxError);
    expect(() => parseMatcher('a=~"(?=x)"')).toThrow(MatcherSyntaxError);
    expect(() => parseMatcher(`a="${'x'.repeat(5_000)}"`)).toThrow(/too long/);
  });

  it('parses lists with braces, quoted commas and a trailing comma', () => {
    expect(parseMatchers('{alertname="x",severity=~"crit.*"}')).toEqual([
      m('alertname', 'x'),
      m('severity', 'crit.*', true),
    ]);
    expect(parseMatchers('a="1,2", b!=3,')).toEqual([m('a', '1,2'), m('b', '3', false, false)]);
    expect(parseMatchers('q="say \\"a,b\\""')).toEqual([m('q', 'say "a,b"')]);
    expect(() => parseMatchers(Array.from({ length: 70 }, (_, i) => `l${i}=x`).join(','))).toThrow(
      /more than 64/,
    );
  });

  it('formats what it parses', () => {
    for (const text of ['a="x"', 'a=~"x|y"', 'a!="q\\"uote"', 'a!~"\\\\d+"']) {
      expect(formatMatcher(parseMatcher(text))).toBe(text);
    }
  });
});

describe('matching (RE2, anchored; an absent label is "")', () => {
  it('anchors regular expressions and uses RE2 syntax', () => {
    expect(compileMatcher(m('i', 'web-[0-9]+', true)).matches('web-12')).toBe(true);
    expect(compileMatcher(m('i', 'web-[0-9]+', true)).matches('xweb-12')).toBe(false);
    expect(compileMatcher(m('i', 'a|b', true)).matches('ab')).toBe(false);
    expect(compileMatcher(m('i', '(?i)web', true)).matches('WEB')).toBe(true);
    expect(compileMatcher(m('i', '\\pL+', true)).matches('héllo')).toBe(true);
    expect(compileMatcher(m('i', 'x', true, false)).matches('y')).toBe(true);
    expect(regexError('a{1001}')).toMatch(/repetition|repeat/i);
    expect(regexError('ok')).toBeUndefined();
  });

  it('gives the same verdicts past its memo of recent values', () => {
    const even = compileMatcher(m('n', '[0-9]*[02468]', true));
    const odd = compileMatcher(m('n', '[0-9]*[02468]', true, false));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        expect(even.matches(String(i))).toBe(i % 2 === 0);
        expect(odd.matches(String(i))).toBe(i % 2 === 1);
      }
    }
  });

  it('treats an absent label as empty, never as an inherited property', () => {
    const absent = [compileMatcher(m('severity', ''))];
    expect(matchesAll(absent, { alertname: 'x' })).toBe(true);
    expect(matchesAll([compileMatcher(m('constructor', ''))], { alertname: 'x' })).toBe(true);
    expect(matchesAll([compileMatcher(m('toString', '.+', true))], {})).toBe(false);
  });

  it('counts only = and =~ as matching the empty string (silence validation)', () => {
    expect(matchesEmpty(compileMatcher(m('a', '')))).toBe(true);
    expect(matchesEmpty(compileMatcher(m('a', 'x|', true)))).toBe(true);
    expect(matchesEmpty(compileMatcher(m('a', 'x', false, false)))).toBe(false);
    expect(matchesEmpty(compileMatcher(m('a', '.+', true)))).toBe(false);
  });

  it("filters as Alertmanager's API: an empty value skips the matcher where the label is absent (= ) or present (!=)", () => {
    const f = (x: Matcher) => [compileMatcher(x)];
    expect(passesFilter(f(m('team', '')), { team: 'db' })).toBe(false);
    expect(passesFilter(f(m('team', '')), {})).toBe(true);
    expect(passesFilter(f(m('team', '', false, false)), { team: 'db' })).toBe(true);
    expect(passesFilter(f(m('team', 'db', false, false)), {})).toBe(true);
    expect(passesFilter(f(m('team', 'd.*', true)), { team: 'db' })).toBe(true);
    expect(passesFilter(f(m('team', 'd.*', true)), { team: 'web' })).toBe(false);
  });
});

describe('inhibition', () => {
  const rule = InhibitRule.parse({
    tenantId: 't',
    name: 'crit mutes warn',
    sourceMatchers: [m('severity', 'critical')],
    targetMatchers: [m('severity', 'warning|critical', true)],
    equal: ['alertname', 'zone'],
  });
  const a = (fingerprint: string, labels: Record<string, string>) => ({ fingerprint, labels });

  it('inhibits targets with equal labels (absent equals absent), not across them', () => {
    const got = inhibitedBy(
      [rule],
      [
        a('s1', { alertname: 'X', severity: 'critical' }),
        a('t1', { alertname: 'X', severity: 'warning' }),
        a('t2', { alertname: 'X', severity: 'warning', zone: 'eu' }),
        a('t3', { alertname: 'Y', severity: 'warning' }),
      ],
    );
    expect([...got]).toEqual([['t1', ['s1']]]);
  });

  it('does not let an alert that matches both sides be inhibited by another of its kind', () => {
    const both = inhibitedBy(
      [rule],
      [
        a('c1', { alertname: 'X', severity: 'critical', zone: 'a' }),
        a('c2', { alertname: 'X', severity: 'critical', zone: 'a', extra: '1' }),
      ],
    );
    expect(both.size).toBe(0);
    const none = inhibitedBy([], [a('x', { alertname: 'X' })]);
    expect(none.size).toBe(0);
  });
});
