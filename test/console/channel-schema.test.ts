/**
 * The console's channel forms are read from the service's own OpenAPI
 * document: every channel type is there, secrets are marked, and a
 * configuration built from a form's values is one the API accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTypeSpec,
  channelTypesOf,
  configOf,
  valueAt,
} from '../../console/src/channel-schema.js';
import { call, setup, type TestApp } from '../server/helpers.js';

/** What a person would type in the fields a channel type needs. */
const TYPED: Readonly<Record<string, string>> = {
  to: 'oncall@example.com, db@example.com',
  webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
  url: 'https://hooks.example.com/alertmanager',
  routingKey: 'a'.repeat(32),
  apiKey: 'opsgenie-key',
};

describe('channel forms from the OpenAPI document', () => {
  let t: TestApp;
  let types: ChannelTypeSpec[];

  beforeAll(async () => {
    t = await setup();
    types = channelTypesOf((await t.app.inject({ url: '/docs/json' })).json());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('has a form for every channel type, secrets marked', () => {
    expect(types.map((s) => s.type)).toEqual([
      'email',
      'slack',
      'webhook',
      'pagerduty',
      'opsgenie',
      'teams',
    ]);
    const webhook = types.find((s) => s.type === 'webhook');
    expect(webhook?.fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['url', 'text', true],
      ['bearerToken', 'secret', false],
      ['sendResolved', 'boolean', false],
      ['signingSecret', 'secret', false],
    ]);
    expect(webhook?.fields[0]?.format).toBe('url');
    expect(webhook?.fields[2]?.defaultValue).toBe(true);
    const email = types.find((s) => s.type === 'email');
    expect(email?.fields.find((f) => f.path === 'to')?.kind).toBe('list');
    // A nested object's fields, none required while the object is optional.
    expect(
      email?.fields.filter((f) => f.path.startsWith('smtp.')).map((f) => [f.path, f.kind]),
    ).toEqual([
      ['smtp.smarthost', 'text'],
      ['smtp.authUsername', 'text'],
      ['smtp.authPassword', 'secret'],
      ['smtp.requireTls', 'boolean'],
    ]);
    const opsgenie = types.find((s) => s.type === 'opsgenie');
    expect(opsgenie?.fields.find((f) => f.path === 'region')).toMatchObject({
      kind: 'choice',
      choices: ['us', 'eu'],
    });
    expect(channelTypesOf({})).toEqual([]);
  });

  it('builds configurations the API accepts, for every type', async () => {
    for (const spec of types) {
      const values: Record<string, string | boolean> = {};
      for (const f of spec.fields) {
        // The document leaves secrets out of `required`: the form cannot mark them, the API checks them.
        const typed = TYPED[f.path];
        if (typed !== undefined) values[f.path] = typed;
        else if (f.required) values[f.path] = 'x';
        else if (f.kind === 'boolean') values[f.path] = f.defaultValue === true;
        else values[f.path] = '';
      }
      const config = configOf(spec, values);
      const res = await call(t.app, 'POST', '/v1/channels', {
        key: t.keys.editor,
        body: { name: `form-${spec.type}`, config },
      });
      expect([spec.type, res.status, res.body.code], JSON.stringify(res.body)).toEqual([
        spec.type,
        201,
        undefined,
      ]);
    }
  });

  it('leaves empty fields out, splits lists, and nests dotted paths', () => {
    const email = types.find((s) => s.type === 'email') as ChannelTypeSpec;
    const config = configOf(email, {
      to: ' a@example.com,\nb@example.com ,',
      subjectPrefix: '',
      'smtp.smarthost': 'smtp.example.com:587',
      'smtp.authPassword': ' secret with spaces ',
      'smtp.requireTls': false,
    });
    expect(config).toEqual({
      type: 'email',
      to: ['a@example.com', 'b@example.com'],
      smtp: {
        smarthost: 'smtp.example.com:587',
        authPassword: ' secret with spaces ',
        requireTls: false,
      },
    });
    expect(valueAt(config, 'smtp.smarthost')).toBe('smtp.example.com:587');
    // A check box alone does not make the nested object.
    expect(configOf(email, { to: 'a@example.com', 'smtp.requireTls': true })).toEqual({
      type: 'email',
      to: ['a@example.com'],
    });
    expect(valueAt(config, 'smtp.nothing.deeper')).toBe(undefined);
  });
});
