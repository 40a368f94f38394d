import { describe, expect, it } from 'vitest';
import { Secret } from '../base/types/secret.js';
import { redact, secretValuesOf } from './redact.js';

describe('secretValuesOf', () => {
  it('finds every secret of a configuration, nested, longest first', () => {
    const config = {
      type: 'email',
      token: new Secret('short'),
      smtp: { authPassword: new Secret('a-longer-secret'), authUsername: 'user' },
      list: [new Secret('in-a-list'), new Secret('')],
    };
    expect(secretValuesOf(config)).toEqual(['a-longer-secret', 'in-a-list', 'short']);
  });
});

describe('redact', () => {
  it('masks a secret as written, URL-encoded and JSON-escaped', () => {
    const secret = 'p@ss "word"/x';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} json ${JSON.stringify(secret)}`;
    const out = redact(text, [secret]);
    expect(out).toBe('raw ********** url ********** json "**********"');
  });

  it('masks a secret URL by its path and its long segments too', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
    expect(redact('POST /services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX failed', [url])).toBe(
      'POST ********** failed',
    );
    expect(redact('token XXXXXXXXXXXXXXXXXXXXXXXX unknown', [url])).toBe(
      'token ********** unknown',
    );
    expect(redact('host hooks.slack.com', [url])).toBe('host hooks.slack.com');
  });
});
