/** The alertbase console: log in, then the pages, routed by the URL's hash. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AlertDetail, AlertsPage } from './alerts.js';
import { api, credential, type Me, setCredential } from './api.js';
import { ChannelEditor, ChannelsPage } from './channels.js';
import { InhibitRulesPage } from './inhibit.js';
import { LoginPage } from './login.js';
import { AuditPage, KeysPage, SilencesPage } from './pages.js';
import { RuleEditor, RulesPage } from './rules.js';
import { UsersPage } from './users.js';
import './styles.css';

const NAV: readonly (readonly [string, string])[] = [
  ['#/alerts', 'Alerts'],
  ['#/rules', 'Rules'],
  ['#/silences', 'Silences'],
  ['#/inhibit-rules', 'Inhibition'],
  ['#/channels', 'Channels'],
  ['#/audit', 'Audit'],
  ['#/keys', 'Keys'],
];

/** Shown to keys and people that may manage users. */
const USERS_NAV = ['#/users', 'Users'] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/alerts');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/alerts');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function ThemeToggle() {
  const [theme, setTheme] = useState(localStorage.getItem('alertbase.theme') ?? 'auto');
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('alertbase.theme', theme);
  }, [theme]);
  return (
    <label class="theme">
      Theme{' '}
      <select value={theme} onChange={(e) => setTheme(e.currentTarget.value)}>
        <option value="auto">system</option>
        <option value="light">light</option>
        <option value="dark">dark</option>
      </select>
    </label>
  );
}

function route(hash: string, me: Me) {
  const [, page, id] = hash.slice(1).split('/');
  switch (page) {
    case 'rules':
      return id === undefined ? <RulesPage /> : <RuleEditor id={id === 'new' ? undefined : id} />;
    case 'silences':
      return <SilencesPage createdBy={me.user?.email ?? me.actor} />;
    case 'inhibit-rules':
      return <InhibitRulesPage />;
    case 'channels':
      return id === undefined ? (
        <ChannelsPage />
      ) : (
        <ChannelEditor id={id === 'new' ? undefined : decodeURIComponent(id)} />
      );
    case 'users':
      return <UsersPage />;
    case 'audit':
      return <AuditPage />;
    case 'keys':
      return <KeysPage />;
    default:
      return id === undefined ? <AlertsPage me={me} /> : <AlertDetail id={id} />;
  }
}

function App() {
  const [token, setToken] = useState(credential());
  const [me, setMe] = useState<Me | undefined>();
  const [managesUsers, setManagesUsers] = useState(false);
  const hash = useHash();
  useEffect(() => {
    const on = () => setToken(credential());
    window.addEventListener('alertbase:credential', on);
    return () => window.removeEventListener('alertbase:credential', on);
  }, []);
  useEffect(() => {
    setMe(undefined);
    setManagesUsers(false);
    if (token !== null) {
      api<Me>('GET', '/v1/auth/me')
        .then(setMe)
        .catch(() => setCredential(null));
      // The API says whether this key or person may manage users (role and scopes).
      api('GET', '/v1/users?limit=1')
        .then(() => setManagesUsers(true))
        .catch(() => setManagesUsers(false));
    }
  }, [token]);
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [hash]);
  if (token === null) return <LoginPage />;
  if (me === undefined) return <p role="status">Loading…</p>;
  const current = `#/${hash.slice(1).split('/')[1] ?? 'alerts'}`;
  const logout = async () => {
    await api('POST', '/v1/auth/logout').catch(() => undefined);
    setCredential(null);
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">alertbase</span>
        <nav aria-label="Main">
          <ul>
            {(managesUsers ? [...NAV, USERS_NAV] : NAV).map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={current === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {me.user?.email ?? me.actor} · {me.tenant_id} · {me.role}
        </span>
        <ThemeToggle />
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <main id="main">{route(hash, me)}</main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
