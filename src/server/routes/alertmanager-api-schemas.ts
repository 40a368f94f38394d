/**
 * The shapes of Alertmanager 0.25's API v2 (`api/v2/openapi.yaml`) as the
 * routes of `alertmanager-api.ts` send and read them. Its definitions
 * (`gettableAlert`, `alertGroup`, `gettableSilence`, `postableSilence`,
 * `alertmanagerStatus`, `receiver`, `matcher`) are components of the
 * document under the name `Alertmanager…`: the same properties, types and
 * enums, required where Alertmanager requires them and wherever alertbase
 * always sends them, with alertbase's own bounds (ids, fingerprints,
 * matchers) where it has them. amtool and Grafana read these answers.
 *
 * The queries are read by the handlers the Go way (go-openapi's booleans,
 * matchers, 400 as Alertmanager answers): their schemas here document them
 * and are left to the handlers (`validatedByHandler`), as is the silence body.
 */
import { z } from 'zod';
import { LIMITS } from '../../base/constants.js';
import { Fingerprint, Id } from '../../base/types/fields.js';
import { Matcher } from '../../domain/matchers.js';
import { Silence } from '../../domain/silence.js';
import { validatedByHandler } from '../route-validation.js';
import { component } from './schemas.js';

/** Most `filter` matchers a query takes (400 beyond). */
export const MAX_FILTER_MATCHERS = 64;

/** `labelSet`: label (or annotation) names to values. */
const LabelSet = z.record(z.string(), z.string());

/** A time as the routes write it: RFC 3339, UTC, with milliseconds. */
const Time = z.iso.datetime();

/** `receiver`. */
export const AlertmanagerReceiver = component(
  z.object({ name: z.string() }).meta({
    title: 'receiver',
    description:
      "A receiver (Alertmanager's `receiver`). alertbase routes every alert to `default`.",
  }),
  'AlertmanagerReceiver',
);

/** `matcher`: one matcher of a silence (`isEqual` is true when left out of a request). */
export const AlertmanagerMatcher = component(
  Matcher.meta({
    title: 'matcher',
    description:
      "A matcher of a silence (Alertmanager's `matcher`): `isRegex` for `=~`/`!~` (RE2, " +
      'fully anchored), `isEqual: false` for `!=`/`!~`.',
  }),
  'AlertmanagerMatcher',
);

/** `gettableAlert`. */
export const AlertmanagerGettableAlert = component(
  z
    .object({
      labels: LabelSet,
      annotations: LabelSet,
      fingerprint: Fingerprint.describe("Alertmanager's fingerprint of the labels"),
      receivers: z.array(AlertmanagerReceiver),
      startsAt: Time,
      updatedAt: Time.describe('When the alert was last received'),
      endsAt: Time.describe(
        'Its end; for an alert stored without one, last received + 5 minutes (`resolve_timeout`)',
      ),
      status: z.object({
        state: z
          .enum(['unprocessed', 'active', 'suppressed'])
          .describe(
            '`suppressed` when silenced or inhibited, else `active`; alertbase processes an ' +
              'alert when it stores it, so never `unprocessed`',
          ),
        silencedBy: z.array(Id).describe('The ids of the silences that silence it'),
        inhibitedBy: z
          .array(Fingerprint)
          .describe('The fingerprints of the alerts that inhibit it'),
      }),
      generatorURL: z.url().optional().describe('Left out when the alert has none'),
    })
    .meta({
      title: 'gettableAlert',
      description: "An unresolved alert (Alertmanager's `gettableAlert`).",
    }),
  'AlertmanagerGettableAlert',
);

/** `alertGroup`. */
export const AlertmanagerAlertGroup = component(
  z
    .object({
      labels: LabelSet.describe("The group's labels (none without `group_by`)"),
      receiver: AlertmanagerReceiver,
      alerts: z.array(AlertmanagerGettableAlert),
    })
    .meta({
      title: 'alertGroup',
      description: "Alerts of one route group (Alertmanager's `alertGroup`); never empty.",
    }),
  'AlertmanagerAlertGroup',
);

/** A silence's matchers, as stored. */
const SilenceMatchers = z.array(AlertmanagerMatcher).min(1).max(LIMITS.maxSilenceMatchers);

/** `gettableSilence`. */
export const AlertmanagerGettableSilence = component(
  z
    .object({
      id: Id,
      status: z.object({
        state: z
          .enum(['expired', 'active', 'pending'])
          .describe('`pending` before `startsAt`, `expired` after `endsAt`'),
      }),
      updatedAt: Time,
      matchers: SilenceMatchers,
      startsAt: Time,
      endsAt: Time,
      createdBy: Silence.shape.createdBy,
      comment: Silence.shape.comment,
    })
    .meta({
      title: 'gettableSilence',
      description: "A silence (Alertmanager's `gettableSilence`).",
    }),
  'AlertmanagerGettableSilence',
);

/** `postableSilence`: the body of `POST /api/v2/silences`, checked by the silence model. */
export const AlertmanagerPostableSilence = component(
  validatedByHandler(
    z
      .object({
        id: z
          .string()
          .optional()
          .describe(
            'The id of a silence to update: updated in place when Alertmanager would (same ' +
              'matchers; an active one keeps its start), else expired and replaced; unknown: 404',
          ),
        matchers: SilenceMatchers,
        startsAt: z.iso
          .datetime({ offset: true })
          .describe('RFC 3339; a start in the past means now'),
        endsAt: z.iso.datetime({ offset: true }).describe('RFC 3339; after `startsAt` and now'),
        createdBy: Silence.shape.createdBy,
        comment: Silence.shape.comment,
      })
      .meta({
        title: 'postableSilence',
        description: "A silence to create or update (Alertmanager's `postableSilence`).",
        examples: [
          {
            matchers: [
              { name: 'alertname', value: 'HighCPUUsage', isRegex: false, isEqual: true },
              { name: 'instance', value: 'web-[0-9]+:9100', isRegex: true },
            ],
            startsAt: '2099-11-28T06:00:00Z',
            endsAt: '2099-11-28T08:00:00Z',
            createdBy: 'ops@acme.example',
            comment: 'Planned maintenance of the web tier',
          },
        ],
      }),
  ),
  'AlertmanagerPostableSilence',
);

/** The answer of `POST /api/v2/silences`. */
export const AlertmanagerSilenceCreated = component(
  z
    .object({
      silenceID: Id.describe('The silence that holds the input: the one updated, or a new one'),
    })
    .meta({ description: 'The answer of `POST /api/v2/silences`.' }),
  'AlertmanagerSilenceCreated',
);

/** `alertmanagerStatus`. */
export const AlertmanagerStatus = component(
  z
    .object({
      cluster: z.object({
        name: z.string().optional(),
        status: z
          .enum(['ready', 'settling', 'disabled'])
          .describe('`disabled`: alertbase instances share their database, not a gossip cluster'),
        peers: z.array(z.object({ name: z.string(), address: z.string() })),
      }),
      config: z.object({
        original: z
          .string()
          .describe(
            "The tenant's configuration in Alertmanager's YAML (route, receivers, inhibit_rules)",
          ),
      }),
      uptime: Time.describe('When this instance started'),
      versionInfo: z.object({
        version: z.string().describe('The Alertmanager API level implemented: 0.25.0'),
        revision: z.string(),
        branch: z.string(),
        buildUser: z.string(),
        buildDate: z.string(),
        goVersion: z.string().describe('The Node.js version (`node22.…`)'),
      }),
    })
    .meta({
      title: 'alertmanagerStatus',
      description: "The instance's status and the tenant's configuration (`alertmanagerStatus`).",
    }),
  'AlertmanagerStatus',
);

/** A boolean query parameter read as go-openapi reads it (Go's `strconv.ParseBool`). */
function goBool(what: string): z.ZodDefault<z.ZodBoolean> {
  return z
    .boolean()
    .default(true)
    .describe(
      `${what}. Go's booleans: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False ` +
        '(400 for another value).',
    );
}

/** `filter`: repeated matchers. */
const FilterParam = z
  .array(z.string())
  .max(MAX_FILTER_MATCHERS)
  .optional()
  .describe(
    'Matchers, e.g. `alertname="HighCPU"`, `severity=~"crit.*"`; repeat for several ' +
      `(at most ${MAX_FILTER_MATCHERS}; 400 for one that does not parse).`,
  );

/** The query of `GET /api/v2/alerts` and `GET /api/v2/alerts/groups`, read by the handler. */
export const AlertmanagerAlertQuery = validatedByHandler(
  z.object({
    active: goBool('Show active alerts'),
    silenced: goBool('Show silenced alerts'),
    inhibited: goBool('Show inhibited alerts'),
    unprocessed: goBool(
      'Accepted and without effect: alertbase processes an alert when it stores it',
    ),
    filter: FilterParam,
    receiver: z
      .string()
      .optional()
      .describe(
        'A regular expression (RE2, fully anchored) matching receiver names (400 if it does not ' +
          'compile); the last one counts when repeated.',
      ),
  }),
);

/** The query of `GET /api/v2/silences`, read by the handler. */
export const AlertmanagerSilenceQuery = validatedByHandler(
  z.object({
    filter: FilterParam.describe(
      'Matchers a silence must hold (the same name, operator and value), e.g. ' +
        `\`alertname="HighCPU"\`; repeat for several (at most ${MAX_FILTER_MATCHERS}; 400 for one ` +
        'that does not parse).',
    ),
  }),
);
