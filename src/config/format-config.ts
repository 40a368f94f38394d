import { SECRET_MASK } from '../base/constants.js';
import { isSecret } from '../base/types/secret.js';
import type { LoadedConfig } from './load-config.js';
import { CONFIG_SETTINGS } from './schema.js';

/** What a masked password or token prints as. */
export const URL_SECRET_MASK = '****';

/** Query parameters that carry credentials in connection strings. */
const SECRET_PARAMS =
  /([?&;](?:password|passwd|pass|pwd|sslpassword|secret|token|auth|api_?key)=)[^&#;]*/gi;

/**
 * A URL with its password, and any credential query parameter, replaced by
 * `****`. Works on MongoDB seed lists that `URL` cannot parse.
 *
 * @example
 * ```ts
 * maskUrl('postgres://user:s3cret@db/alerts');      // 'postgres://user:****@db/alerts'
 * maskUrl('redis://:s3cret@cache:6379/0');          // 'redis://:****@cache:6379/0'
 * ```
 */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      const user = colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:${URL_SECRET_MASK}`;
      return `${scheme}${user}@`;
    })
    .replace(SECRET_PARAMS, `$1${URL_SECRET_MASK}`);
}

/**
 * The effective configuration as text, one setting a line: dotted key,
 * value and source. Passwords in URLs are masked; a `Secret` value (the
 * admin key) prints as `**********`. This is the output of `alertbase config`.
 *
 * @example
 * ```ts
 * console.log(formatConfig(await loadConfig()));
 * // validation.strictMode     true                           env:ENABLE_STRICT_VALIDATION
 * // storage.databaseUrl       postgres://app:****@db/alerts  secret-file:/run/secrets/db
 * // server.adminKey           **********                     env:ALERTBASE_ADMIN_KEY
 * ```
 */
export function formatConfig(loaded: LoadedConfig): string {
  const sections: Readonly<Record<string, Readonly<Record<string, unknown>>>> = loaded.config;
  const rows = CONFIG_SETTINGS.map((setting) => {
    const value = sections[setting.section]?.[setting.field];
    let text: string;
    if (value === undefined) text = '(not set)';
    else if (isSecret(value)) text = SECRET_MASK;
    else if (setting.secret) text = maskUrl(String(value));
    else text = String(value);
    return [setting.key, text, loaded.sources[setting.key] ?? 'default'] as const;
  });
  const keyWidth = Math.max(...rows.map(([key]) => key.length));
  const valueWidth = Math.max(...rows.map(([, text]) => text.length));
  return `${rows
    .map(([key, text, source]) => `${key.padEnd(keyWidth)}  ${text.padEnd(valueWidth)}  ${source}`)
    .join('\n')}\n`;
}
