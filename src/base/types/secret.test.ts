import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineModel } from './model.js';
import { Secret, secret, secretPaths } from './secret.js';

const Hook = defineModel('SealedHook', {
  fields: {
    name: z.string(),
    token: secret(z.string().min(8)),
    nested: z
      .object({ list: z.array(z.object({ key: secret(z.string()) })) })
      .nullable()
      .default(null),
  },
});

describe('sealed secrets', () => {
  it('decrypt only when revealed, pass a model parse unopened, and keep their stored form', () => {
    let opened = 0;
    const sealed = Secret.sealed({
      text: 'ab1:k1:envelope',
      origin: 'here',
      open: () => {
        opened++;
        return 'the-token-value';
      },
    });
    const hook = Hook.parse({ name: 'h', token: sealed });
    const renamed = Hook.update(hook, { name: 'h2' });
    expect(opened).toBe(0);
    expect(renamed.token).toBe(sealed);
    expect(renamed.token.sealedForm?.text).toBe('ab1:k1:envelope');
    expect(JSON.stringify(Hook.dump(renamed, { mode: 'json' }))).not.toContain('the-token');
    expect(opened).toBe(0);
    expect(renamed.token.reveal()).toBe('the-token-value');
    expect(opened).toBe(1);
    expect(renamed.token.equals(new Secret('the-token-value'))).toBe(true);
    expect(String(sealed)).toBe('**********');
  });

  it('a plain secret has no sealed form and is still validated', () => {
    const hook = Hook.parse({ name: 'h', token: new Secret('long-enough') });
    expect(hook.token.sealedForm).toBeUndefined();
    const bad = Hook.safeParse({ name: 'h', token: 'short' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.pointer)).toEqual(['/token']);
  });

  it('documents a secret field as its plain type in JSON Schema', () => {
    const schema = Hook.toJSONSchema() as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.token).toEqual({ type: 'string', minLength: 8, writeOnly: true });
  });

  it('lists the paths of secret fields, through objects, arrays and wrappers', () => {
    expect(secretPaths(Hook.shape)).toEqual(['token', 'nested.list.*.key']);
    expect(secretPaths({ a: z.string() })).toEqual([]);
  });
});
