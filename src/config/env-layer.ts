import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import {
  type ConfigIssue,
  type ConfigSource,
  emptyLayer,
  errorCode,
  type IssueLocator,
  type Layer,
} from './layer.js';
import { CONFIG_SETTINGS, SECRET_FILE_SUFFIX } from './schema.js';

/** Environment variables, as `process.env` holds them. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** A `.env` file that was read. @internal */
export interface DotenvFile {
  readonly path: string;
  readonly text: string;
  readonly vars: EnvVars;
}

/** Where a set of variables came from: the process, or a `.env` file. @internal */
export type EnvOrigin =
  | { readonly kind: 'env' }
  | { readonly kind: 'env-file'; readonly file: DotenvFile };

/**
 * Reads `path` as a `.env` file with Node's own parser. A missing file is no
 * error (`undefined`); an unreadable one is.
 * @internal
 */
export async function readDotenv(path: string): Promise<DotenvFile | ConfigIssue | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return undefined;
    return {
      source: path,
      reason: `cannot read the .env file (${code ?? 'error'})`,
      context: { file: path },
    };
  }
  return { path, text, vars: parseEnv(text) };
}

/** The 1-based line of the last assignment to `name` in a `.env` text (the one that wins). */
function lineOf(text: string, name: string): number | undefined {
  const assignment = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`);
  let found: number | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (assignment.test(line)) found = index + 1;
  });
  return found;
}

/** Points an issue at a variable: by name in the environment, by line in a `.env` file. @internal */
export function locateVariable(origin: EnvOrigin, name: string): IssueLocator {
  if (origin.kind === 'env') {
    return (reason) => ({ source: name, reason, context: { variable: name } });
  }
  const { path, text } = origin.file;
  const line = lineOf(text, name);
  const source = line === undefined ? path : `${path}:${line}`;
  return (reason) => ({
    source,
    reason: `${name}: ${reason}`,
    context: { variable: name, file: path, ...(line === undefined ? {} : { line }) },
  });
}

/** A variable's value, with an empty value counting as unset (as `${VAR:-}` in Compose yields). */
function variableValue(vars: EnvVars, name: string): string | undefined {
  const value = vars[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads a Docker/Kubernetes secret file: the whole file, without its trailing newline.
 * Relative paths are taken from `cwd`.
 */
async function readSecretFile(
  cwd: string,
  pathValue: string,
  locate: IssueLocator,
): Promise<{ value: string; path: string } | ConfigIssue> {
  const path = resolve(cwd, pathValue);
  const fail = (reason: string): ConfigIssue => {
    const issue = locate(reason);
    return { ...issue, context: { ...issue.context, path } };
  };
  try {
    const value = (await readFile(path, 'utf8')).replace(/[\r\n]+$/, '');
    return value === '' ? fail(`the secret file ${path} is empty`) : { value, path };
  } catch (error) {
    return fail(`cannot read the secret file ${path} (${errorCode(error) ?? 'error'})`);
  }
}

/**
 * The values a set of environment variables supplies, including the
 * `<VAR>_FILE` form of secret settings. Setting both `VAR` and `VAR_FILE` in
 * the same set is an issue.
 * @internal
 */
export async function readEnvLayer(vars: EnvVars, origin: EnvOrigin, cwd: string): Promise<Layer> {
  const layer = emptyLayer();
  const tag = (name: string): ConfigSource =>
    origin.kind === 'env' ? `env:${name}` : `env-file:${origin.file.path}`;
  for (const setting of CONFIG_SETTINGS) {
    if (setting.env === undefined) continue;
    const name = setting.env;
    const fileName = `${name}${SECRET_FILE_SUFFIX}`;
    const value = variableValue(vars, name);
    const filePath = setting.secret ? variableValue(vars, fileName) : undefined;
    if (value !== undefined && filePath !== undefined) {
      layer.issues.push(
        locateVariable(origin, name)(`both ${name} and ${fileName} are set; set only one`),
      );
    } else if (filePath !== undefined) {
      const locate = locateVariable(origin, fileName);
      const read = await readSecretFile(cwd, filePath, locate);
      if ('reason' in read) {
        layer.issues.push(read);
      } else {
        layer.entries.push({
          setting,
          value: read.value,
          source: `secret-file:${read.path}`,
          locate,
        });
      }
    } else if (value !== undefined) {
      layer.entries.push({
        setting,
        value,
        source: tag(name),
        locate: locateVariable(origin, name),
      });
    }
  }
  return layer;
}
