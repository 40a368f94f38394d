import type { ConfigSetting } from './schema.js';

/**
 * Where an effective value came from:
 * `default`, `file:<path>` (the YAML file), `env-file:<path>` (a `.env` file),
 * `env:<VAR>` (the process environment), `secret-file:<path>` (a `<VAR>_FILE`
 * secret), `option` (an explicit override).
 */
export type ConfigSource =
  | 'default'
  | 'option'
  | `file:${string}`
  | `env:${string}`
  | `env-file:${string}`
  | `secret-file:${string}`;

/** One problem found while loading, located for the user. @internal */
export interface ConfigIssue {
  /** `MAX_VALIDATION_ERRORS`, `/etc/alertbase.yaml:4:16`, `/app/.env:3`, `option:server.port`. */
  readonly source: string;
  /** What is wrong; never contains a secret value. */
  readonly reason: string;
  /** Structured location: `variable`, `file`, `line`, `column`, `key`, `path`. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** Builds the issue for a bad value, pointing at where the value was written. @internal */
export type IssueLocator = (reason: string) => ConfigIssue;

/** One raw value a layer supplies for a setting. @internal */
export interface LayerEntry {
  readonly setting: ConfigSetting;
  readonly value: unknown;
  readonly source: ConfigSource;
  readonly locate: IssueLocator;
}

/** What one layer (file, `.env`, environment, options) supplies. @internal */
export interface Layer {
  readonly entries: LayerEntry[];
  readonly issues: ConfigIssue[];
}

/** An empty layer, to add entries and issues to. @internal */
export function emptyLayer(): Layer {
  return { entries: [], issues: [] };
}

/** The `code` of a Node.js system error (`ENOENT`), if it has one. @internal */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
