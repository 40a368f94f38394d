/**
 * Injection-looking content in free text. Each pattern looks for the shape of
 * an attack in context (an SQL statement, a script tag, an event handler in a
 * tag, a command chained after a shell metacharacter, a `../` path step), not
 * for a keyword alone, so "select a server from the list" or "drop table
 * tennis" in prose are not reported.
 */

/** What kind of injection a match looks like; also the finding's code. */
export type InjectionKind =
  | 'sql_injection'
  | 'script_injection'
  | 'shell_injection'
  | 'path_traversal';

/** One suspicious match in a text. */
export interface InjectionMatch {
  readonly kind: InjectionKind;
  /** The matched text. */
  readonly fragment: string;
  /** What the pattern recognises (`UNION SELECT`, `<script> tag`). */
  readonly pattern: string;
  /** Offset of the match in the text. */
  readonly index: number;
}

interface Pattern {
  readonly name: string;
  readonly re: RegExp;
}

const ID = String.raw`[\w."\x60\[\]]+`;

const SQL: readonly Pattern[] = [
  { name: 'UNION SELECT', re: /\bunion\s+(?:all\s+)?select\b/i },
  {
    name: 'DDL statement',
    re: new RegExp(
      String.raw`\b(?:drop|truncate|alter)\s+(?:table|database|schema|view|index|user)\s+(?:if\s+exists\s+)?${ID}\s*(?:;|--|\/\*|$|cascade\b|add\b|drop\b|rename\b)`,
      'i',
    ),
  },
  {
    name: 'DELETE statement',
    re: new RegExp(String.raw`\bdelete\s+from\s+${ID}\s*(?:;|--|$|where\b)`, 'i'),
  },
  {
    name: 'INSERT statement',
    re: new RegExp(String.raw`\binsert\s+into\s+${ID}\s*(?:\(|values\b|select\b)`, 'i'),
  },
  { name: 'UPDATE statement', re: new RegExp(String.raw`\bupdate\s+${ID}\s+set\s+${ID}\s*=`, 'i') },
  {
    name: 'SELECT statement',
    re: new RegExp(
      String.raw`\bselect\s+(?:\*|${ID}(?:\s*,\s*${ID})+)\s+from\s+${ID}|\bselect\s+${ID}\s+from\s+${ID}\s*(?:;|--|where\b)`,
      'i',
    ),
  },
  {
    name: 'quote-breaking tautology',
    re: /['"]\s*\)?\s*(?:or|and)\s+['"]?(\w+)['"]?\s*=\s*['"]?\1\b/i,
  },
  { name: 'quote then comment', re: /\w'\s*\)?\s*;?\s*(?:--|#|\/\*)(?:\s|$)/ },
  {
    name: 'stacked statement',
    re: /;\s*(?:drop|delete|insert|update|shutdown|exec(?:ute)?|truncate)\s+\w/i,
  },
];

const SCRIPT: readonly Pattern[] = [
  { name: '<script> tag', re: /<\s*script\b/i },
  { name: 'embedding tag', re: /<\s*(?:iframe|object|embed|applet|meta|base)\b/i },
  // Browsers ignore tabs and newlines inside a URL scheme: "java\tscript:" runs too.
  {
    name: 'javascript: URL',
    re: /\b(?:j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t)\s*:/i,
  },
  { name: 'data:text/html URL', re: /\bdata\s*:\s*text\/html\b/i },
  // The attribute run stops at the next `<` as well as at `>`: a tag's scan
  // then ends where the next tag starts, so the whole scan is linear (with
  // `[^>]*?`, 1 MB of `<a ` took a second: every `<` scanned to the end).
  // A handler after a `<` inside a quoted value is still found by the
  // "event handler attribute" pattern below when it is a known one.
  { name: 'event handler in a tag', re: /<\s*[a-z][\w-]*\b[^<>]*?[\s"'/]on[a-z]{3,}\s*=/i },
  {
    name: 'event handler attribute',
    re: /\bon(?:error|load|click|dblclick|mouse(?:over|out|down|up|move|enter|leave)|focus|blur|change|submit|key(?:down|up|press)|input|toggle|animation(?:start|end)|pointer(?:over|down|enter)|begin|unload)\s*=\s*["'`]?[^\s"'`>]/i,
  },
];

/** Commands an attacker chains after a metacharacter. */
const COMMANDS = String.raw`(?:rm|curl|wget|bash|sh|zsh|nc|ncat|netcat|python[23]?|perl|ruby|php|chmod|chown|mkfifo|cat|echo|eval|exec|sudo|su|id|whoami|uname|kill|dd|base64|powershell|cmd)\b`;

const SHELL_IN_TEXT: readonly Pattern[] = [
  {
    name: 'command after a metacharacter',
    re: new RegExp(String.raw`(?:;|&&|\|\||\|)\s*${COMMANDS}`, 'i'),
  },
  {
    name: 'command substitution',
    re: new RegExp(String.raw`\$\(\s*${COMMANDS}|\x60\s*${COMMANDS}[^\x60]*\x60`, 'i'),
  },
];

/** Any shell metacharacter: in a command-like field, each one is suspicious. */
const SHELL_IN_COMMAND: readonly Pattern[] = [
  { name: 'shell metacharacter', re: /[;&|`]|\$\(|\$\{|[<>]|\r|\n/ },
];

const TRAVERSAL: readonly Pattern[] = [
  { name: '../ path step', re: /(?:^|[\\/=\s"':])\.\.[\\/]/ },
  { name: 'encoded ../ path step', re: /(?:%2e|\.){2}(?:%2f|%5c)|%2e%2e[\\/]/i },
  {
    name: 'system file',
    re: /(?:^|[\\/])(?:etc[\\/](?:passwd|shadow|hosts)|windows[\\/]win\.ini|proc[\\/]self[\\/])/i,
  },
];

/** Letters whose absence lets a scan skip a pattern family (most text has none of them). */
const SQL_HINT = /select|union|drop|delete|insert|update|truncate|alter|exec|shutdown|['"]/i;
const SCRIPT_HINT = /<|script|\bon[a-z]+\s*=|data\s*:/i;
const SHELL_HINT = /[;&|`$]/;
const TRAVERSAL_HINT = /\.\.|%2e|etc|windows|proc/i;

function scan(
  text: string,
  patterns: readonly Pattern[],
  kind: InjectionKind,
  out: InjectionMatch[],
): void {
  for (const p of patterns) {
    const m = p.re.exec(text);
    if (m !== null) {
      out.push({ kind, fragment: m[0].trim(), pattern: p.name, index: m.index });
      // One match per family is enough to flag a value.
      return;
    }
  }
}

/** Options of {@link findInjections}. */
export interface FindInjectionsOptions {
  /** The text is a command line (a `command`/`args` field): every shell metacharacter counts. */
  readonly commandLike?: boolean;
}

/**
 * Finds injection-looking content in one text: at most one match per kind.
 *
 * @example
 * ```ts
 * findInjections("x'; DROP TABLE users; --");   // [{ kind: 'sql_injection', fragment: 'DROP TABLE users;', ... }]
 * findInjections('Select a server from the list'); // []
 * findInjections('ls; rm -rf /', { commandLike: true }); // [{ kind: 'shell_injection', fragment: ';', ... }]
 * ```
 */
export function findInjections(
  text: string,
  options: FindInjectionsOptions = {},
): InjectionMatch[] {
  const out: InjectionMatch[] = [];
  if (SQL_HINT.test(text)) scan(text, SQL, 'sql_injection', out);
  if (SCRIPT_HINT.test(text)) scan(text, SCRIPT, 'script_injection', out);
  if (options.commandLike === true) scan(text, SHELL_IN_COMMAND, 'shell_injection', out);
  else if (SHELL_HINT.test(text)) scan(text, SHELL_IN_TEXT, 'shell_injection', out);
  if (TRAVERSAL_HINT.test(text)) scan(text, TRAVERSAL, 'path_traversal', out);
  return out;
}
