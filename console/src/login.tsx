/** Log in: an API key, or a person's tenant, e-mail and password (`POST /v1/auth/login`). */
import { useState } from 'preact/hooks';
import { api, setCredential } from './api.js';
import { messageOf, Notice } from './ui.js';

export function LoginPage() {
  const [mode, setMode] = useState<'password' | 'key'>('key');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    setBusy(true);
    setError('');
    try {
      if (mode === 'key') {
        // Checked before it is kept: a wrong key leaves the form (and its error) in place.
        await api('GET', '/v1/auth/me', undefined, field('key'));
        setCredential(field('key'));
      } else {
        const answer = await api<{ token: string }>('POST', '/v1/auth/login', {
          tenant: field('tenant'),
          email: field('email'),
          password: String(form.get('password') ?? ''),
        });
        setCredential(answer.token);
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <h1>alertbase</h1>
      <form onSubmit={submit} aria-label="Log in">
        <fieldset>
          <legend>Log in with</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'key'}
              onChange={() => setMode('key')}
            />{' '}
            an API key
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'password'}
              onChange={() => setMode('password')}
            />{' '}
            e-mail and password
          </label>
        </fieldset>
        {mode === 'key' ? (
          <label>
            API key
            <input name="key" type="password" autoComplete="off" required />
          </label>
        ) : (
          <>
            <label>
              Tenant
              <input name="tenant" autoComplete="organization" required />
            </label>
            <label>
              E-mail
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <Notice text={error} error />
      </form>
    </main>
  );
}
