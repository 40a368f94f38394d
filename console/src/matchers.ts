/** Alertmanager matchers (`{severity="critical", team=~"infra|db"}`) parsed and applied in the console. */

/** One matcher, as the API's silences carry it. */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

const ONE =
  /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s"]*))\s*(?:,|$)/;

/** Parses a list of matchers; throws a message naming the position of the first bad one. */
export function parseMatchers(text: string): Matcher[] {
  let rest = text.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1);
  const out: Matcher[] = [];
  let guard = 0;
  while (rest.trim() !== '' && guard++ < 64) {
    const m = ONE.exec(rest);
    if (m === null) throw new Error(`cannot read a matcher at "${rest.trim().slice(0, 20)}"`);
    const op = m[2] ?? '=';
    const raw = m[3] ?? m[4] ?? '';
    out.push({
      name: m[1] ?? '',
      value: m[3] === undefined ? raw : raw.replace(/\\(.)/g, '$1'),
      isRegex: op === '=~' || op === '!~',
      isEqual: op === '=' || op === '=~',
    });
    rest = rest.slice(m[0].length);
  }
  if (rest.trim() !== '') throw new Error('at most 64 matchers');
  return out;
}

/** Does a label set satisfy every matcher? (Regular expressions are anchored, as in Alertmanager.) */
export function matchesAll(labels: Record<string, string>, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    let hit: boolean;
    if (m.isRegex) {
      try {
        hit = new RegExp(`^(?:${m.value})$`).test(v);
      } catch {
        return false;
      }
    } else hit = v === m.value;
    return m.isEqual ? hit : !hit;
  });
}

/** A matcher as Alertmanager's text form. */
export function matcherText(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
