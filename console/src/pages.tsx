/** Silences, the audit trail and API keys. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Page, qs } from './api.js';
import { type Matcher, matcherText, parseMatchers } from './matchers.js';
import { createSilence, MatchCount, useMatchCount } from './silence-form.js';
import { messageOf, Notice, Page as PageFrame } from './ui.js';

interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly starts_at: string;
  readonly ends_at: string;
  readonly created_by: string;
  readonly comment: string;
  readonly is_active?: boolean;
}

/** A list endpoint's first page, read again on `reload`. */
export function useList<T>(path: string, deps: readonly unknown[] = []) {
  const [items, setItems] = useState<readonly T[]>([]);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<Page<T>>('GET', path)
      .then((p) => setItems(p.items))
      .catch((err) => setError(messageOf(err)));
  }, [path, tick, ...deps]);
  return { items, error, setError, reload: () => setTick((t) => t + 1) };
}

/** A `datetime-local` value as a date (the browser's time zone), or undefined when empty. */
function localDate(value: string): Date | undefined {
  if (value === '') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A new silence: matchers in Alertmanager's syntax, start, end or duration, comment. */
function NewSilence(props: {
  readonly createdBy: string;
  readonly onCreated: (text: string) => void;
}) {
  const [text, setText] = useState('');
  const [starts, setStarts] = useState('');
  const [ends, setEnds] = useState('');
  const [hours, setHours] = useState('2');
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  let matchers: Matcher[] = [];
  let parseError = '';
  try {
    matchers = parseMatchers(text);
  } catch (err) {
    parseError = messageOf(err);
  }
  const { count, error: countError } = useMatchCount(matchers);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const start = localDate(starts) ?? new Date();
    const end = localDate(ends) ?? new Date(start.getTime() + Number(hours) * 3_600_000);
    try {
      await createSilence({
        matchers,
        startsAt: start,
        endsAt: end,
        createdBy: props.createdBy,
        comment,
      });
      setText('');
      setComment('');
      props.onCreated(`Silence created for ${count ?? 0} open alert${count === 1 ? '' : 's'}.`);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="editor" onSubmit={submit} aria-labelledby="new-silence">
      <h2 id="new-silence">New silence</h2>
      <label>
        Matchers (Alertmanager syntax)
        <input
          name="matchers"
          value={text}
          required
          placeholder='alertname="DiskFull", instance=~"db-.*"'
          aria-invalid={parseError !== ''}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <MatchCount
        matchers={matchers}
        count={count}
        empty={parseError === '' ? 'Enter at least one matcher.' : parseError}
      />
      <div class="row">
        <label>
          Starts (empty: now)
          <input
            type="datetime-local"
            value={starts}
            onInput={(e) => setStarts(e.currentTarget.value)}
          />
        </label>
        <label>
          Ends
          <input
            type="datetime-local"
            value={ends}
            onInput={(e) => setEnds(e.currentTarget.value)}
          />
        </label>
        <label>
          or duration (hours)
          <input
            type="number"
            min="0.25"
            step="0.25"
            value={hours}
            disabled={ends !== ''}
            onInput={(e) => setHours(e.currentTarget.value)}
          />
        </label>
      </div>
      <label>
        Comment
        <input
          name="comment"
          value={comment}
          required
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </label>
      <Notice text={error || countError} error />
      <div class="actions">
        <button type="submit" disabled={matchers.length === 0}>
          Create silence
        </button>
      </div>
    </form>
  );
}

export function SilencesPage(props: { readonly createdBy: string }) {
  const [status, setStatus] = useState('active,pending');
  const [created, setCreated] = useState('');
  const list = useList<Silence>(`/v1/silences${qs({ status, limit: '200' })}`);
  const expire = async (s: Silence) => {
    try {
      await api('POST', `/v1/silences/${encodeURIComponent(s.id)}/expire`);
      list.reload();
    } catch (err) {
      list.setError(messageOf(err));
    }
  };
  return (
    <PageFrame title="Silences">
      <NewSilence
        createdBy={props.createdBy}
        onCreated={(text) => {
          setCreated(text);
          list.reload();
        }}
      />
      <Notice text={created} />
      <label>
        Show{' '}
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="active,pending">active and pending</option>
          <option value="expired">expired</option>
        </select>
      </label>
      <Notice text={list.error} error />
      <table>
        <caption class="sr-only">Silences</caption>
        <thead>
          <tr>
            <th scope="col">Matchers</th>
            <th scope="col">Ends</th>
            <th scope="col">By</th>
            <th scope="col">Comment</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((s) => (
            <tr key={s.id}>
              <td>
                <code>{s.matchers.map(matcherText).join(', ')}</code>
              </td>
              <td>
                <time dateTime={s.ends_at}>{new Date(s.ends_at).toLocaleString()}</time>
              </td>
              <td>{s.created_by}</td>
              <td>{s.comment}</td>
              <td>
                {status !== 'expired' && (
                  <button type="button" onClick={() => expire(s)}>
                    Expire
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

interface AuditEvent {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly result: string;
}

export function AuditPage() {
  const [filter, setFilter] = useState({ actor: '', action: '', entity_type: '' });
  const [items, setItems] = useState<readonly AuditEvent[]>([]);
  const [error, setError] = useState('');
  const [verdict, setVerdict] = useState('');
  useEffect(() => {
    // The newest events: the last page of the chain in order, read from the start (at most 1,000).
    api<{ items: AuditEvent[] }>('GET', `/v1/audit${qs({ ...filter, limit: '1000' })}`)
      .then((p) => setItems(p.items.slice(-200).reverse()))
      .catch((err) => setError(messageOf(err)));
  }, [filter.actor, filter.action, filter.entity_type]);
  const verify = async () => {
    try {
      const v = await api<{ ok: boolean; length: number; index?: number; reason?: string }>(
        'GET',
        '/v1/audit/verify',
      );
      setVerdict(
        v.ok
          ? `The chain verifies: ${v.length} events.`
          : `The chain is broken at event ${v.index ?? '?'}: ${v.reason ?? ''}`,
      );
    } catch (err) {
      setVerdict(messageOf(err));
    }
  };
  const field = (name: keyof typeof filter, label: string) => (
    <label>
      {label}
      <input
        value={filter[name]}
        onChange={(e) => setFilter({ ...filter, [name]: e.currentTarget.value.trim() })}
      />
    </label>
  );
  return (
    <PageFrame
      title="Audit trail"
      actions={
        <button type="button" onClick={verify}>
          Verify the chain
        </button>
      }
    >
      <p role="status">{verdict}</p>
      <form class="filters" aria-label="Filter audit events" onSubmit={(e) => e.preventDefault()}>
        {field('entity_type', 'Entity type')}
        {field('action', 'Action')}
        {field('actor', 'Actor')}
      </form>
      <Notice text={error} error />
      <table>
        <caption class="sr-only">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">At</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Entity</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </td>
              <td>{e.actor}</td>
              <td>
                {e.action}
                {e.result === 'failure' ? ' (failed)' : ''}
              </td>
              <td>
                {e.entity_type} <code>{e.entity_id}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PageFrame>
  );
}

interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly prefix?: string;
  readonly expires_at: string | null;
  readonly revoked_at?: string | null;
  readonly last_used_at?: string | null;
}

export function KeysPage() {
  const list = useList<ApiKey>('/v1/keys?limit=200');
  const [shown, setShown] = useState('');
  const create = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const issued = await api<{ key: string }>('POST', '/v1/keys', {
        name: String(form.get('name') ?? ''),
        role: String(form.get('role') ?? 'viewer'),
      });
      setShown(issued.key);
      list.reload();
    } catch (err) {
      list.setError(messageOf(err));
    }
  };
  const revoke = async (k: ApiKey) => {
    if (!window.confirm(`Revoke the key ${k.name}?`)) return;
    try {
      await api('DELETE', `/v1/keys/${encodeURIComponent(k.id)}`);
      list.reload();
    } catch (err) {
      list.setError(messageOf(err));
    }
  };
  return (
    <PageFrame title="API keys">
      <form class="filters" onSubmit={create} aria-label="Issue a key">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Role
          <select name="role">
            {['viewer', 'responder', 'editor', 'admin', 'owner'].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Issue key</button>
      </form>
      {shown !== '' && (
        <p role="status" class="notice">
          The new key, shown once: <code class="secret">{shown}</code>
        </p>
      )}
      <Notice text={list.error} error />
      <table>
        <caption class="sr-only">API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.role}</td>
              <td>{k.last_used_at ?? 'never'}</td>
              <td>
                {k.revoked_at == null && (
                  <button type="button" onClick={() => revoke(k)}>
                    Revoke
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
