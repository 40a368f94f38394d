/**
 * Notification channels: the list, and a form per channel type (read from
 * the service's OpenAPI document) to create or edit one; secrets are entered,
 * never shown back. "Send test notification" calls
 * `POST /v1/channels/{id}/test` and shows what the receiver did.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from './api.js';
import {
  type ChannelTypeSpec,
  channelTypesOf,
  configOf,
  type FieldSpec,
  valueAt,
} from './channel-schema.js';
import { messageOf, Notice, Page as PageFrame } from './ui.js';

let loaded: Promise<ChannelTypeSpec[]> | undefined;

/** The channel types the service accepts, from its OpenAPI document (read once per page load). */
function channelTypes(): Promise<ChannelTypeSpec[]> {
  loaded ??= api<unknown>('GET', '/docs/json', undefined, null).then(channelTypesOf);
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

interface Channel {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly version: number;
  readonly config: Record<string, unknown>;
}

interface TestResult {
  readonly result: 'delivered' | 'failed';
  readonly status: number | null;
  readonly error: string | null;
  readonly code: string | null;
  readonly duration_ms: number;
}

/** What a test did, as a sentence. */
function testText(r: TestResult): string {
  if (r.result === 'delivered') {
    return `Delivered: the receiver answered ${r.status ?? 'OK'} in ${r.duration_ms} ms.`;
  }
  const status = r.status === null ? '' : ` (status ${r.status})`;
  return `Failed${status}: ${r.error ?? r.code ?? 'no answer'}`;
}

/** The "Send test notification" button of a channel, and its result. */
function TestButton(props: { readonly channel: Channel }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; error: boolean }>({
    text: '',
    error: false,
  });
  const run = async () => {
    setBusy(true);
    setResult({ text: '', error: false });
    try {
      const r = await api<TestResult>(
        'POST',
        `/v1/channels/${encodeURIComponent(props.channel.id)}/test`,
      );
      setResult({ text: testText(r), error: r.result !== 'delivered' });
    } catch (err) {
      setResult({ text: messageOf(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="test-send">
      <button
        type="button"
        onClick={run}
        disabled={busy}
        aria-describedby={`test-${props.channel.id}`}
      >
        {busy ? 'Sending…' : 'Send test notification'}
      </button>
      <span class="sr-only" id={`test-${props.channel.id}`}>
        through {props.channel.name}
      </span>
      <Notice text={result.text} error={result.error} />
    </div>
  );
}

export function ChannelsPage() {
  const [items, setItems] = useState<readonly Channel[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Page<Channel>>('GET', '/v1/channels?limit=200')
      .then((p) => setItems(p.items))
      .catch((err) => setError(messageOf(err)));
  }, []);
  return (
    <PageFrame
      title="Channels"
      actions={
        <a class="button" href="#/channels/new">
          New channel
        </a>
      }
    >
      <Notice text={error} error />
      <table>
        <caption class="sr-only">Notification channels</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Enabled</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/channels/${encodeURIComponent(c.id)}`}>{c.name}</a>
              </td>
              <td>{c.type}</td>
              <td>{c.enabled ? 'yes' : 'no'}</td>
              <td>
                <TestButton channel={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PageFrame>
  );
}

type Values = Record<string, string | boolean>;

/** The form's values of a stored configuration (secrets left empty). */
function valuesOf(spec: ChannelTypeSpec, config: Record<string, unknown> | undefined): Values {
  const values: Values = {};
  for (const f of spec.fields) {
    const stored = config === undefined ? undefined : valueAt(config, f.path);
    if (f.kind === 'boolean') {
      values[f.path] = typeof stored === 'boolean' ? stored : f.defaultValue === true;
    } else if (f.kind === 'secret' || stored === undefined || stored === null) {
      values[f.path] = '';
    } else values[f.path] = Array.isArray(stored) ? stored.join(', ') : String(stored);
  }
  return values;
}

/** The label of a field: its path, spelled out (`smtp.authPassword` → "smtp auth password"). */
function labelOf(f: FieldSpec): string {
  return f.path.replace(/\./g, ' ').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => {
    return `${a} ${b.toLowerCase()}`;
  });
}

function Field(props: {
  readonly field: FieldSpec;
  readonly value: string | boolean;
  readonly storedSecret: boolean;
  readonly onChange: (value: string | boolean) => void;
}) {
  const f = props.field;
  const label = labelOf(f);
  const hint = [
    f.kind === 'list' ? 'comma-separated' : '',
    f.defaultValue !== undefined && f.defaultValue !== null && f.kind !== 'boolean'
      ? `default ${Array.isArray(f.defaultValue) ? f.defaultValue.join(', ') || 'none' : String(f.defaultValue)}`
      : '',
    f.kind === 'secret' && props.storedSecret ? 'stored, not shown; leave empty to keep' : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  if (f.kind === 'boolean') {
    return (
      <label class="check">
        <input
          type="checkbox"
          name={f.path}
          checked={props.value === true}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />{' '}
        {label}
      </label>
    );
  }
  const text = typeof props.value === 'string' ? props.value : '';
  const id = `field-${f.path}`;
  const described = hint === '' ? undefined : `hint-${f.path}`;
  const common = {
    id,
    name: f.path,
    autoComplete: 'off',
    required: f.required,
    value: text,
    'aria-describedby': described,
    onInput: (e: Event) => props.onChange((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label htmlFor={id}>
        {label}
        {f.required ? ' (required)' : ''}
      </label>
      {f.kind === 'choice' ? (
        <select
          id={id}
          name={f.path}
          value={text}
          aria-describedby={described}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        >
          {!f.required && <option value="">(default)</option>}
          {(f.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : f.kind === 'secret' ? (
        <input
          id={id}
          name={f.path}
          type="password"
          autoComplete="new-password"
          required={f.required && !props.storedSecret}
          value={text}
          aria-describedby={described}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      ) : f.format === 'url' ? (
        <input type="url" {...common} />
      ) : f.format === 'email' ? (
        <input type="email" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      {described !== undefined && (
        <small id={described} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** Create (`id` undefined) or edit a channel. */
export function ChannelEditor(props: { readonly id: string | undefined }) {
  const [types, setTypes] = useState<ChannelTypeSpec[]>([]);
  const [channel, setChannel] = useState<Channel | undefined>();
  const [type, setType] = useState('');
  const [name, setName] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [values, setValues] = useState<Values>({});
  const [notice, setNotice] = useState({ text: '', error: false });

  useEffect(() => {
    const load = async () => {
      const specs = await channelTypes();
      setTypes(specs);
      if (props.id === undefined) {
        const first = specs.find((s) => s.type === 'webhook') ?? specs[0];
        if (first !== undefined) {
          setType(first.type);
          setValues(valuesOf(first, undefined));
        }
        return;
      }
      const c = await api<Channel>('GET', `/v1/channels/${encodeURIComponent(props.id)}`);
      setChannel(c);
      setName(c.name);
      setEnabled(c.enabled);
      setType(c.type);
      const spec = specs.find((s) => s.type === c.type);
      if (spec !== undefined) setValues(valuesOf(spec, c.config));
    };
    load().catch((err) => setNotice({ text: messageOf(err), error: true }));
  }, [props.id]);

  const spec = types.find((s) => s.type === type);
  const storedSecret = (path: string) =>
    channel !== undefined && channel.type === type && valueAt(channel.config, path) != null;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (spec === undefined) return;
    setNotice({ text: '', error: false });
    const config = configOf(spec, values);
    try {
      if (channel === undefined) {
        const created = await api<Channel>('POST', '/v1/channels', { name, enabled, config });
        setNotice({ text: `Created ${created.name}.`, error: false });
        location.hash = `#/channels/${encodeURIComponent(created.id)}`;
        return;
      }
      const patch: Record<string, unknown> = { name, enabled };
      const before = JSON.stringify(configOf(spec, valuesOf(spec, channel.config)));
      const changed = channel.type !== type || JSON.stringify(config) !== before;
      if (changed) {
        // A changed configuration replaces the stored one: its secrets must be given again.
        const missing = spec.fields.filter(
          (f) => f.kind === 'secret' && storedSecret(f.path) && values[f.path] === '',
        );
        if (missing.length > 0) {
          setNotice({
            text: `Enter ${missing.map(labelOf).join(', ')} again: a changed configuration replaces the stored one, and secrets are not shown back.`,
            error: true,
          });
          return;
        }
        patch.config = config;
      }
      const saved = await api<Channel>(
        'PATCH',
        `/v1/channels/${encodeURIComponent(channel.id)}`,
        patch,
      );
      setChannel(saved);
      setValues(valuesOf(spec, saved.config));
      setNotice({ text: `Saved ${saved.name} (version ${saved.version}).`, error: false });
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };

  return (
    <PageFrame title={channel === undefined ? 'New channel' : `Channel ${channel.name}`}>
      <p>
        <a href="#/channels">All channels</a>
      </p>
      <form class="editor" onSubmit={submit} aria-label="Channel">
        <label>
          Name (required)
          <input
            name="name"
            value={name}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Type
          <select
            name="type"
            value={type}
            onChange={(e) => {
              const next = types.find((s) => s.type === e.currentTarget.value);
              setType(e.currentTarget.value);
              if (next !== undefined)
                setValues(valuesOf(next, channel?.type === next.type ? channel.config : undefined));
            }}
          >
            {types.map((s) => (
              <option key={s.type} value={s.type}>
                {s.type}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="enabled"
            checked={enabled}
            onChange={(e) => setEnabled(e.currentTarget.checked)}
          />{' '}
          Enabled
        </label>
        {spec !== undefined && (
          <fieldset>
            <legend>{spec.type} settings</legend>
            {spec.fields.map((f) => (
              <Field
                key={`${spec.type}:${f.path}`}
                field={f}
                value={values[f.path] ?? ''}
                storedSecret={storedSecret(f.path)}
                onChange={(v) => setValues({ ...values, [f.path]: v })}
              />
            ))}
          </fieldset>
        )}
        <div class="actions">
          <button type="submit" disabled={spec === undefined}>
            {channel === undefined ? 'Create channel' : 'Save'}
          </button>
        </div>
        <Notice text={notice.text} error={notice.error} />
      </form>
      {channel !== undefined && <TestButton channel={channel} />}
    </PageFrame>
  );
}
