import { resolve } from 'node:path';
import { DEFAULTS } from '../base/constants.js';
import { ConfigError } from '../base/exceptions/index.js';
import { setModelCompilation } from '../base/types/compiler/settings.js';
import {
  type EnvOrigin,
  type EnvVars,
  locateVariable,
  readDotenv,
  readEnvLayer,
} from './env-layer.js';
import {
  type ConfigIssue,
  type ConfigSource,
  emptyLayer,
  type IssueLocator,
  type Layer,
} from './layer.js';
import {
  type AlertbaseConfig,
  type AlertbaseConfigOverrides,
  AlertbaseConfigSchema,
  CONFIG_FILE_ENV,
  CONFIG_SETTINGS,
  type ConfigSetting,
} from './schema.js';
import { type ConfigFileRequest, readFileLayer } from './yaml-file.js';

/** Options of {@link loadConfig}. `undefined` means "not given" everywhere. */
export interface LoadConfigOptions {
  /** The environment to read; defaults to `process.env`. */
  readonly env?: EnvVars | undefined;
  /** Where `.env`, `./alertbase.yaml` and relative paths are looked up; defaults to `process.cwd()`. */
  readonly cwd?: string | undefined;
  /** The YAML file to read; must exist. Wins over `ALERTBASE_CONFIG`. */
  readonly configFile?: string | undefined;
  /** Explicit values, the highest precedence (CLI flags, tests). */
  readonly overrides?: AlertbaseConfigOverrides | undefined;
}

/** The result of {@link loadConfig}: the configuration and where each value came from. */
export interface LoadedConfig {
  /** The effective configuration, deep-frozen. */
  readonly config: AlertbaseConfig;
  /** For every dotted key of {@link CONFIG_SETTINGS} (`validation.maxErrors`), its source. */
  readonly sources: Readonly<Record<string, ConfigSource>>;
}

/** Longest raw value repeated in an error message. */
const MAX_SHOWN_VALUE = 60;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
}

function defaultsLayer(): Layer {
  const layer = emptyLayer();
  for (const setting of CONFIG_SETTINGS) {
    if (setting.defaultValue === undefined) continue;
    layer.entries.push({
      setting,
      value: setting.defaultValue,
      source: 'default',
      locate: (reason) => ({ source: 'default', reason: `${setting.key}: ${reason}`, context: {} }),
    });
  }
  return layer;
}

/** Points an issue at an explicit option. */
function locateOption(key: string): IssueLocator {
  return (reason) => ({ source: `option:${key}`, reason, context: { key } });
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The explicit overrides as a layer; unknown keys are issues (for callers without types). */
function overridesLayer(overrides: AlertbaseConfigOverrides | undefined): Layer {
  const layer = emptyLayer();
  if (overrides === undefined) return layer;
  for (const [section, fields] of Object.entries(overrides)) {
    if (fields === undefined) continue;
    const known = CONFIG_SETTINGS.filter((setting) => setting.section === section);
    if (known.length === 0 || !isRecord(fields)) {
      layer.issues.push(locateOption(section)('not a configuration section'));
      continue;
    }
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const setting = known.find((candidate) => candidate.field === field);
      const locate = locateOption(`${section}.${field}`);
      if (setting === undefined) layer.issues.push(locate('unknown key'));
      else layer.entries.push({ setting, value, source: 'option', locate });
    }
  }
  return layer;
}

/** Decides which YAML file to read: option, then `ALERTBASE_CONFIG`, then `./alertbase.yaml`. */
function configFileRequest(
  options: LoadConfigOptions,
  cwd: string,
  env: EnvVars,
  dotenv: EnvOrigin | undefined,
): ConfigFileRequest {
  const named: [string, IssueLocator][] = [];
  if (options.configFile !== undefined) {
    named.push([options.configFile, locateOption('configFile')]);
  }
  const fromEnv = env[CONFIG_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    named.push([fromEnv, locateVariable({ kind: 'env' }, CONFIG_FILE_ENV)]);
  }
  const fromDotenv = dotenv?.kind === 'env-file' ? dotenv.file.vars[CONFIG_FILE_ENV] : undefined;
  if (dotenv !== undefined && fromDotenv !== undefined && fromDotenv !== '') {
    named.push([fromDotenv, locateVariable(dotenv, CONFIG_FILE_ENV)]);
  }
  const [first] = named;
  if (first === undefined) return { path: resolve(cwd, DEFAULTS.configFile) };
  return { path: resolve(cwd, first[0]), requiredBy: first[1] };
}

/** The error for every issue found: the first one names the source, all are in `context.issues`. */
function configError(issues: readonly [ConfigIssue, ...ConfigIssue[]]): ConfigError {
  const [first, ...rest] = issues;
  const more =
    rest.length === 0
      ? ''
      : ` (and ${rest.length} more: ${rest.map((i) => `${i.source}: ${i.reason}`).join('; ')})`;
  return new ConfigError(first.source, `${first.reason}${more}`, {
    ...first.context,
    issues: issues.map((i) => ({ source: i.source, reason: i.reason, ...i.context })),
  });
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}

/**
 * Loads the configuration. Precedence, lowest first: defaults
 * (`DEFAULTS`), the YAML file, the `.env` file, the process environment,
 * `overrides`. Nothing is read before this is called.
 *
 * Every layer is read and checked before failing, so one `ConfigError`
 * (`ALERTBASE_CONFIG_INVALID`) reports every problem: its `source` and
 * `context` locate the first (variable; or file, line, column and key), and
 * `context.issues` lists them all.
 *
 * @example
 * ```ts
 * const { config, sources } = await loadConfig();
 * config.validation.maxErrors;          // 10
 * sources['validation.maxErrors'];      // 'env:MAX_VALIDATION_ERRORS'
 * await loadConfig({ cwd: '/srv/app', overrides: { server: { port: 9090 } } });
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];

  const dotenvFile = await readDotenv(resolve(cwd, '.env'));
  let dotenv: EnvOrigin | undefined;
  if (dotenvFile !== undefined && 'reason' in dotenvFile) issues.push(dotenvFile);
  else if (dotenvFile !== undefined) dotenv = { kind: 'env-file', file: dotenvFile };

  const layers: Layer[] = [
    defaultsLayer(),
    await readFileLayer(configFileRequest(options, cwd, env, dotenv)),
    dotenv?.kind === 'env-file' ? await readEnvLayer(dotenv.file.vars, dotenv, cwd) : emptyLayer(),
    await readEnvLayer(env, { kind: 'env' }, cwd),
    overridesLayer(options.overrides),
  ];

  const values = new Map<ConfigSetting, unknown>();
  const sources: Record<string, ConfigSource> = {};
  for (const layer of layers) {
    issues.push(...layer.issues);
    for (const entry of layer.entries) {
      const parsed = entry.setting.schema.safeParse(entry.value);
      if (parsed.success) {
        values.set(entry.setting, parsed.data);
        sources[entry.setting.key] = entry.source;
      } else {
        const message = parsed.error.issues[0]?.message ?? 'invalid value';
        const got = entry.setting.secret ? '' : `, got ${show(entry.value)}`;
        issues.push(entry.locate(`${message}${got}`));
      }
    }
  }
  const [firstIssue, ...otherIssues] = issues;
  if (firstIssue !== undefined) throw configError([firstIssue, ...otherIssues]);

  const tree: Record<string, Record<string, unknown>> = {};
  const ordered: Record<string, ConfigSource> = {};
  for (const setting of CONFIG_SETTINGS) {
    const section = tree[setting.section] ?? {};
    tree[setting.section] = section;
    let value = values.get(setting);
    if (setting.key === 'storage.dataDir' && typeof value === 'string') value = resolve(cwd, value);
    if (value !== undefined) section[setting.field] = value;
    ordered[setting.key] = sources[setting.key] ?? 'default';
  }
  // Every value was checked above; this parse only builds the typed object.
  const config = AlertbaseConfigSchema.parse(tree);
  // Models are process-wide: the loaded setting decides how every model parses from here on.
  setModelCompilation(config.validation.compile);
  return deepFreeze({ config, sources: ordered });
}
