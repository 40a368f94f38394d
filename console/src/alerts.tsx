/**
 * Alerts: live (refetched when `/v1/events` reports an alert change),
 * filtered by status, level and Alertmanager matchers, grouped by a label;
 * acknowledge, resolve, and silence from an alert. An alert's page shows its
 * labels, annotations, links and timeline (from the audit trail).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Alert, api, type Me, type Page, qs } from './api.js';
import { followEvents, type StreamState } from './events.js';
import { type Matcher, matchesAll, parseMatchers } from './matchers.js';
import { createSilence, MatchCount, useMatchCount } from './silence-form.js';
import { Labels, messageOf, Notice, Page as PageFrame, SafeLink } from './ui.js';

const OPEN = 'firing,acknowledged,suppressed';
const STATUSES = ['firing', 'acknowledged', 'suppressed', 'resolved', 'expired'];
const LEVELS = ['info', 'low', 'medium', 'high', 'critical'];

/** Every page of open alerts the filters select (at most 10 pages of 200). */
async function loadAlerts(status: string, level: string): Promise<Alert[]> {
  const out: Alert[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await api<Page<Alert>>(
      'GET',
      `/v1/alerts${qs({ status, level, limit: '200', cursor })}`,
    );
    out.push(...page.items);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return out;
}

export function AlertsPage(props: { readonly me: Me }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [status, setStatus] = useState(OPEN);
  const [level, setLevel] = useState('');
  const [matcherInput, setMatcherInput] = useState('');
  const [groupBy, setGroupBy] = useState('');
  const [stream, setStream] = useState<StreamState>('connecting');
  const [notice, setNotice] = useState({ text: '', error: false });
  const [silencing, setSilencing] = useState<Alert | undefined>();
  const reload = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stale = false;
    const load = () =>
      loadAlerts(status, level)
        .then((a) => {
          if (!stale) setAlerts(a);
        })
        .catch((err) => setNotice({ text: messageOf(err), error: true }));
    reload.current = load;
    load();
    return () => {
      stale = true;
    };
  }, [status, level]);

  useEffect(() => {
    let timer: number | undefined;
    const stop = followEvents((e) => {
      if (e.event !== 'alert' && e.event !== 'change') return;
      clearTimeout(timer);
      timer = window.setTimeout(() => reload.current(), 150);
    }, setStream);
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, []);

  let matchers: Matcher[] = [];
  let matcherError = '';
  try {
    matchers = parseMatchers(matcherInput);
  } catch (err) {
    matcherError = messageOf(err);
  }
  const shown = alerts.filter((a) => matchesAll(a.labels, matchers));
  const labelNames = useMemo(
    () => [...new Set(alerts.flatMap((a) => Object.keys(a.labels)))].sort(),
    [alerts],
  );
  const groups = new Map<string, Alert[]>();
  for (const a of shown) {
    const key = groupBy === '' ? '' : (a.labels[groupBy] ?? '(none)');
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }

  const act = async (alert: Alert, action: string) => {
    try {
      await api('POST', `/v1/alerts/${encodeURIComponent(alert.id)}/${action}`);
      setNotice({ text: `${action}: ${alert.labels.alertname ?? alert.id}`, error: false });
      reload.current();
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };

  return (
    <PageFrame
      title="Alerts"
      actions={
        <span class={`live ${stream}`} role="status" aria-live="polite">
          {stream === 'live'
            ? 'Live'
            : stream === 'connecting'
              ? 'Connecting…'
              : 'Offline, retrying'}
        </span>
      }
    >
      <form class="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value={OPEN}>open</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value={STATUSES.join(',')}>all</option>
          </select>
        </label>
        <label>
          Level at least
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="">any</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Matchers
          <input
            value={matcherInput}
            placeholder='severity="critical", team=~"db|web"'
            aria-invalid={matcherError !== ''}
            aria-describedby="matcher-error"
            onInput={(e) => setMatcherInput(e.currentTarget.value)}
          />
        </label>
        <label>
          Group by
          <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            <option value="">nothing</option>
            {labelNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p id="matcher-error" class="field-error">
        {matcherError}
      </p>
      <Notice text={notice.text} error={notice.error} />
      <p class="count" aria-live="polite">
        {shown.length} alert{shown.length === 1 ? '' : 's'}
      </p>
      {[...groups.entries()].map(([key, items]) => (
        <section
          key={key}
          class="group"
          aria-label={groupBy === '' ? 'alerts' : `${groupBy}=${key}`}
        >
          {groupBy !== '' && (
            <h2>
              {groupBy}={key} <span class="badge">{items.length}</span>
            </h2>
          )}
          <ul class="alerts">
            {items.map((a) => (
              <li key={a.id} class={`alert level-${a.level}`} data-alert-id={a.id}>
                <div class="alert-head">
                  <a href={`#/alerts/${encodeURIComponent(a.id)}`} class="name">
                    {a.labels.alertname ?? a.fingerprint}
                  </a>
                  <span class={`status status-${a.status}`}>{a.status}</span>
                  <span class="level">{a.level}</span>
                  <time dateTime={a.starts_at}>{new Date(a.starts_at).toLocaleString()}</time>
                </div>
                {a.annotations.summary !== undefined && (
                  <p class="summary">{a.annotations.summary}</p>
                )}
                <Labels labels={a.labels} />
                <div class="actions">
                  {a.status === 'firing' && (
                    <button type="button" onClick={() => act(a, 'acknowledge')}>
                      Acknowledge
                    </button>
                  )}
                  {(a.status === 'firing' || a.status === 'acknowledged') && (
                    <button type="button" onClick={() => act(a, 'resolve')}>
                      Resolve
                    </button>
                  )}
                  {a.status !== 'resolved' && a.status !== 'expired' && (
                    <button type="button" onClick={() => setSilencing(a)}>
                      Silence…
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {silencing !== undefined && (
        <SilenceDialog
          alert={silencing}
          createdBy={props.me.user?.email ?? props.me.actor}
          onClose={(done) => {
            setSilencing(undefined);
            if (done !== undefined) setNotice({ text: done, error: false });
            reload.current();
          }}
        />
      )}
    </PageFrame>
  );
}

/** A silence pre-filled with the alert's labels, showing how many open alerts it would match. */
function SilenceDialog(props: {
  readonly alert: Alert;
  readonly createdBy: string;
  readonly onClose: (done?: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const names = Object.keys(props.alert.labels).sort();
  const [chosen, setChosen] = useState<Set<string>>(new Set(names));
  const [hours, setHours] = useState('2');
  const [comment, setComment] = useState('');
  const [error, setError] = useState('');
  const matchers: Matcher[] = names
    .filter((n) => chosen.has(n))
    .map((n) => ({ name: n, value: props.alert.labels[n] ?? '', isRegex: false, isEqual: true }));
  const { count, error: countError } = useMatchCount(matchers);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const start = new Date();
    try {
      await createSilence({
        matchers,
        startsAt: start,
        endsAt: new Date(start.getTime() + Number(hours) * 3_600_000),
        createdBy: props.createdBy,
        comment,
      });
      props.onClose(`silence created for ${count ?? 0} open alerts`);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <dialog ref={dialog} aria-labelledby="silence-title" onClose={() => props.onClose()}>
      <form onSubmit={submit}>
        <h2 id="silence-title">Silence alerts like {props.alert.labels.alertname ?? 'this one'}</h2>
        <fieldset>
          <legend>Match these labels</legend>
          {names.map((n) => (
            <label key={n} class="check">
              <input
                type="checkbox"
                checked={chosen.has(n)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.currentTarget.checked) next.add(n);
                  else next.delete(n);
                  setChosen(next);
                }}
              />{' '}
              {n}="{props.alert.labels[n]}"
            </label>
          ))}
        </fieldset>
        <MatchCount matchers={matchers} count={count} />
        <label>
          Duration (hours)
          <input
            type="number"
            min="0.25"
            step="0.25"
            value={hours}
            required
            onInput={(e) => setHours(e.currentTarget.value)}
          />
        </label>
        <label>
          Comment
          <input value={comment} required onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        <Notice text={error || countError} error />
        <div class="actions">
          <button type="submit" disabled={matchers.length === 0}>
            Create silence
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

interface AuditItem {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly actor: string;
  readonly details: Record<string, unknown>;
}

interface Sent {
  readonly id: string;
  readonly channel_id: string;
  readonly state: string;
  readonly created_at: string;
}

export function AlertDetail(props: { readonly id: string }) {
  const [alert, setAlert] = useState<Alert | undefined>();
  const [timeline, setTimeline] = useState<AuditItem[]>([]);
  const [sent, setSent] = useState<readonly Sent[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Alert>('GET', `/v1/alerts/${encodeURIComponent(props.id)}`)
      .then(setAlert)
      .catch((err) => setError(messageOf(err)));
    api<{ items: AuditItem[] }>(
      'GET',
      `/v1/audit${qs({ entity_type: 'Alert', entity_id: props.id })}`,
    )
      .then((p) => setTimeline(p.items.filter((e) => e.action !== 'read')))
      .catch(() => undefined);
    api<{ items: Sent[] }>('GET', `/v1/notifications${qs({ alert_id: props.id })}`)
      .then((p) => setSent(p.items))
      .catch(() => undefined);
  }, [props.id]);
  if (alert === undefined) return <Notice text={error || 'Loading…'} error={error !== ''} />;
  return (
    <PageFrame title={alert.labels.alertname ?? alert.fingerprint}>
      <p>
        <span class={`status status-${alert.status}`}>{alert.status}</span> {alert.level} ·{' '}
        {alert.priority} · since {new Date(alert.starts_at).toLocaleString()}
        {alert.acknowledged_by !== null && ` · acknowledged by ${alert.acknowledged_by}`}
      </p>
      <h2>Labels</h2>
      <Labels labels={alert.labels} />
      <h2>Annotations</h2>
      <dl class="annotations">
        {Object.entries(alert.annotations).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{/^https?:\/\//.test(v) ? <SafeLink href={v}>{v}</SafeLink> : v}</dd>
          </div>
        ))}
      </dl>
      {alert.generator_url !== null && (
        <p>
          Source: <SafeLink href={alert.generator_url}>{alert.generator_url}</SafeLink>
        </p>
      )}
      <h2>Notifications</h2>
      {sent.length === 0 ? (
        <p>None sent.</p>
      ) : (
        <ul>
          {sent.map((n) => (
            <li key={n.id}>
              {n.state} · channel <code>{n.channel_id}</code> ·{' '}
              <time dateTime={n.created_at}>{new Date(n.created_at).toLocaleString()}</time>
            </li>
          ))}
        </ul>
      )}
      <h2>Timeline</h2>
      <ol class="timeline">
        {timeline.map((e) => (
          <li key={e.seq}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> {e.actor}:{' '}
            {String(e.details.action ?? e.action)}
            {e.details.to !== undefined && ` → ${String(e.details.to)}`}
          </li>
        ))}
      </ol>
      <p>
        <a href="#/alerts">Back to alerts</a>
      </p>
    </PageFrame>
  );
}
