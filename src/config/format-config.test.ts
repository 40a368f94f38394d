import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfig, maskUrl } from './format-config.js';
import { loadConfig } from './load-config.js';
import { CONFIG_SETTINGS } from './schema.js';

describe('maskUrl', () => {
  it.each([
    ['postgres://user:s3cret@host/db', 'postgres://user:****@host/db'],
    [
      'postgresql://user:p%40ss@host:5432/db?sslmode=require',
      'postgresql://user:****@host:5432/db?sslmode=require',
    ],
    ['redis://:s3cret@cache:6379/0', 'redis://:****@cache:6379/0'],
    ['rediss://default:s3cret@cache:6380', 'rediss://default:****@cache:6380'],
    [
      'mongodb://app:s3cret@a:27017,b:27017/alerts?replicaSet=rs0',
      'mongodb://app:****@a:27017,b:27017/alerts?replicaSet=rs0',
    ],
    ['postgres://user:p@ss@host/db', 'postgres://user:****@host/db'],
    [
      'postgres://host/db?user=app&password=s3cret&sslmode=require',
      'postgres://host/db?user=app&password=****&sslmode=require',
    ],
    ['http://influx:8086?token=s3cret', 'http://influx:8086?token=****'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['redis://localhost:6379', 'redis://localhost:6379'],
  ])('%s → %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});

describe('formatConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-format-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every setting with its value and source, and never a password', async () => {
    const secret = join(dir, 'db');
    await writeFile(secret, 'postgres://app:Pa55-db-w0rd@db:5432/alerts\n');
    await writeFile(join(dir, '.env'), 'REDIS_URL=redis://:Redis-Pa55@cache:6379/0\n');
    await writeFile(
      join(dir, 'alertbase.yaml'),
      'base_schema:\n  storage:\n    mongodb_url: mongodb://m:Mongo-Pa55@a:1,b:2/x\n',
    );
    const loaded = await loadConfig({
      cwd: dir,
      env: {
        DATABASE_URL_FILE: secret,
        INFLUXDB_URL: 'https://influx:8086/?token=Influx-T0ken',
        MAX_VALIDATION_ERRORS: '25',
      },
      overrides: { server: { port: 9999 } },
    });
    const text = formatConfig(loaded);

    for (const password of ['Pa55-db-w0rd', 'Redis-Pa55', 'Mongo-Pa55', 'Influx-T0ken']) {
      expect(text).not.toContain(password);
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(CONFIG_SETTINGS.length);
    const line = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.split(/\s{2,}/);
    expect(line('storage.databaseUrl')).toEqual([
      'storage.databaseUrl',
      'postgres://app:****@db:5432/alerts',
      `secret-file:${secret}`,
    ]);
    expect(line('storage.redisUrl')).toEqual([
      'storage.redisUrl',
      'redis://:****@cache:6379/0',
      `env-file:${join(dir, '.env')}`,
    ]);
    expect(line('storage.mongodbUrl')).toEqual([
      'storage.mongodbUrl',
      'mongodb://m:****@a:1,b:2/x',
      `file:${join(dir, 'alertbase.yaml')}`,
    ]);
    expect(line('storage.influxdbUrl')?.[1]).toBe('https://influx:8086/?token=****');
    expect(line('validation.maxErrors')).toEqual([
      'validation.maxErrors',
      '25',
      'env:MAX_VALIDATION_ERRORS',
    ]);
    expect(line('server.port')).toEqual(['server.port', '9999', 'option']);
    expect(line('validation.strictMode')).toEqual(['validation.strictMode', 'false', 'default']);
  });

  it('masks the admin key whole, from any source, and shows the host', async () => {
    const secret = join(dir, 'admin');
    await writeFile(secret, 'Adm1n-from-file-Zq7Xv2Lm9Pw4,Adm1n-other-Zq7Xv2Lm9Pw4\n');
    const cases: [Record<string, string>, string][] = [
      [
        { ALERTBASE_ADMIN_KEY: 'Adm1n-from-env-Zq7Xv2Lm9Pw4', HOST: '0.0.0.0' },
        'env:ALERTBASE_ADMIN_KEY',
      ],
      [{ ALERTBASE_ADMIN_KEY_FILE: secret, HOST: '0.0.0.0' }, `secret-file:${secret}`],
    ];
    for (const [env, source] of cases) {
      const lines = formatConfig(await loadConfig({ cwd: dir, env }))
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s{2,}/));
      expect(lines.flat().join(' ')).not.toContain('Adm1n');
      expect(lines.find(([key]) => key === 'server.adminKey')).toEqual([
        'server.adminKey',
        '**********',
        source,
      ]);
      expect(lines.find(([key]) => key === 'server.host')).toEqual([
        'server.host',
        '0.0.0.0',
        'env:HOST',
      ]);
    }
  });

  it('shows unset settings as (not set)', async () => {
    const text = formatConfig(await loadConfig({ cwd: dir, env: {} }));
    expect(text).toMatch(/^storage\.databaseUrl +\(not set\) +default$/m);
    expect(text).toMatch(/^server\.adminKey +\(not set\) +default$/m);
    expect(text).toMatch(/^server\.host +127\.0\.0\.1 +default$/m);
    expect(text.endsWith('\n')).toBe(true);
  });
});
