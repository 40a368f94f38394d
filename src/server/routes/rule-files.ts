/**
 * Rules beyond CRUD: `POST /v1/rules/validate` (the five-level report, a dry
 * run), `POST /v1/rules/import` (a Prometheus rule file) and
 * `GET /v1/rules/export?format=prometheus`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DECODE_LIMITS } from '../../base/constants.js';
import { SerializationError, ValidationError } from '../../base/exceptions/index.js';
import {
  decompress,
  FORMAT_MIME_TYPES,
  formatFromMimeType,
  negotiateFormat,
} from '../../base/serializers/index.js';
import type { ConsistencyLookup, Validator } from '../../base/validators/index.js';
import { createValidator, VALIDATION_LEVELS } from '../../base/validators/index.js';
import { validationCacheOf } from '../../config/index.js';
import { AlertRule } from '../../domain/index.js';
import {
  alertRulesToRuleFile,
  checkRuleFile,
  formatRuleFile,
  ruleFileToAlertRules,
} from '../../interop/prometheus/index.js';
import { observeValidator } from '../../observability/index.js';
import { bindTenant, type TenantPrincipal, tenantOf } from '../auth.js';
import { send } from '../wire.js';
import type { RouteContext } from './context.js';
import { boolParam } from './helpers.js';
import { component, modelBody, problem, textBody } from './schemas.js';

const Level = z.enum(VALIDATION_LEVELS);

/** A finding of the validator (`ValidationFinding`). */
const Finding = z.object({
  code: z.string(),
  level: Level,
  severity: z.enum(['error', 'warning', 'info']),
  path: z.string().describe('JSON pointer; empty: the document'),
  message: z.string(),
  line: z.int().optional(),
  column: z.int().optional(),
  check: z.string().optional(),
  fragment: z.string().optional(),
  sensitivity: z.string().optional(),
  promoted: z.literal(true).optional(),
});

/** The validation report (`ValidationResult.toJSON()`). */
const ValidationReport = component(
  z.object({
    valid: z.boolean(),
    errors: z.array(Finding),
    warnings: z.array(Finding),
    infos: z.array(Finding),
    omitted: z.object({ errors: z.int(), warnings: z.int(), infos: z.int() }),
    skipped: z.array(Level),
    timings: z.partialRecord(Level, z.number()).optional(),
  }),
  'ValidationReport',
);

/** An issue of an import (`RuleFileIssue`, positioned when the file gave one). */
const ImportIssue = z.object({
  pointer: z.string(),
  code: z.string(),
  detail: z.string(),
  line: z.int().optional(),
  column: z.int().optional(),
});

/** A Prometheus rule file as the export writes it (alerting rules only). */
const ExportedRuleFile = component(
  z
    .object({
      groups: z.array(
        z.object({
          name: z.string(),
          interval: z.string().optional(),
          rules: z.array(
            z.object({
              alert: z.string(),
              expr: z.string(),
              for: z.string().optional(),
              keep_firing_for: z.string().optional(),
              labels: z.record(z.string(), z.string()).optional(),
              annotations: z.record(z.string(), z.string()).optional(),
            }),
          ),
        }),
      ),
    })
    .meta({ description: 'A Prometheus rule file (YAML), as `promtool check rules` reads it' }),
  'PrometheusRuleFile',
);

/** The answer of `POST /v1/rules/import`. */
const RuleImport = component(
  z.object({
    counts: z.object({ created: z.int(), updated: z.int(), rejected: z.int() }),
    items: z.array(
      z.union([
        z.object({
          name: z.string(),
          group: z.string().nullable().optional(),
          result: z.enum(['created', 'updated']),
          id: z.string(),
        }),
        z.object({ result: z.literal('rejected'), errors: z.array(ImportIssue) }),
      ]),
    ),
    warnings: z.array(ImportIssue),
  }),
  'RuleFileImport',
);

/** Tables of the models the consistency level asks about. */
const TABLES: Readonly<Record<string, string>> = {
  AlertRule: 'alert_rules',
  Alert: 'alerts',
  NotificationChannel: 'notification_channels',
  Silence: 'silences',
  ApiKey: 'api_keys',
};

/**
 * The consistency lookup of one caller: it sees only the caller's tenant, so
 * another tenant's ids are reported missing (never revealed).
 */
export function lookupFor(ctx: RouteContext, tenantId: string): ConsistencyLookup {
  const tableOf = (kind: string): string | undefined => TABLES[kind];
  return {
    async findEntities(kind, ids) {
      const table = tableOf(kind);
      if (table === undefined || ids.length === 0) return [];
      return ctx.db.withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `SELECT id FROM ${table} WHERE tenant_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL`,
          [tenantId, [...ids]],
        );
        return rows.map((r) => ({ id: r.id, tenantId }));
      });
    },
    async findIdByName(kind, tenant, name) {
      const table = tableOf(kind);
      if (
        table === undefined ||
        tenant !== tenantId ||
        !['alert_rules', 'notification_channels', 'api_keys'].includes(table)
      ) {
        return undefined;
      }
      return ctx.db.withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `SELECT id FROM ${table} WHERE tenant_id = $1 AND name = $2 AND deleted_at IS NULL LIMIT 1`,
          [tenantId, name],
        );
        return rows[0]?.id;
      });
    },
    async countEntities(kind, tenant) {
      const table = tableOf(kind);
      if (table === undefined || tenant !== tenantId) return 0;
      return ctx.db.withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 AND deleted_at IS NULL`,
          [tenantId],
        );
        return rows[0]?.n ?? 0;
      });
    },
  };
}

/** The caller's tenant as the validators see it. */
async function tenantContext(ctx: RouteContext, who: TenantPrincipal) {
  const tenant = await ctx.tenants.get(who.tenantId);
  return {
    id: who.tenantId,
    ...(tenant === undefined
      ? {}
      : {
          tier: tenant.tier,
          settings: {
            levelPriorities: tenant.settings.levelPriorities,
            allowPrivateNetworks: tenant.settings.allowPrivateNetworks,
          },
        }),
  };
}

const ExportQuery = z.object({
  format: z.literal('prometheus').default('prometheus'),
  include_disabled: boolParam.optional().describe('Export disabled rules too'),
});

/** Reads every rule of a tenant (export, import by name). */
async function allRules(ctx: RouteContext, tenantId: string): Promise<AlertRule[]> {
  const rules: AlertRule[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.repos.alertRules.list(tenantId, {
      limit: 1_000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    rules.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rules;
}

/** The text of a rule-file body: YAML (or JSON, a subset), possibly gzip/brotli-encoded. */
/** @internal A YAML (or JSON) document sent as the raw body, decompressed, as text. */
export function yamlBodyText(request: FastifyRequest, bytes: Buffer, maxBytes: number): string {
  const format = formatFromMimeType(request.headers['content-type'] ?? '');
  if (format !== 'yaml' && format !== 'json') {
    throw new SerializationError('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT', {
      format: request.headers['content-type'] ?? '',
      supported: `${FORMAT_MIME_TYPES.yaml}, ${FORMAT_MIME_TYPES.json}`,
    });
  }
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  const plain = decompress(
    bytes,
    format,
    maxBytes,
    encoding === 'gzip' || encoding === 'br' ? encoding : undefined,
  );
  return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('utf8');
}

/** Registers validate, import and export. `bodyLimit` caps the rule file. */
export function ruleFileRoutes(scope: FastifyInstance, ctx: RouteContext, bodyLimit: number): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  let validator: Validator | undefined;
  const validatorOf = (): Validator => {
    if (validator === undefined) {
      validator = createValidator({
        model: AlertRule,
        strict: ctx.config.validation.strictMode,
        maxErrors: ctx.config.validation.maxErrors,
        cache: validationCacheOf(ctx.config),
      });
      if (ctx.metrics !== undefined) observeValidator(validator, ctx.metrics);
    }
    return validator;
  };

  api.post(
    '/v1/rules/validate',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['rules'],
        summary: 'Validate a rule through the five levels (dry run: nothing is stored)',
        body: modelBody(AlertRule),
        response: {
          200: ValidationReport,
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const document = bindTenant(request.body ?? {}, who.tenantId);
      const result = await validatorOf().validate(document, {
        tenant: await tenantContext(ctx, who),
        lookup: lookupFor(ctx, who.tenantId),
        operation: 'create',
      });
      return send(reply, 200, result.toJSON(), ctx.serializer);
    },
  );

  // Untyped reply: the answer is the file's text, which the schema describes decoded.
  scope.get(
    '/v1/rules/export',
    {
      config: { requires: 'read' },
      schema: {
        tags: ['rules'],
        summary: 'Export the rules as a Prometheus rule file (YAML)',
        querystring: ExportQuery,
        response: {
          200: {
            description: 'A Prometheus rule file',
            content: { [FORMAT_MIME_TYPES.yaml]: { schema: ExportedRuleFile } },
          },
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const q = request.query as z.output<typeof ExportQuery>;
      negotiateFormat(request.headers.accept, ['yaml']);
      const rules = await allRules(ctx, who.tenantId);
      const text = formatRuleFile(
        alertRulesToRuleFile(rules, { includeDisabled: q.include_disabled === true }),
      );
      return reply
        .code(200)
        .header('content-type', `${FORMAT_MIME_TYPES.yaml}; charset=utf-8`)
        .header('content-disposition', 'attachment; filename="alertbase-rules.yml"')
        .send(text);
    },
  );

  // The import reads the rule file's text itself (for line and column
  // positions), so it lives in its own scope with a raw-bytes parser.
  api.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
    raw.withTypeProvider<ZodTypeProvider>().post(
      '/v1/rules/import',
      {
        config: { requires: 'rules:write' },
        schema: {
          tags: ['rules'],
          summary:
            'Import a Prometheus rule file (application/yaml), in one transaction: creates new rules, updates those of the same name',
          consumes: [FORMAT_MIME_TYPES.yaml],
          body: textBody('A Prometheus rule file (YAML, or JSON)'),
          response: {
            200: RuleImport,
            422: problem('The file is not a rule file (every issue, with its line and column)'),
          },
        },
      },
      async (request, reply) => {
        const who = tenantOf(request);
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const checked = checkRuleFile(yamlBodyText(request, bytes, bodyLimit));
        const bomb = checked.errors.find((e) => e.code === 'excessive_aliasing');
        if (bomb !== undefined) {
          throw new SerializationError('ALERTBASE_SERIALIZATION_EXCESSIVE_ALIASING', {
            format: 'yaml',
            limit: DECODE_LIMITS.maxYamlAliases,
            line: bomb.line,
            column: bomb.column,
          });
        }
        if (checked.file === undefined)
          throw new ValidationError('PrometheusRuleFile', checked.errors);
        const tenant = await ctx.tenants.get(who.tenantId);
        const converted = ruleFileToAlertRules(checked.file, {
          tenantId: who.tenantId,
          ...(tenant === undefined ? {} : { priorityOverrides: tenant.settings.levelPriorities }),
        });
        const existing = new Map((await allRules(ctx, who.tenantId)).map((r) => [r.name, r]));
        const counts = { created: 0, updated: 0, rejected: 0 };
        const items: Record<string, unknown>[] = [];
        // One transaction: a failure part-way (a name taken twice, a lost
        // connection) stores none of the file's rules.
        await ctx.db.withTenant(who.tenantId, async (transaction) => {
          for (const rule of converted.rules) {
            const fields = {
              name: rule.name,
              level: rule.level,
              priority: rule.priority,
              condition: rule.condition,
              for: rule.for,
              keepFiringFor: rule.keepFiringFor,
              group: rule.group,
              groupInterval: rule.groupInterval,
              labels: rule.labels,
              annotations: rule.annotations,
            };
            const current = existing.get(rule.name);
            const stored =
              current === undefined
                ? await ctx.repos.alertRules.create(who.tenantId, fields, who.actor, {
                    transaction,
                  })
                : await ctx.repos.alertRules.update(who.tenantId, current.id, fields, who.actor, {
                    transaction,
                  });
            const result = current === undefined ? 'created' : 'updated';
            counts[result]++;
            items.push({ name: stored.name, group: stored.group, result, id: stored.id });
          }
        });
        const issue = (i: (typeof converted.issues)[number]) => ({
          pointer: i.pointer,
          code: i.code,
          detail: i.message,
          ...(i.line > 0 ? { line: i.line, column: i.column } : {}),
        });
        const rejected = converted.issues.filter((i) => i.severity === 'error');
        const byRule = new Map<string, typeof rejected>();
        for (const i of rejected) {
          const key = i.path.slice(0, 4).join('/');
          byRule.set(key, [...(byRule.get(key) ?? []), i]);
        }
        for (const [, issues] of byRule) {
          counts.rejected++;
          items.push({ result: 'rejected', errors: issues.map(issue) });
        }
        const warnings = [
          ...checked.warnings,
          ...converted.issues.filter((i) => i.severity !== 'error'),
        ];
        return send(reply, 200, { counts, items, warnings: warnings.map(issue) }, ctx.serializer);
      },
    );
  });
}
