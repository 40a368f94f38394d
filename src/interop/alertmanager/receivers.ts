/**
 * An Alertmanager configuration's receiver → alertbase channel
 * configurations, so a team moving over keeps its integrations. What cannot
 * be carried over is reported with its path in the receiver and a code:
 *
 * - `file_reference`: a `*_file` field (a secret read from a file on the
 *   Alertmanager host): alertbase stores the value itself. Config not mapped.
 * - `unsupported_integration`: an integration alertbase has no channel type
 *   for (`pushover_configs`, `victorops_configs`, ...). Not mapped.
 * - `unsupported_field`: a field that changes how the integration behaves
 *   and alertbase cannot honour (TLS or proxy settings, PagerDuty's Events v1
 *   `service_key`, a templated severity, ...). Config not mapped.
 * - `ignored_field`: a template of the message text (`title`, `text`,
 *   `html`, ...): the config is mapped and alertbase's default text is used.
 * - `missing_field`: a required field absent (and not in `global`). Not mapped.
 * - Zod's own codes (`invalid_format`, `too_small`, ...) for a value the
 *   alertbase channel refuses, at the Alertmanager field's path. Not mapped.
 */
import { PAGERDUTY_SEVERITIES } from '../../base/enums/alert-level.js';
import { toJsonPointer, type ValidationIssue } from '../../base/exceptions/errors.js';
import { ChannelConfig, OPSGENIE_API_URLS } from '../../domain/notification-channel.js';

/** At most this many configs of one integration are read from one receiver. */
export const MAX_CONFIGS_PER_INTEGRATION = 100;

/** Options of {@link channelsFromAlertmanagerReceiver}. */
export interface ReceiverMappingOptions {
  /** The configuration's `global` section: `smtp_*`, `slack_api_url`, `opsgenie_api_*`, `pagerduty_url` fill what a receiver leaves out. */
  readonly global?: unknown;
}

/** The channels a receiver maps to, and what could not be mapped. */
export interface ReceiverMapping {
  readonly configs: ChannelConfig[];
  readonly issues: ValidationIssue[];
}

type Path = readonly (string | number)[];
type Obj = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);

const INTEGRATIONS = [
  'webhook_configs',
  'slack_configs',
  'pagerduty_configs',
  'opsgenie_configs',
  'msteams_configs',
  'email_configs',
] as const;
type Integration = (typeof INTEGRATIONS)[number];

/** Fields of each integration that only shape the text: mapped with a warning-like `ignored_field`. */
const TEXT_FIELDS: Readonly<Record<Integration, readonly string[]>> = {
  webhook_configs: [],
  slack_configs: [
    'title',
    'title_link',
    'text',
    'pretext',
    'fallback',
    'footer',
    'color',
    'username',
    'icon_emoji',
    'icon_url',
    'image_url',
    'thumb_url',
    'fields',
    'actions',
    'short_fields',
    'link_names',
    'mrkdwn_in',
    'callback_id',
  ],
  pagerduty_configs: [
    'description',
    'client',
    'client_url',
    'details',
    'images',
    'links',
    'component',
    'group',
    'class',
    'source',
  ],
  opsgenie_configs: [
    'message',
    'description',
    'source',
    'details',
    'entity',
    'actions',
    'tags',
    'note',
    'priority',
    'update_alerts',
  ],
  msteams_configs: ['title', 'summary', 'text'],
  email_configs: ['html', 'text', 'headers', 'hello'],
};

/** Fields of each integration alertbase maps (besides `send_resolved`). */
const MAPPED: Readonly<Record<Integration, readonly string[]>> = {
  webhook_configs: ['url', 'http_config', 'max_alerts'],
  slack_configs: ['api_url', 'channel', 'http_config'],
  pagerduty_configs: ['routing_key', 'service_key', 'url', 'severity', 'http_config'],
  opsgenie_configs: ['api_key', 'api_url', 'responders', 'http_config'],
  msteams_configs: ['webhook_url', 'http_config'],
  email_configs: [
    'to',
    'from',
    'smarthost',
    'auth_username',
    'auth_password',
    'auth_identity',
    'require_tls',
  ],
};

class Collector {
  readonly issues: ValidationIssue[] = [];
  add(path: Path, code: string, message: string): void {
    this.issues.push({ path, pointer: toJsonPointer(path), code, message });
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The bearer token of an `http_config`, or an issue for what cannot be carried over. */
function bearerOf(httpConfig: unknown, path: Path, out: Collector): string | null | undefined {
  if (httpConfig === undefined || httpConfig === null) return null;
  if (!isObject(httpConfig)) {
    out.add(path, 'invalid_type', 'expected an object');
    return undefined;
  }
  let token: string | null = null;
  let ok = true;
  for (const [key, value] of Object.entries(httpConfig)) {
    if (key === 'bearer_token' && typeof value === 'string') token = value;
    else if (key === 'authorization' && isObject(value)) {
      const type = str(value.type) ?? 'Bearer';
      if (value.credentials_file !== undefined) {
        out.add(
          [...path, key, 'credentials_file'],
          'file_reference',
          'store the credentials in alertbase instead of a file',
        );
        ok = false;
      } else if (type.toLowerCase() !== 'bearer') {
        out.add(
          [...path, key, 'type'],
          'unsupported_field',
          `only Bearer authorization is supported, not ${type}`,
        );
        ok = false;
      } else if (typeof value.credentials === 'string') token = value.credentials;
    } else if (key === 'bearer_token_file') {
      out.add([...path, key], 'file_reference', 'store the token in alertbase instead of a file');
      ok = false;
    } else if (key === 'follow_redirects' || key === 'enable_http2') {
      // alertbase follows no redirect (a redirect could lead past the destination check); HTTP/2 is transparent.
    } else {
      out.add(
        [...path, key],
        'unsupported_field',
        `http_config.${key} is not supported by alertbase channels`,
      );
      ok = false;
    }
  }
  return ok ? token : undefined;
}

/** Copies `send_resolved` when it is a boolean. */
const sendResolved = (raw: Obj): { sendResolved?: boolean } =>
  typeof raw.send_resolved === 'boolean' ? { sendResolved: raw.send_resolved } : {};

/** The input of one alertbase config, or undefined when the Alertmanager config cannot be mapped. */
function mapOne(
  integration: Integration,
  raw: Obj,
  global: Obj,
  path: Path,
  out: Collector,
): Record<string, unknown> | undefined {
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (key.endsWith('_file')) {
      out.add(
        [...path, key],
        'file_reference',
        `${key}: store the value in alertbase instead of a file`,
      );
      ok = false;
    } else if (TEXT_FIELDS[integration].includes(key)) {
      out.add(
        [...path, key],
        'ignored_field',
        `${key} is a text template; alertbase's default text is used`,
      );
    } else if (key !== 'send_resolved' && !MAPPED[integration].includes(key)) {
      out.add([...path, key], 'unsupported_field', `${key} is not supported by alertbase channels`);
      ok = false;
    }
  }
  const required = (key: string, value: unknown): string | undefined => {
    if (typeof value === 'string' && value !== '') return value;
    if (raw[`${key}_file`] === undefined)
      out.add([...path, key], 'missing_field', `${key} is required`);
    ok = false;
    return undefined;
  };
  switch (integration) {
    case 'webhook_configs': {
      const url = required('url', raw.url);
      const bearer = bearerOf(raw.http_config, [...path, 'http_config'], out);
      if (typeof raw.max_alerts === 'number' && raw.max_alerts > 0) {
        out.add(
          [...path, 'max_alerts'],
          'unsupported_field',
          'max_alerts is not supported; every alert of a group is sent',
        );
        ok = false;
      }
      if (!ok || bearer === undefined) return undefined;
      return { type: 'webhook', url, bearerToken: bearer, ...sendResolved(raw) };
    }
    case 'slack_configs': {
      const apiUrl = required('api_url', raw.api_url ?? global.slack_api_url);
      if (bearerOf(raw.http_config, [...path, 'http_config'], out) === undefined) ok = false;
      if (!ok) return undefined;
      return {
        type: 'slack',
        webhookUrl: apiUrl,
        ...(typeof raw.channel === 'string' && raw.channel !== '' ? { channel: raw.channel } : {}),
        ...sendResolved(raw),
      };
    }
    case 'pagerduty_configs': {
      if (raw.service_key !== undefined) {
        out.add(
          [...path, 'service_key'],
          'unsupported_field',
          'service_key is the Events API v1; use an Events API v2 routing_key',
        );
        ok = false;
      }
      const routingKey =
        raw.service_key === undefined ? required('routing_key', raw.routing_key) : undefined;
      const severity = str(raw.severity);
      const fixed =
        severity !== undefined && (PAGERDUTY_SEVERITIES as readonly string[]).includes(severity);
      if (severity !== undefined && !fixed) {
        out.add(
          [...path, 'severity'],
          'unsupported_field',
          `severity must be one of ${PAGERDUTY_SEVERITIES.join(', ')}; alertbase takes each alert's severity label otherwise`,
        );
        ok = false;
      }
      if (bearerOf(raw.http_config, [...path, 'http_config'], out) === undefined) ok = false;
      const url = str(raw.url) ?? str(global.pagerduty_url);
      if (!ok) return undefined;
      return {
        type: 'pagerduty',
        routingKey,
        ...(url === undefined ? {} : { url }),
        ...(fixed ? { severity } : {}),
        ...sendResolved(raw),
      };
    }
    case 'opsgenie_configs': {
      const apiKey = required('api_key', raw.api_key ?? global.opsgenie_api_key);
      const apiUrl = (str(raw.api_url) ?? str(global.opsgenie_api_url))?.replace(/\/+$/, '');
      const responders: string[] = [];
      if (raw.responders !== undefined) {
        if (!isList(raw.responders)) {
          out.add([...path, 'responders'], 'invalid_type', 'expected a list');
          ok = false;
        } else {
          raw.responders.slice(0, 50).forEach((r, i) => {
            const at = [...path, 'responders', i];
            if (!isObject(r)) {
              out.add(at, 'invalid_type', 'expected an object');
              ok = false;
            } else if (typeof r.name === 'string' && (r.type === 'team' || r.type === undefined)) {
              responders.push(r.name);
            } else if (typeof r.username === 'string' && r.type === 'user') {
              responders.push(r.username);
            } else {
              out.add(
                at,
                'unsupported_field',
                'only teams by name and users by username are supported as responders',
              );
              ok = false;
            }
          });
        }
      }
      if (bearerOf(raw.http_config, [...path, 'http_config'], out) === undefined) ok = false;
      if (!ok) return undefined;
      const region = apiUrl === OPSGENIE_API_URLS.eu ? 'eu' : 'us';
      const own =
        apiUrl !== undefined && apiUrl !== OPSGENIE_API_URLS.us && apiUrl !== OPSGENIE_API_URLS.eu;
      return {
        type: 'opsgenie',
        apiKey,
        region,
        ...(own ? { apiUrl } : {}),
        responders,
        ...sendResolved(raw),
      };
    }
    case 'msteams_configs': {
      const webhookUrl = required('webhook_url', raw.webhook_url);
      if (bearerOf(raw.http_config, [...path, 'http_config'], out) === undefined) ok = false;
      if (!ok) return undefined;
      return { type: 'teams', webhookUrl, ...sendResolved(raw) };
    }
    case 'email_configs': {
      const to = required('to', raw.to);
      const smarthost = str(raw.smarthost) ?? str(global.smtp_smarthost);
      const from = str(raw.from) ?? str(global.smtp_from);
      const username = str(raw.auth_username) ?? str(global.smtp_auth_username);
      const password = str(raw.auth_password) ?? str(global.smtp_auth_password);
      const requireTls = raw.require_tls ?? global.smtp_require_tls;
      if (!ok || to === undefined) return undefined;
      return {
        type: 'email',
        // Alertmanager takes one string of comma-separated addresses.
        to: to
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== ''),
        ...(from === undefined ? {} : { from: from.replace(/^.*<([^>]+)>\s*$/, '$1') }),
        ...(smarthost === undefined
          ? {}
          : {
              smtp: {
                smarthost,
                authUsername: username ?? null,
                authPassword: password ?? null,
                ...(typeof requireTls === 'boolean' ? { requireTls } : {}),
              },
            }),
        ...sendResolved(raw),
      };
    }
  }
}

/** Alertmanager's field for an alertbase field, per channel type, to place a value's issue. */
const AM_FIELD: Readonly<Record<string, string>> = {
  url: 'url',
  bearerToken: 'http_config',
  webhookUrl: 'api_url',
  channel: 'channel',
  routingKey: 'routing_key',
  severity: 'severity',
  apiKey: 'api_key',
  apiUrl: 'api_url',
  responders: 'responders',
  to: 'to',
  from: 'from',
  smtp: 'smarthost',
  sendResolved: 'send_resolved',
};

/**
 * Maps one receiver of an Alertmanager configuration (`name`, and any of
 * `webhook_configs`, `slack_configs`, `pagerduty_configs`,
 * `opsgenie_configs`, `msteams_configs`, `email_configs`) to alertbase
 * channel configurations. Issue paths are relative to the receiver.
 *
 * @example
 * ```ts
 * const am = YAML.parse(text);
 * for (const receiver of am.receivers) {
 *   const { configs, issues } = channelsFromAlertmanagerReceiver(receiver, { global: am.global });
 * }
 * ```
 */
export function channelsFromAlertmanagerReceiver(
  receiver: unknown,
  options: ReceiverMappingOptions = {},
): ReceiverMapping {
  const out = new Collector();
  const configs: ChannelConfig[] = [];
  if (!isObject(receiver)) {
    out.add([], 'invalid_type', 'expected a receiver: an object with a name');
    return { configs, issues: out.issues };
  }
  const global = isObject(options.global) ? options.global : {};
  for (const [key, value] of Object.entries(receiver)) {
    if (key === 'name') continue;
    const integration = INTEGRATIONS.find((i) => i === key);
    if (integration === undefined) {
      out.add([key], 'unsupported_integration', `${key} has no alertbase channel type`);
      continue;
    }
    if (!isList(value)) {
      out.add([key], 'invalid_type', 'expected a list');
      continue;
    }
    if (value.length > MAX_CONFIGS_PER_INTEGRATION) {
      out.add([key], 'too_big', `at most ${MAX_CONFIGS_PER_INTEGRATION} configs are read`);
    }
    value.slice(0, MAX_CONFIGS_PER_INTEGRATION).forEach((raw, index) => {
      const path = [key, index];
      if (!isObject(raw)) {
        out.add(path, 'invalid_type', 'expected an object');
        return;
      }
      const input = mapOne(integration, raw, global, path, out);
      if (input === undefined) return;
      const parsed = ChannelConfig.safeParse(input);
      if (parsed.success) {
        configs.push(parsed.data);
        return;
      }
      for (const issue of parsed.error.issues) {
        const [field] = issue.path;
        const amField =
          typeof field !== 'string'
            ? undefined
            : field === 'webhookUrl' && integration === 'msteams_configs'
              ? 'webhook_url'
              : (AM_FIELD[field] ?? field);
        out.add(amField === undefined ? path : [...path, amField], issue.code, issue.message);
      }
    });
  }
  return { configs, issues: out.issues };
}
