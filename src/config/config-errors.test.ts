import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../base/exceptions/index.js';
import { type LoadConfigOptions, loadConfig } from './load-config.js';
import type { AlertbaseConfigOverrides } from './schema.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertbase-config-errors-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The ConfigError a load fails with; asserts its code. */
async function failure(options: LoadConfigOptions = {}): Promise<ConfigError> {
  const error: unknown = await loadConfig({ env: {}, cwd: dir, ...options }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.code).toBe('ALERTBASE_CONFIG_INVALID');
  expect(configError.status).toBe(500);
  return configError;
}

describe('environment errors name the variable', () => {
  it.each([
    ['MAX_VALIDATION_ERRORS', 'ten', /whole number/],
    ['MAX_VALIDATION_ERRORS', '0', /from 1 to/],
    ['MAX_VALIDATION_ERRORS', '1.5', /whole number/],
    ['MAX_VALIDATION_ERRORS', '-3', /whole number/],
    ['VALIDATION_CACHE_TTL', '1e3', /whole number/],
    ['CACHE_TTL_SECONDS', '5m', /whole number/],
    ['MAX_MEMORY_USAGE_MB', '99999999999999999999', /whole number/],
    ['PORT', '70000', /from 0 to 65535/],
    ['PORT', '80a', /whole number/],
    ['ENABLE_STRICT_VALIDATION', 'on', /true\/false, 1\/0 or yes\/no/],
    ['ENABLE_STRICT_VALIDATION', 'y', /true\/false/],
    ['ENABLE_QUERY_CACHE', 'enabled', /true\/false/],
    ['ENABLE_QUERY_CACHE', '2', /true\/false/],
    ['HOST', 'http://0.0.0.0', /host name or an IP address/],
    ['HOST', 'two words', /host name or an IP address/],
    ['HOST', 'a..b', /host name or an IP address/],
    ['HOST', '-edge', /host name or an IP address/],
    ['HOST', '[example.com]', /host name or an IP address/],
    ['HOST', '0.0.0.0:8080', /host name or an IP address/],
  ])('%s=%s', async (name, raw, reason) => {
    const error = await failure({ env: { [name]: raw } });
    expect(error.context.source).toBe(name);
    expect(error.context.variable).toBe(name);
    expect(String(error.context.reason)).toMatch(reason);
    expect(error.message).toContain(name);
    // Non-secret values are repeated, to help the user.
    expect(error.message).toContain(JSON.stringify(raw));
  });

  it.each([
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'postgres://user:hunter2@host:99999/db'],
    ['DATABASE_URL', 'postgres://user:hunter2@ho st/db'],
    ['REDIS_URL', 'localhost:6379'],
    ['MONGODB_URL', 'mongodb://user:hunter2@a:1,b:bad/db'],
    ['INFLUXDB_URL', 'http://'],
  ])('malformed URL %s=%s', async (name, raw) => {
    const error = await failure({ env: { [name]: raw } });
    expect(error.context.source).toBe(name);
    expect(String(error.context.reason)).toMatch(/^expected a .*URL$/);
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2');
  });

  it.each([
    ['DATABASE_URL', 'mysql://root:hunter2@db/alerts', 'mysql:'],
    ['REDIS_URL', 'http://cache:6379', 'http:'],
    ['MONGODB_URL', 'postgres://db/alerts', 'postgres:'],
    ['INFLUXDB_URL', 'ftp://influx', 'ftp:'],
  ])('wrong scheme %s=%s', async (name, raw, scheme) => {
    const error = await failure({ env: { [name]: raw } });
    expect(error.context.source).toBe(name);
    expect(String(error.context.reason)).toContain(`got a ${scheme}// URL`);
    expect(error.message).not.toContain('hunter2');
  });

  it('both X and X_FILE', async () => {
    const secret = await write('db', 'postgres://db/alerts\n');
    const error = await failure({
      env: { DATABASE_URL: 'postgres://db/alerts', DATABASE_URL_FILE: secret },
    });
    expect(error.context.source).toBe('DATABASE_URL');
    expect(String(error.context.reason)).toContain('DATABASE_URL_FILE');
  });

  it('an unreadable X_FILE path', async () => {
    const missing = join(dir, 'no-such-secret');
    const error = await failure({ env: { REDIS_URL_FILE: missing } });
    expect(error.context.source).toBe('REDIS_URL_FILE');
    expect(error.context.path).toBe(missing);
    expect(String(error.context.reason)).toContain('ENOENT');
  });

  it('an empty X_FILE', async () => {
    await write('empty', '\n');
    const error = await failure({ env: { MONGODB_URL_FILE: 'empty' } });
    expect(error.context.source).toBe('MONGODB_URL_FILE');
    expect(String(error.context.reason)).toContain('is empty');
  });

  it('a bad URL in an X_FILE names the _FILE variable and never prints the secret', async () => {
    await write('db', 'mysql://root:hunter2@db/alerts\n');
    const error = await failure({ env: { DATABASE_URL_FILE: 'db' } });
    expect(error.context.source).toBe('DATABASE_URL_FILE');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['a blank list', ' , ,'],
    ['a key with a space', 'hunter2 hunter3'],
    ['a blank and a key with a tab', 'hunter2,\thunter3\tx'],
  ])('a bad ALERTBASE_ADMIN_KEY (%s) is named, never printed', async (_name, raw) => {
    const error = await failure({ env: { ALERTBASE_ADMIN_KEY: raw } });
    expect(error.context.source).toBe('ALERTBASE_ADMIN_KEY');
    expect(String(error.context.reason)).toBe(
      'expected one or more keys without spaces, separated by commas',
    );
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter');
    expect(error.message).not.toContain('hunter');
  });

  it('both ALERTBASE_ADMIN_KEY and ALERTBASE_ADMIN_KEY_FILE', async () => {
    const secret = await write('admin', 'k2\n');
    const error = await failure({
      env: { ALERTBASE_ADMIN_KEY: 'k1', ALERTBASE_ADMIN_KEY_FILE: secret },
    });
    expect(error.context.source).toBe('ALERTBASE_ADMIN_KEY');
    expect(String(error.context.reason)).toContain('ALERTBASE_ADMIN_KEY_FILE');
  });

  it('a blank data directory', async () => {
    const error = await failure({ env: { ALERTBASE_DATA_DIR: '   ' } });
    expect(error.context.source).toBe('ALERTBASE_DATA_DIR');
  });
});

describe('.env errors name the file, line and variable', () => {
  it('a bad value', async () => {
    const path = await write('.env', '# comment\nPORT=8080\nMAX_VALIDATION_ERRORS=ten\n');
    const error = await failure();
    expect(error.context.source).toBe(`${path}:3`);
    expect(error.context).toMatchObject({ file: path, line: 3, variable: 'MAX_VALIDATION_ERRORS' });
  });

  it('both X and X_FILE in .env', async () => {
    const path = await write('.env', 'REDIS_URL=redis://a\nREDIS_URL_FILE=/run/secrets/redis\n');
    const error = await failure();
    expect(error.context.source).toBe(`${path}:1`);
  });

  it('an unreadable .env', async () => {
    await mkdir(join(dir, '.env'));
    const error = await failure();
    expect(error.context.source).toBe(join(dir, '.env'));
    expect(String(error.context.reason)).toContain('EISDIR');
  });

  it('a missing file named by ALERTBASE_CONFIG in .env', async () => {
    const path = await write('.env', 'ALERTBASE_CONFIG=nope.yaml\n');
    const error = await failure();
    expect(error.context.source).toBe(`${path}:1`);
    expect(error.context.file).toBe(join(dir, 'nope.yaml'));
  });
});

describe('file errors name the file, line, column and key', () => {
  it('an unknown key', async () => {
    const path = await write(
      'alertbase.yaml',
      'base_schema:\n  validation:\n    strict_mode: true\n    max_errorz: 10\n',
    );
    const error = await failure();
    expect(error.context.source).toBe(`${path}:4:5`);
    expect(error.context).toMatchObject({
      file: path,
      line: 4,
      column: 5,
      key: 'base_schema.validation.max_errorz',
    });
    expect(String(error.context.reason)).toContain('unknown key');
  });

  it('an unknown section, an unknown root key', async () => {
    const path = await write('alertbase.yaml', 'base_schema:\n  caching:\n    ttl: 1\n');
    let error = await failure();
    expect(error.context).toMatchObject({ source: `${path}:2:3`, key: 'base_schema.caching' });
    await write('alertbase.yaml', 'validation:\n  strict_mode: true\n');
    error = await failure();
    expect(error.context).toMatchObject({ source: `${path}:1:1`, key: 'validation' });
  });

  it('a bad value points at the value', async () => {
    const path = await write(
      'alertbase.yaml',
      'base_schema:\n  performance:\n    batch_size: lots\n',
    );
    const error = await failure();
    expect(error.context).toMatchObject({
      source: `${path}:3:17`,
      line: 3,
      column: 17,
      key: 'base_schema.performance.batch_size',
    });
    expect(String(error.context.reason)).toContain('"lots"');
  });

  it.each([
    [
      'serialization:\n    default_format: bson',
      /expected one of json, yaml, xml, protobuf, msgpack/,
    ],
    ['serialization:\n    pretty_print: maybe', /true\/false/],
    ['performance:\n    batch_size: 100000', /from 1 to 10000/],
    ['performance:\n    batch_size: [1, 2]', /whole number/],
    ['storage:\n    database_url: mysql://db/x', /got a mysql:\/\/ URL/],
    ['storage:\n    redis_url: 6379', /redis:\/\/ or rediss:\/\/ URL/],
  ])('bad value %j', async (body, reason) => {
    const path = await write('alertbase.yaml', `base_schema:\n  ${body}\n`);
    const error = await failure();
    expect(String(error.context.source)).toMatch(new RegExp(`^${path}:3:\\d+$`));
    expect(String(error.context.reason)).toMatch(reason);
  });

  it.each([
    ['- base_schema', '(root)', 1],
    ['base_schema: 3', 'base_schema', 1],
    ['base_schema:\n  validation: [strict_mode]', 'base_schema.validation', 2],
  ])('a wrong shape %j', async (text, key, line) => {
    await write('alertbase.yaml', `${text}\n`);
    const error = await failure();
    expect(error.context).toMatchObject({ key, line });
  });

  it('a bad admin key in the YAML file points at it, never prints it', async () => {
    const file = await write('alertbase.yaml', 'base_schema:\n  server:\n    admin_key: 4711\n');
    const error = await failure();
    expect(error.context).toMatchObject({ file, line: 3, key: 'base_schema.server.admin_key' });
    expect(error.message).not.toContain('4711');
  });

  it('a YAML syntax error', async () => {
    const path = await write(
      'alertbase.yaml',
      'base_schema:\n  validation:\n    strict_mode: true\n    max_errors: [10\n',
    );
    const error = await failure();
    expect(error.context.file).toBe(path);
    expect(error.context.line).toBe(5);
    expect(error.context.source).toBe(`${path}:5:1`);
    expect(String(error.context.reason)).toMatch(/^YAML syntax error: /);
  });

  it('a duplicate key is a syntax error', async () => {
    await write('alertbase.yaml', 'base_schema:\n  server:\n    port: 1\n    port: 2\n');
    const error = await failure();
    expect(error.context.line).toBe(4);
    expect(error.context.yamlCode).toBe('DUPLICATE_KEY');
  });

  it('nesting past the decoders limit is refused while read, at its line', async () => {
    const path = await write('alertbase.yaml', `base_schema:\n  server: ${'['.repeat(100_000)}\n`);
    const error = await failure();
    expect(error.context).toMatchObject({ file: path, line: 2 });
    expect(String(error.context.reason)).toContain('64 levels of nesting');
  });

  it('a missing file named by ALERTBASE_CONFIG', async () => {
    const error = await failure({ env: { ALERTBASE_CONFIG: 'missing.yaml' } });
    expect(error.context.source).toBe('ALERTBASE_CONFIG');
    expect(error.context.file).toBe(join(dir, 'missing.yaml'));
    expect(String(error.context.reason)).toContain('does not exist');
  });

  it('a missing file named by the configFile option', async () => {
    const error = await failure({ configFile: '/nonexistent/alertbase.yaml' });
    expect(error.context.source).toBe('option:configFile');
  });

  it('an unreadable default file', async () => {
    await mkdir(join(dir, 'alertbase.yaml'));
    const error = await failure();
    expect(error.context.source).toBe(join(dir, 'alertbase.yaml'));
    expect(String(error.context.reason)).toContain('EISDIR');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable secret file (permissions)', async () => {
    const path = await write('secret', 'postgres://db/x\n');
    await chmod(path, 0o000);
    const error = await failure({ env: { DATABASE_URL_FILE: path } });
    expect(String(error.context.reason)).toContain('EACCES');
  });
});

describe('option errors name the key', () => {
  it('a bad value', async () => {
    const error = await failure({ overrides: { server: { port: -1 } } });
    expect(error.context).toMatchObject({ source: 'option:server.port', key: 'server.port' });
  });

  it('an unknown key or section (callers without types)', async () => {
    const overrides = JSON.parse(
      '{"server":{"hostname":"x"},"cache":{"ttl":1},"storage":3}',
    ) as AlertbaseConfigOverrides;
    const error = await failure({ overrides });
    expect(error.context.source).toBe('option:server.hostname');
    const sources = (error.context.issues as { source: string }[]).map((i) => i.source);
    expect(sources).toEqual(['option:server.hostname', 'option:cache', 'option:storage']);
  });
});

describe('every problem is reported', () => {
  it('collects issues from every layer, in precedence order', async () => {
    const file = await write('alertbase.yaml', 'base_schema:\n  server:\n    port: x\n');
    const dotenv = await write('.env', 'ENABLE_QUERY_CACHE=maybe\n');
    const error = await failure({
      env: { MAX_VALIDATION_ERRORS: 'ten', DATABASE_URL: 'mysql://root:hunter2@db/x' },
      overrides: { validation: { maxErrors: 0 } },
    });
    expect(error.context.source).toBe(`${file}:3:11`);
    const issues = error.context.issues as { source: string }[];
    expect(issues.map((i) => i.source)).toEqual([
      `${file}:3:11`,
      `${dotenv}:1`,
      'MAX_VALIDATION_ERRORS',
      'DATABASE_URL',
      'option:validation.maxErrors',
    ]);
    expect(error.message).toContain('and 4 more');
    expect(error.message).not.toContain('hunter2');
  });
});
