import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { styleText } from 'node:util';
import { ValidationError } from '../../base/exceptions/index.js';
import type { AnyModel } from '../../base/types/model.js';
import { checkRuleFile } from '../../interop/prometheus/index.js';
import {
  type DocumentFormat,
  DocumentSyntaxError,
  formatOf,
  modelForKind,
  readDocuments,
  type SourceDocument,
} from '../documents.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { createLocator } from '../source-map.js';

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
  readonly format: 'text' | 'json';
  readonly kind?: string;
  readonly from?: DocumentFormat;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** Lists the files to validate: files as given, folders walked for known extensions. */
async function* collect(
  paths: readonly string[],
  cwd: string,
  from: DocumentFormat | undefined,
): AsyncGenerator<string> {
  for (const given of paths) {
    const full = resolve(cwd, given);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(full);
    } catch {
      throw new UsageError(`cannot read ${given}: no such file or folder`);
    }
    if (info.isDirectory()) {
      const entries = (await readdir(full, { withFileTypes: true })).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const nested: string[] = [];
      for (const entry of entries) {
        if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) nested.push(join(full, entry.name));
        else if (entry.isFile() && formatOf(entry.name) !== undefined)
          nested.push(join(full, entry.name));
      }
      yield* collect(nested, cwd, from);
    } else {
      if (from === undefined && formatOf(full) === undefined) {
        throw new UsageError(`cannot tell the format of ${given}: use --from json|yaml`);
      }
      yield full;
    }
  }
}

function documentIssues(
  doc: SourceDocument,
  multi: boolean,
  kindOption: string | undefined,
): ReportedIssue[] {
  const prefix = multi ? `/${doc.index}` : '';
  const locate = createLocator(doc.text);
  const position = (path: readonly (string | number)[]) => {
    const pos = locate(path);
    return pos === undefined ? {} : { line: pos.line + doc.firstLine - 1, column: pos.column };
  };
  const value = doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      {
        code: 'invalid_document',
        level: 'syntax',
        severity: 'error',
        path: prefix,
        ...position([]),
        message: 'expected a mapping with a kind',
      },
    ];
  }
  const record = value as Record<string, unknown>;
  const kind = kindOption ?? (typeof record.kind === 'string' ? record.kind : undefined);
  if (kind === undefined) {
    return [
      {
        code: 'unknown_kind',
        level: 'syntax',
        severity: 'error',
        path: prefix,
        ...position([]),
        message: 'no kind: add a "kind" field or pass --kind',
      },
    ];
  }
  const model: AnyModel | undefined = modelForKind(kind);
  if (model === undefined) {
    return [
      {
        code: 'unknown_kind',
        level: 'syntax',
        severity: 'error',
        path: `${prefix}/kind`,
        ...position(['kind']),
        message: `unknown kind "${kind}"`,
      },
    ];
  }
  const { kind: _kind, ...body } = record;
  const result = model.safeParse(kindOption === undefined ? body : record);
  if (result.success) return [];
  const error = result.error;
  if (!(error instanceof ValidationError)) throw error;
  return error.issues.map((issue) => ({
    code: issue.code,
    level: 'syntax',
    severity: 'error' as const,
    path: `${prefix}${issue.pointer}`,
    ...position(issue.path),
    message: issue.message,
  }));
}

/** Rule-file issue codes that are about the file's shape rather than its meaning. */
const SYNTAX_RULE_CODES: ReadonlySet<string> = new Set([
  'yaml_syntax',
  'duplicate_key',
  'unknown_field',
  'invalid_type',
]);

const PROMETHEUS_KINDS: ReadonlySet<string> = new Set([
  'prometheus-rules',
  'prometheus_rules',
  'PrometheusRules',
]);

/** A Prometheus rule file: asked for by --kind, or a kind-less mapping with `groups`. */
function isPrometheusRuleFile(docs: readonly SourceDocument[], kind: string | undefined): boolean {
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

/** Validates one file; never throws for bad content. */
export async function validateFile(
  path: string,
  options: ValidateOptions,
  displayPath = path,
): Promise<FileReport> {
  const format = options.from ?? formatOf(path);
  if (format === undefined)
    throw new UsageError(`cannot tell the format of ${displayPath}: use --from json|yaml`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${displayPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
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
            code: 'syntax_error',
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
  if (isPrometheusRuleFile(docs, options.kind)) {
    const checked = checkRuleFile(text);
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
  const issues = docs
    .flatMap((doc) => documentIssues(doc, docs.length > 1, options.kind))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { path: displayPath, valid: !issues.some((i) => i.severity === 'error'), issues };
}

function renderText(report: ValidateReport, color: boolean): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) =>
    color ? styleText(style, text) : text;
  const lines: string[] = [];
  for (const file of report.files) {
    lines.push(
      `${paint('bold', file.path)} ${file.valid ? paint('green', 'valid') : paint('red', 'invalid')}`,
    );
    for (const issue of file.issues) {
      const where =
        issue.line === undefined ? file.path : `${file.path}:${issue.line}:${issue.column ?? 1}`;
      const sev =
        issue.severity === 'error'
          ? paint('red', 'error')
          : issue.severity === 'warning'
            ? paint('yellow', 'warning')
            : paint('blue', 'info');
      lines.push(
        `  ${where} ${issue.level} ${sev} ${issue.code} ${issue.path === '' ? '' : `${issue.path} `}${issue.message}`,
      );
    }
  }
  const s = report.summary;
  lines.push('', `${s.files} file(s), ${s.errors} error(s), ${s.warnings} warning(s)`);
  return `${lines.join('\n')}\n`;
}

/**
 * `alertbase validate <paths...>`: validates documents, prints a report,
 * returns the exit code (0 valid, 1 errors, 2 usage or unreadable file).
 */
export async function runValidate(
  paths: readonly string[],
  options: ValidateOptions,
  io: CliIo,
): Promise<number> {
  if (paths.length === 0) throw new UsageError('give at least one file or folder');
  const files: FileReport[] = [];
  for await (const path of collect(paths, io.cwd, options.from)) {
    files.push(await validateFile(path, options, relative(io.cwd, path) || path));
  }
  const count = (sev: Severity) =>
    files.reduce((n, f) => n + f.issues.filter((i) => i.severity === sev).length, 0);
  const report: ValidateReport = {
    files,
    summary: { files: files.length, errors: count('error'), warnings: count('warning') },
  };
  if (options.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    io.stdout.write(renderText(report, io.stdout.isTTY === true && io.env.NO_COLOR === undefined));
  return report.summary.errors > 0 ? EXIT.invalid : EXIT.ok;
}
