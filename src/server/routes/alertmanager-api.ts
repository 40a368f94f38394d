/**
 * Alertmanager's API v2 for reading alerts and for silences, so that
 * `amtool`, Grafana's Alertmanager data source and Karma work against
 * alertbase: `GET /api/v2/alerts`, `GET /api/v2/alerts/groups`,
 * `GET|POST /api/v2/silences`, `GET|DELETE /api/v2/silence/{id}`,
 * `GET /api/v2/status`, `GET /api/v2/receivers`. Shapes, filters and
 * status codes are Alertmanager 0.25's (`api/v2/openapi.yaml`); the tenant
 * comes from the key, as everywhere.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../base/exceptions/index.js';
import type { InhibitRule } from '../../domain/inhibit-rule.js';
import { inhibitedBy } from '../../domain/inhibition.js';
import { type Matcher, MatcherSyntaxError, parseMatcher } from '../../domain/matchers.js';
import {
  type AlertQuery,
  alertmanagerConfigYaml,
  compileFilter,
  compileReceiver,
  DEFAULT_RECEIVER,
  type GettableAlert,
  passesAlertQuery,
  silenceHasMatchers,
  sortSilences,
  toAlertGroups,
  toGettableAlert,
  toGettableSilence,
} from '../../interop/alertmanager/api-v2.js';
import { readOpenAlerts } from '../../storage/repositories/index.js';
import { bindTenant, tenantOf } from '../auth.js';
import { withinQuota } from '../quotas.js';
import { send } from '../wire.js';
import {
  AlertmanagerAlertGroup,
  AlertmanagerAlertQuery,
  AlertmanagerGettableAlert,
  AlertmanagerGettableSilence,
  AlertmanagerPostableSilence,
  AlertmanagerReceiver,
  AlertmanagerSilenceCreated,
  AlertmanagerSilenceQuery,
  AlertmanagerStatus,
  MAX_FILTER_MATCHERS,
} from './alertmanager-api-schemas.js';
import type { RouteContext } from './context.js';
import { IdParams, idOf } from './helpers.js';
import { NO_CONTENT, problem } from './schemas.js';

/** How long an expired silence is still listed (Alertmanager's default retention). */
const SILENCE_RETENTION_MS = 5 * 24 * 3_600_000;
/** Most silences `GET /api/v2/silences` returns. */
const MAX_LISTED_SILENCES = 10_000;
/** Most inhibition rules a tenant's view applies. */
const MAX_INHIBIT_RULES = 1_000;

/** The version alertbase reports: the Alertmanager API level it implements. */
const API_VERSION = '0.25.0';
const STARTED = new Date();

function queryIssue(name: string, message: string): ValidationError {
  return new ValidationError(
    'QueryString',
    [{ path: [name], pointer: `/${name}`, code: 'invalid_query', message }],
    { badRequest: true },
  );
}

/** Alertmanager answers invalid input with 400, where alertbase's own API says 422. */
async function as400<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ValidationError && err.status === 422) {
      throw new ValidationError(String(err.context.model), err.issues, {
        badRequest: true,
        cause: err,
      });
    }
    throw err;
  }
}

/** A query parameter as a list (repeated or single). */
function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Go's `strconv.ParseBool`, as go-openapi reads boolean query parameters. */
function boolOf(query: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const text = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw);
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  throw queryIssue(name, `${name} in query must be of type boolean: "${text}"`);
}

/** `filter` parameters, each one matcher (`alertname="x"`). */
function filterOf(query: Record<string, unknown>): Matcher[] {
  const texts = listOf(query.filter);
  if (texts.length > MAX_FILTER_MATCHERS) {
    throw queryIssue('filter', `at most ${MAX_FILTER_MATCHERS} filter matchers`);
  }
  return texts.map((text) => {
    try {
      return parseMatcher(text);
    } catch (err) {
      if (err instanceof MatcherSyntaxError) throw queryIssue('filter', err.message);
      throw err;
    }
  });
}

function alertQueryOf(request: FastifyRequest): AlertQuery {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const receivers = listOf(query.receiver);
  let receiver: AlertQuery['receiver'];
  if (receivers.length > 0) {
    try {
      receiver = compileReceiver(receivers[receivers.length - 1] as string);
    } catch (err) {
      throw queryIssue('receiver', `failed to parse receiver param: ${String(err)}`);
    }
  }
  return {
    active: boolOf(query, 'active', true),
    silenced: boolOf(query, 'silenced', true),
    inhibited: boolOf(query, 'inhibited', true),
    filter: compileFilter(filterOf(query)),
    receiver,
  };
}

async function inhibitRulesOf(ctx: RouteContext, tenantId: string): Promise<InhibitRule[]> {
  const page = await ctx.repos.inhibitRules.list(tenantId, { limit: MAX_INHIBIT_RULES });
  return [...page.items];
}

/**
 * The tenant's unresolved alerts in Alertmanager's shape, with
 * `silencedBy` and `inhibitedBy` computed now, as Alertmanager computes
 * them when it lists alerts; in fingerprint order.
 */
async function gettableAlerts(ctx: RouteContext, tenantId: string): Promise<GettableAlert[]> {
  const now = ctx.now();
  const [rows, silences, rules] = await Promise.all([
    readOpenAlerts(ctx.db, tenantId, now),
    ctx.repos.silences.current(tenantId),
    inhibitRulesOf(ctx, tenantId),
  ]);
  const inhibited = rules.length === 0 ? undefined : inhibitedBy(rules, rows);
  const at = now.getTime();
  return rows.map((r) =>
    toGettableAlert({
      fingerprint: r.fingerprint,
      labels: r.labels,
      annotations: r.annotations,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      updatedAt: r.last_received_at,
      generatorURL: r.generator_url,
      silencedBy: silences.empty ? [] : silences.silencedBy(r.labels, at),
      inhibitedBy: inhibited?.get(r.fingerprint) ?? [],
    }),
  );
}

/** The 400 of a query read the Go way, as Alertmanager answers it. */
const alertQueryError = problem(
  "A query Alertmanager refuses: a boolean that is not one of Go's, a `filter` matcher that " +
    `does not parse (or more than ${MAX_FILTER_MATCHERS}), a \`receiver\` that does not compile`,
);
const unknownSilence = problem('No silence of the tenant has this id');
const TAGS = ['alertmanager'];

/** Registers the Alertmanager API v2 read and silence routes. */
export function alertmanagerApiRoutes(api: FastifyInstance, ctx: RouteContext): void {
  const alertRoutes = [
    [
      '/api/v2/alerts',
      "the tenant's unresolved alerts, filtered",
      (a: GettableAlert[]) => a,
      z.array(AlertmanagerGettableAlert),
    ],
    [
      '/api/v2/alerts/groups',
      'alerts by route group',
      toAlertGroups,
      z.array(AlertmanagerAlertGroup),
    ],
  ] as const;
  for (const [path, summary, shape, answer] of alertRoutes) {
    api.get(
      path,
      {
        config: { requires: 'read' },
        schema: {
          tags: TAGS,
          summary: `Alertmanager API v2: ${summary}`,
          querystring: AlertmanagerAlertQuery,
          response: { 200: answer, 400: alertQueryError },
        },
      },
      async (request, reply) => {
        const who = tenantOf(request);
        const query = alertQueryOf(request);
        const alerts = (await gettableAlerts(ctx, who.tenantId)).filter((a) =>
          passesAlertQuery(a, query),
        );
        return send(reply, 200, shape(alerts), ctx.serializer);
      },
    );
  }

  api.get(
    '/api/v2/silences',
    {
      config: { requires: 'read' },
      schema: {
        tags: TAGS,
        summary: 'Alertmanager API v2: silences',
        querystring: AlertmanagerSilenceQuery,
        response: {
          200: z.array(AlertmanagerGettableSilence),
          400: problem(
            `A \`filter\` matcher that does not parse, or more than ${MAX_FILTER_MATCHERS}`,
          ),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const filter = filterOf((request.query ?? {}) as Record<string, unknown>);
      const now = ctx.now();
      const silences = await ctx.repos.silences.recent(
        who.tenantId,
        new Date(now.getTime() - SILENCE_RETENTION_MS),
        MAX_LISTED_SILENCES,
      );
      const listed = silences
        .filter((s) => silenceHasMatchers(s, filter))
        .map((s) => toGettableSilence(s, now.getTime()));
      return send(reply, 200, sortSilences(listed), ctx.serializer);
    },
  );

  api.post(
    '/api/v2/silences',
    {
      config: { requires: 'silences:write' },
      schema: {
        tags: TAGS,
        summary: 'Alertmanager API v2: create a silence, or update one by `id`',
        body: AlertmanagerPostableSilence,
        response: {
          200: AlertmanagerSilenceCreated,
          400: problem(
            'A silence Alertmanager refuses (every issue with its pointer): no matchers, a ' +
              'matcher that does not parse or matches every alert, a time that is not RFC 3339, ' +
              'an end before the start or in the past, no `createdBy` or `comment`; or a body ' +
              'that is not an object',
          ),
          403: problem(
            "The key's role may not write silences, or the tenant's silence quota is spent " +
              '(`quota`, `limit`, `current`)',
          ),
          404: problem('The `id` names no silence of the tenant'),
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const body = bindTenant(request.body, who.tenantId);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ValidationError(
          'Silence',
          [{ path: [], pointer: '', code: 'invalid_type', message: 'expected a silence object' }],
          { badRequest: true },
        );
      }
      // A body without an id creates a silence (with one, it replaces that silence).
      const id = (body as { id?: unknown }).id;
      const creates = id === undefined || id === null || id === '';
      const silenceID = await as400(() =>
        withinQuota(ctx, who.tenantId, creates ? 'silences' : undefined, (options) =>
          ctx.repos.silences.put(who.tenantId, body as never, who.actor, options),
        ),
      );
      return send(reply, 200, { silenceID }, ctx.serializer);
    },
  );

  api.get(
    '/api/v2/silence/:id',
    {
      config: { requires: 'read' },
      schema: {
        tags: TAGS,
        summary: 'Alertmanager API v2: a silence',
        params: IdParams,
        response: { 200: AlertmanagerGettableSilence, 404: unknownSilence },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const silence = await ctx.repos.silences.get(who.tenantId, idOf(request));
      return send(reply, 200, toGettableSilence(silence, ctx.now().getTime()), ctx.serializer);
    },
  );

  api.delete(
    '/api/v2/silence/:id',
    {
      config: { requires: 'silences:write' },
      schema: {
        tags: TAGS,
        summary: 'Alertmanager API v2: expire a silence',
        params: IdParams,
        response: {
          200: {
            ...NO_CONTENT,
            description: 'Expired (or it had ended): no body, as Alertmanager',
          },
          404: unknownSilence,
        },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      await ctx.repos.silences.expire(who.tenantId, idOf(request), who.actor);
      return reply.code(200).send();
    },
  );

  api.get(
    '/api/v2/receivers',
    {
      config: { requires: 'read' },
      schema: {
        tags: TAGS,
        summary: 'Alertmanager API v2: receivers',
        response: { 200: z.array(AlertmanagerReceiver) },
      },
    },
    async (_request, reply) => send(reply, 200, [{ name: DEFAULT_RECEIVER }], ctx.serializer),
  );

  api.get(
    '/api/v2/status',
    {
      config: { requires: 'read' },
      schema: {
        tags: TAGS,
        summary: "Alertmanager API v2: status, with the tenant's configuration",
        response: { 200: AlertmanagerStatus },
      },
    },
    async (request, reply) => {
      const who = tenantOf(request);
      const rules = await inhibitRulesOf(ctx, who.tenantId);
      return send(
        reply,
        200,
        {
          cluster: { peers: [], status: 'disabled' },
          config: { original: alertmanagerConfigYaml(rules) },
          uptime: STARTED.toISOString(),
          versionInfo: {
            branch: 'alertbase',
            buildDate: '',
            buildUser: 'alertbase',
            goVersion: `node${process.versions.node}`,
            revision: 'alertbase',
            version: API_VERSION,
          },
        },
        ctx.serializer,
      );
    },
  );
}
