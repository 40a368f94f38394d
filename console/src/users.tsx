/**
 * People of the tenant (`/v1/users`, for keys and people that may manage
 * users): list, add one with a role and a password, change a role, disable
 * one (their sessions end). Password hashes are never answered.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { useList } from './pages.js';
import { messageOf, Notice, Page as PageFrame } from './ui.js';

interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: string;
  readonly disabled_at: string | null;
  readonly last_login_at?: string | null;
}

const ROLES = ['viewer', 'responder', 'editor', 'admin', 'owner'];

export function UsersPage() {
  const list = useList<User>('/v1/users?limit=200');
  const [notice, setNotice] = useState({ text: '', error: false });
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    setNotice({ text: '', error: false });
    try {
      const user = await api<User>('POST', '/v1/users', {
        email: String(data.get('email') ?? '').trim(),
        ...(name === '' ? {} : { name }),
        role: String(data.get('role') ?? 'viewer'),
        password: String(data.get('password') ?? ''),
      });
      form.reset();
      setNotice({ text: `Added ${user.email} (${user.role}).`, error: false });
      list.reload();
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };
  const changeRole = async (u: User, role: string) => {
    try {
      const changed = await api<User>('PATCH', `/v1/users/${encodeURIComponent(u.id)}`, { role });
      setNotice({ text: `${changed.email} is now ${changed.role}.`, error: false });
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
    list.reload();
  };
  const disable = async (u: User) => {
    if (!window.confirm(`Disable ${u.email}? They can no longer log in.`)) return;
    try {
      await api('DELETE', `/v1/users/${encodeURIComponent(u.id)}`);
      setNotice({ text: `Disabled ${u.email}.`, error: false });
      list.reload();
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };
  return (
    <PageFrame title="Users">
      <form class="editor" onSubmit={create} aria-labelledby="new-user">
        <h2 id="new-user">Add a person</h2>
        <div class="row">
          <label>
            E-mail
            <input name="email" type="email" autoComplete="off" required />
          </label>
          <label>
            Name
            <input name="name" autoComplete="off" />
          </label>
          <label>
            Role
            <select name="role">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
        </div>
        <label>
          Password (at least 12 characters)
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
          />
        </label>
        <div class="actions">
          <button type="submit">Add person</button>
        </div>
      </form>
      <Notice text={notice.text || list.error} error={notice.error || list.error !== ''} />
      <table>
        <caption class="sr-only">Users</caption>
        <thead>
          <tr>
            <th scope="col">E-mail</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((u) => (
            <tr key={u.id}>
              <td>{u.email}</td>
              <td>{u.name ?? ''}</td>
              <td>
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  disabled={u.disabled_at !== null}
                  onChange={(e) => changeRole(u, e.currentTarget.value)}
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>{u.disabled_at === null ? 'active' : 'disabled'}</td>
              <td>
                {u.disabled_at === null && (
                  <button
                    type="button"
                    aria-label={`Disable ${u.email}`}
                    onClick={() => disable(u)}
                  >
                    Disable
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PageFrame>
  );
}
