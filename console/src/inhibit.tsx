/**
 * Inhibition rules (`/v1/inhibit-rules`): while an alert matching the
 * source matchers fires, alerts matching the target matchers with the same
 * values of the `equal` labels are muted. List, create, delete.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { type Matcher, matcherText, parseMatchers } from './matchers.js';
import { useList } from './pages.js';
import { messageOf, Notice, Page as PageFrame } from './ui.js';

interface InhibitRule {
  readonly id: string;
  readonly name: string;
  readonly source_matchers: readonly Matcher[];
  readonly target_matchers: readonly Matcher[];
  readonly equal: readonly string[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function InhibitRulesPage() {
  const list = useList<InhibitRule>('/v1/inhibit-rules?limit=200');
  const [notice, setNotice] = useState({ text: '', error: false });
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '');
    setNotice({ text: '', error: false });
    try {
      const equal = text('equal')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = equal.find((l) => !LABEL_NAME.test(l));
      if (bad !== undefined) throw new Error(`"${bad}" is not a label name`);
      const rule = await api<InhibitRule>('POST', '/v1/inhibit-rules', {
        name: text('name').trim(),
        source_matchers: parseMatchers(text('source')),
        target_matchers: parseMatchers(text('target')),
        equal,
      });
      form.reset();
      setNotice({ text: `Created ${rule.name}.`, error: false });
      list.reload();
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };
  const remove = async (r: InhibitRule) => {
    if (!window.confirm(`Delete the inhibition rule ${r.name}?`)) return;
    try {
      await api('DELETE', `/v1/inhibit-rules/${encodeURIComponent(r.id)}`);
      setNotice({ text: `Deleted ${r.name}.`, error: false });
      list.reload();
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };
  return (
    <PageFrame title="Inhibition rules">
      <form class="editor" onSubmit={create} aria-labelledby="new-inhibit">
        <h2 id="new-inhibit">New inhibition rule</h2>
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Source matchers: while these fire…
          <input name="source" required placeholder='severity="critical"' />
        </label>
        <label>
          Target matchers: …mute these
          <input name="target" required placeholder='severity="warning"' />
        </label>
        <label>
          Equal labels (comma-separated)
          <input name="equal" placeholder="alertname, cluster" />
        </label>
        <div class="actions">
          <button type="submit">Create inhibition rule</button>
        </div>
      </form>
      <Notice text={notice.text || list.error} error={notice.error || list.error !== ''} />
      <table>
        <caption class="sr-only">Inhibition rules</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Source</th>
            <th scope="col">Target</th>
            <th scope="col">Equal</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((r) => (
            <tr key={r.id}>
              <td>{r.name}</td>
              <td>
                <code>{r.source_matchers.map(matcherText).join(', ')}</code>
              </td>
              <td>
                <code>{r.target_matchers.map(matcherText).join(', ')}</code>
              </td>
              <td>{r.equal.join(', ')}</td>
              <td>
                <button type="button" aria-label={`Delete ${r.name}`} onClick={() => remove(r)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PageFrame>
  );
}
