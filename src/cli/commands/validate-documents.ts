/**
 * The checks of alertbase documents for `alertbase validate`: each document's
 * model found by its kind, validated through the levels with the settings of
 * the configuration. Imported by the command only when a file holds a
 * document that is not a rule file or an Alertmanager configuration; the
 * domain models, the validators and the configuration are imported, and the
 * configuration read, only when a document names a kind (a document that is
 * not a mapping, or has no kind, is reported without them).
 */
import { toJsonPointer } from '../../base/exceptions/index.js';
import type { AnyModel } from '../../base/types/model.js';
import type { ValidationLevel, Validator } from '../../base/validators/index.js';
import type { SourceDocument } from '../documents.js';
import type { CliIo } from '../io.js';
import { createLocator } from '../source-map.js';
import type { ReportedIssue, ValidateOptions } from './validate.js';

/** Checks one document of a file (`multi`: the file has several; paths are prefixed by its index). */
export type DocumentChecker = (doc: SourceDocument, multi: boolean) => Promise<ReportedIssue[]>;

/** What checking the documents of one run shares. */
interface DocumentContext {
  readonly kind: string | undefined;
  readonly upTo: ValidationLevel | undefined;
  /** The model a kind names and its validator, or undefined for an unknown kind. */
  modelFor(kind: string): Promise<{ model: AnyModel; validator: Validator } | undefined>;
}

/** `/labels/a~1b` → `['labels', 'a/b']`, numbers for array indexes. */
function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((p) => (/^(0|[1-9][0-9]*)$/.test(p) ? Number(p) : p));
}

/** The issues of one alertbase document (a mapping with a kind, or `--kind`). */
async function documentIssues(
  doc: SourceDocument,
  multi: boolean,
  ctx: DocumentContext,
): Promise<ReportedIssue[]> {
  const prefix = multi ? `/${doc.index}` : '';
  // Built on first use: most documents have nothing to point at.
  let locate: ReturnType<typeof createLocator> | undefined;
  const position = (path: readonly (string | number)[]) => {
    locate ??= createLocator(doc.text);
    const pos = locate(path);
    return pos === undefined ? {} : { line: pos.line + doc.firstLine - 1, column: pos.column };
  };
  const syntax = (
    code: string,
    path: readonly (string | number)[],
    message: string,
  ): ReportedIssue[] => [
    {
      code,
      level: 'syntax',
      severity: 'error',
      path: `${prefix}${toJsonPointer(path)}`,
      ...position(path),
      message,
    },
  ];
  const value = doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return syntax('invalid_document', [], 'expected a mapping with a kind');
  }
  const record = value as Record<string, unknown>;
  const kind = ctx.kind ?? (typeof record.kind === 'string' ? record.kind : undefined);
  if (kind === undefined)
    return syntax('unknown_kind', [], 'no kind: add a "kind" field or pass --kind');
  const found = await ctx.modelFor(kind);
  if (found === undefined) return syntax('unknown_kind', ['kind'], `unknown kind "${kind}"`);
  const { kind: _kind, ...body } = record;
  const result = await found.validator.validate(ctx.kind === undefined ? body : record, {
    ...(ctx.upTo === undefined ? {} : { upTo: ctx.upTo }),
  });
  const json = result.toJSON();
  const findings = [...json.errors, ...json.warnings, ...json.infos];
  const issues: ReportedIssue[] = findings.map((f) => {
    const within = f.line === undefined ? '' : ` (at ${f.line}:${f.column ?? 1} of the value)`;
    return {
      code: f.code,
      level: f.level,
      severity: f.severity,
      path: `${prefix}${f.path}`,
      ...position(pointerToPath(f.path)),
      message: f.message.includes('line') ? f.message : `${f.message}${within}`,
    };
  });
  for (const [severity, count] of Object.entries(json.omitted)) {
    if (count > 0) {
      issues.push({
        code: 'more_issues',
        level: 'syntax',
        severity: severity === 'errors' ? 'error' : severity === 'warnings' ? 'warning' : 'info',
        path: prefix,
        message: `${count} more ${severity} not shown (--max-errors)`,
      });
    }
  }
  return issues;
}

/** What validating documents needs: the models, the validators and the configuration's settings. */
async function loadValidation(options: ValidateOptions, io: CliIo) {
  const [{ modelForKind }, { createValidator }, { loadConfig, validationCacheOf }, domain] =
    await Promise.all([
      import('../models.js'),
      import('../../base/validators/index.js'),
      import('../../config/index.js'),
      import('../../domain/index.js'),
    ]);
  const { config } = await loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  const settings = {
    strict: options.strict ?? config.validation.strictMode,
    maxErrors: options.maxErrors ?? config.validation.maxErrors,
    cache: validationCacheOf(config),
  } as const;
  const validators = new Map<string, Validator>();
  return (kind: string): { model: AnyModel; validator: Validator } | undefined => {
    const model = modelForKind(kind);
    if (model === undefined) return undefined;
    let validator = validators.get(model.name);
    if (validator === undefined) {
      // A routing tree also gets its own semantic and consistency checks.
      validator =
        model.name === domain.RoutingTree.name
          ? domain.createRoutingTreeValidator(settings)
          : createValidator({ model, ...settings });
      validators.set(model.name, validator);
    }
    return { model, validator };
  };
}

/**
 * The document checker of one run. The configuration (its validation
 * settings, unless the options give them) is read, and a validator built per
 * model, when the first document names a kind.
 */
export function createDocumentChecker(options: ValidateOptions, io: CliIo): DocumentChecker {
  let validation: ReturnType<typeof loadValidation> | undefined;
  const ctx: DocumentContext = {
    kind: options.kind,
    upTo: options.level,
    async modelFor(kind) {
      validation ??= loadValidation(options, io);
      return (await validation)(kind);
    },
  };
  return (doc, multi) => documentIssues(doc, multi, ctx);
}
