import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, LineCounter } from 'yaml';
import type { ValidationLevel } from '../../base/validators/index.js';
import type { RuleFileCheckResult } from '../../interop/prometheus/rule-file.js';
import {
  type DocumentFormat,
  DocumentSyntaxError,
  formatOf,
  readDocuments,
  type SourceDocument,
} from '../documents.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import type { DocumentChecker } from './validate-documents.js';

// What a file needs is imported when a file needs it: a run over Prometheus rule
// files loads the rule checker (YAML, PromQL) and not the domain models, the
// validators, the configuration or the Alertmanager importer.

/** Severity of a reported issue. */
export type Severity = 'error' | 'warning' | 'info';

/** One issue as the validate command reports it. */
export interface ReportedIssue {
  readonly code: string;
  readonly level: string;
  readonly severity: Severity;
  /** JSON pointer into the document (prefixed with `/<index>` for multi-document files). */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** The report of one file. */
export interface FileReport {
  readonly path: string;
  readonly valid: boolean;
  readonly issues: readonly ReportedIssue[];
}

/** The whole report, as `--format json` prints it. */
export interface ValidateReport {
  readonly files: readonly FileReport[];
  readonly summary: { readonly files: number; readonly errors: number; readonly warnings: number };
}

/** Options of the validate command. */
export interface ValidateOptions {
  readonly format: 'text' | 'json' | 'sarif';
  readonly kind?: string;
  readonly from?: DocumentFormat;
  /** Run the levels up to this one. */
  readonly level?: ValidationLevel;
  /** Security and performance warnings become errors (default: config `validation.strict_mode`). */
  readonly strict?: boolean;
  /** Findings kept per severity and document (default: config `validation.max_errors`). */
  readonly maxErrors?: number;
  /** Configuration file (default: `$ALERTBASE_CONFIG` or `./alertbase.yaml`). */
  readonly config?: string;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** A file to validate: where it is, and its path as the user wrote it (a folder's files under the folder as given). */
interface Target {
  readonly full: string;
  readonly shown: string;
}

/** Lists the files to validate: files as given, folders walked for known extensions. */
function* collect(
  paths: readonly string[],
  cwd: string,
  from: DocumentFormat | undefined,
): Generator<Target> {
  for (const given of paths) {
    const full = resolve(cwd, given);
    let info: Stats;
    try {
      // Synchronous: a command reads one file at a time, and the thread pool's
      // round trip per call cost more than the read (about 0.1 ms per file).
      info = statSync(full);
    } catch {
      throw new UsageError(`cannot read ${given}: no such file or folder`);
    }
    if (info.isDirectory()) {
      // In code-unit order, the same under every locale (and without loading
      // ICU's collation, which cost more than checking a rule file).
      const entries = readdirSync(full, { withFileTypes: true }).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      const nested: string[] = [];
      for (const entry of entries) {
        if (
          (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) ||
          (entry.isFile() && formatOf(entry.name) !== undefined)
        )
          nested.push(given.endsWith('/') ? `${given}${entry.name}` : `${given}/${entry.name}`);
      }
      yield* collect(nested, cwd, from);
    } else {
      if (from === undefined && formatOf(full) === undefined) {
        throw new UsageError(`cannot tell the format of ${given}: use --from json|yaml`);
      }
      yield { full, shown: given };
    }
  }
}

/** What validating the files of one run shares. */
interface RunContext {
  readonly kind: string | undefined;
  /** The checker of alertbase documents, imported on first use. */
  documents(): Promise<DocumentChecker>;
}

/** Rule-file issue codes that are about the file's shape rather than its meaning. */
const SYNTAX_RULE_CODES: ReadonlySet<string> = new Set([
  'yaml_syntax',
  'excessive_aliasing',
  'too_large',
  'duplicate_key',
  'unknown_field',
  'invalid_type',
]);

const PROMETHEUS_KINDS: ReadonlySet<string> = new Set([
  'prometheus-rules',
  'prometheus_rules',
  'PrometheusRules',
]);

/** @internal A Prometheus rule file: asked for by --kind, or a kind-less mapping with `groups`. */
export function isPrometheusRuleFile(
  docs: readonly SourceDocument[],
  kind: string | undefined,
): boolean {
  if (kind !== undefined) return PROMETHEUS_KINDS.has(kind);
  const first = docs[0]?.value;
  return (
    typeof first === 'object' &&
    first !== null &&
    !Array.isArray(first) &&
    Object.hasOwn(first, 'groups') &&
    !Object.hasOwn(first, 'kind')
  );
}

const ALERTMANAGER_KINDS: ReadonlySet<string> = new Set([
  'alertmanager-config',
  'alertmanager_config',
  'AlertmanagerConfig',
]);

/** Issue codes of an Alertmanager configuration that are about its shape rather than its meaning. */
const SYNTAX_IMPORT_CODES: ReadonlySet<string> = new Set([
  'yaml_syntax',
  'excessive_aliasing',
  'too_large',
  'unknown_field',
  'unrecognized_key',
  'invalid_type',
]);

/** @internal An Alertmanager configuration: asked for by --kind, or a kind-less mapping with `route` and `receivers`. */
export function isAlertmanagerConfig(
  docs: readonly SourceDocument[],
  kind: string | undefined,
): boolean {
  if (kind !== undefined) return ALERTMANAGER_KINDS.has(kind);
  const first = docs[0]?.value;
  return (
    docs.length === 1 &&
    typeof first === 'object' &&
    first !== null &&
    !Array.isArray(first) &&
    Object.hasOwn(first, 'route') &&
    Object.hasOwn(first, 'receivers') &&
    !Object.hasOwn(first, 'kind')
  );
}

/** Checks an Alertmanager configuration as `parseAlertmanagerConfig` imports it. */
async function alertmanagerReport(text: string, displayPath: string): Promise<FileReport> {
  const [{ parseAlertmanagerConfig }, { createLocator }] = await Promise.all([
    import('../../interop/alertmanager/index.js'),
    import('../source-map.js'),
  ]);
  const found = parseAlertmanagerConfig(text);
  const locate = createLocator(text);
  const issues: ReportedIssue[] = found.issues.map((i) => {
    const pos = i.line === undefined ? locate(i.path) : { line: i.line, column: i.column ?? 1 };
    return {
      code: i.code,
      level: SYNTAX_IMPORT_CODES.has(i.code) ? 'syntax' : 'semantic',
      severity: i.severity,
      path: i.pointer,
      ...(pos === undefined ? {} : { line: pos.line, column: pos.column }),
      message: i.message,
    };
  });
  return { path: displayPath, valid: !issues.some((i) => i.severity === 'error'), issues };
}

/** A top-level `groups:` key, the mark of a Prometheus rule file in block style. */
const GROUPS_KEY = /^groups[ \t]*:/m;

/**
 * @internal A YAML Prometheus rule file checked from one reading of its YAML, or
 * `undefined` when the file is not plainly one (then {@link validateFile}
 * reads it as any document and decides, as before). Plainly one: the
 * Prometheus kind or none, a block-style top-level `groups:`, one document
 * that composes without errors, whose mapping has `groups` and neither
 * `kind` nor both `route` and `receivers`, no merge keys. Anything the
 * general reading would report otherwise (excessive aliasing) goes back to it.
 */
export async function plainRuleFile(
  text: string,
  kind: string | undefined,
): Promise<RuleFileCheckResult | undefined> {
  if (kind !== undefined && !PROMETHEUS_KINDS.has(kind)) return undefined;
  if (!GROUPS_KEY.test(text) || text.includes('<<')) return undefined;
  const rules = await import('../../interop/prometheus/rule-file.js');
  const lines = new LineCounter();
  let list: ReturnType<typeof rules.composeRuleFile>;
  try {
    list = rules.composeRuleFile(text, lines);
  } catch {
    return undefined;
  }
  const doc = list[0];
  if (list.length !== 1 || doc === undefined || doc.errors.length > 0 || !isMap(doc.contents)) {
    return undefined;
  }
  const keys = new Set<unknown>();
  for (const item of doc.contents.items) {
    if (!isScalar(item.key)) return undefined;
    keys.add(item.key.value);
  }
  if (!keys.has('groups') || keys.has('kind') || (keys.has('route') && keys.has('receivers'))) {
    return undefined;
  }
  const checked = rules.checkComposedRuleFile(list, lines);
  return checked.issues.some((i) => i.code === 'excessive_aliasing') ? undefined : checked;
}

/** The report of a checked rule file. */
function ruleFileReport(checked: RuleFileCheckResult, displayPath: string): FileReport {
  return {
    path: displayPath,
    valid: checked.valid,
    issues: checked.issues.map((i) => ({
      code: i.code,
      level: SYNTAX_RULE_CODES.has(i.code) ? 'syntax' : 'semantic',
      severity: i.severity,
      path: i.pointer,
      line: i.line,
      column: i.column,
      message: i.message,
    })),
  };
}

/** Validates one file; never throws for bad content. */
async function validateFile(
  path: string,
  options: ValidateOptions,
  ctx: RunContext,
  displayPath: string,
): Promise<FileReport> {
  const format = options.from ?? formatOf(path);
  if (format === undefined)
    throw new UsageError(`cannot tell the format of ${displayPath}: use --from json|yaml`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${displayPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (format === 'yaml') {
    const checked = await plainRuleFile(text, ctx.kind);
    if (checked !== undefined) return ruleFileReport(checked, displayPath);
  }
  let docs: SourceDocument[];
  try {
    docs = readDocuments(text, format);
  } catch (err) {
    if (err instanceof DocumentSyntaxError) {
      return {
        path: displayPath,
        valid: false,
        issues: [
          {
            // The level already says "syntax": the code says which syntax.
            code: format === 'json' ? 'invalid_json' : 'invalid_yaml',
            level: 'syntax',
            severity: 'error',
            path: '',
            line: err.line,
            column: err.column,
            message: err.message,
          },
        ],
      };
    }
    throw err;
  }
  // Valid, as promtool says of an empty rule file ("SUCCESS: 0 rules found"), but said.
  if (docs.length === 0 || docs.every((doc) => doc.value === null)) {
    return {
      path: displayPath,
      valid: true,
      issues: [
        {
          code: 'empty_file',
          level: 'syntax',
          severity: 'info',
          path: '',
          line: 1,
          column: 1,
          message: 'the file holds no document: nothing was checked',
        },
      ],
    };
  }
  if (isAlertmanagerConfig(docs, ctx.kind)) return alertmanagerReport(text, displayPath);
  if (isPrometheusRuleFile(docs, ctx.kind)) {
    const { checkRuleFile } = await import('../../interop/prometheus/rule-file.js');
    return ruleFileReport(checkRuleFile(text), displayPath);
  }
  const check = await ctx.documents();
  const perDocument = await Promise.all(docs.map((doc) => check(doc, docs.length > 1)));
  const issues = perDocument
    .flat()
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { path: displayPath, valid: !issues.some((i) => i.severity === 'error'), issues };
}

/** SGR codes of the few styles the text report uses. */
const ANSI = { bold: 1, red: 31, green: 32, yellow: 33, blue: 34 } as const;

function renderText(report: ValidateReport, color: boolean): string {
  const paint = (style: keyof typeof ANSI, text: string) =>
    color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
  const severityText = {
    error: paint('red', 'error'),
    warning: paint('yellow', 'warning'),
    info: paint('blue', 'info'),
  };
  const lines: string[] = [];
  let skipped = 0;
  for (const file of report.files) {
    lines.push(
      `${paint('bold', file.path)} ${file.valid ? paint('green', 'valid') : paint('red', 'invalid')}`,
    );
    for (const issue of file.issues) {
      // Said once below rather than once per document.
      if (issue.code === 'consistency_skipped') {
        skipped++;
        continue;
      }
      const where =
        issue.line === undefined ? file.path : `${file.path}:${issue.line}:${issue.column ?? 1}`;
      const path = issue.path === '' ? '' : `${issue.path} `;
      lines.push(
        `  ${where} ${issue.level} ${severityText[issue.severity]} ${issue.code} ${path}${issue.message}`,
      );
    }
  }
  const s = report.summary;
  lines.push('');
  if (skipped > 0) {
    lines.push(
      `consistency level skipped for ${skipped} document(s): references, unique names and quotas need the stored data (the service checks them)`,
    );
  }
  lines.push(`${s.files} file(s), ${s.errors} error(s), ${s.warnings} warning(s)`);
  return `${lines.join('\n')}\n`;
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

/** The report as SARIF 2.1.0, so CI systems show findings inline. */
export function toSarif(report: ValidateReport, version: string): Record<string, unknown> {
  const results = report.files.flatMap((file) =>
    file.issues.map((issue) => ({
      ruleId: issue.code,
      level: SARIF_LEVEL[issue.severity],
      message: { text: issue.path === '' ? issue.message : `${issue.path}: ${issue.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file.path.split('\\').join('/') },
            ...(issue.line === undefined
              ? {}
              : { region: { startLine: issue.line, startColumn: issue.column ?? 1 } }),
          },
        },
      ],
      properties: { level: issue.level },
    })),
  );
  const rules = [...new Set(results.map((r) => r.ruleId))].sort().map((id) => ({ id }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'alertbase', version, informationUri: 'https://alertbase.dev', rules },
        },
        results,
      },
    ],
  };
}

/** A one-line progress bar on a terminal; nothing elsewhere. */
function progress(io: CliIo, total: number): (done: number) => void {
  if (io.stderr.isTTY !== true || total < 20) return () => {};
  const width = 30;
  return (done) => {
    const filled = Math.round((done / total) * width);
    io.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
    if (done === total) io.stderr.write('\n');
  };
}

/**
 * `alertbase validate <paths...>`: validates documents through the five
 * levels, prints a report, returns the exit code (0 valid, 1 errors, 2 usage
 * or unreadable file). Files are read one at a time.
 */
export async function runValidate(
  paths: readonly string[],
  options: ValidateOptions,
  io: CliIo,
  version = '0.1.0',
): Promise<number> {
  if (paths.length === 0) throw new UsageError('give at least one file or folder');
  let documents: Promise<DocumentChecker> | undefined;
  const ctx: RunContext = {
    kind: options.kind,
    documents() {
      documents ??= import('./validate-documents.js').then(({ createDocumentChecker }) =>
        createDocumentChecker(options, io),
      );
      return documents;
    },
  };
  const targets: Target[] = [];
  for (const target of collect(paths, io.cwd, options.from)) targets.push(target);
  // A mistyped CI path must not pass: nothing to check is a usage error, not "0 files, valid".
  if (targets.length === 0)
    throw new UsageError(`no JSON or YAML file to check in ${paths.join(', ')}`);
  const tick = progress(io, targets.length);
  const files: FileReport[] = [];
  for (const [i, target] of targets.entries()) {
    files.push(await validateFile(target.full, options, ctx, target.shown));
    tick(i + 1);
  }
  const count = (sev: Severity) =>
    files.reduce((n, f) => n + f.issues.filter((i) => i.severity === sev).length, 0);
  const report: ValidateReport = {
    files,
    summary: { files: files.length, errors: count('error'), warnings: count('warning') },
  };
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (options.format === 'sarif')
    io.stdout.write(`${JSON.stringify(toSarif(report, version), null, 2)}\n`);
  else
    io.stdout.write(renderText(report, io.stdout.isTTY === true && io.env.NO_COLOR === undefined));
  return report.summary.errors > 0 ? EXIT.invalid : EXIT.ok;
}
