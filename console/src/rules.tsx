/**
 * Rules: the list, and an editor whose every change is checked by
 * `POST /v1/rules/validate` (the five levels, the verdict the server gives
 * on save), each issue listed with its path and, in the PromQL expression,
 * underlined at its position. The editor's code is loaded on this page only.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, credential, type Page } from './api.js';
import type { PromqlEditor } from './promql-editor.js';
import { messageOf, Notice, Page as PageFrame } from './ui.js';

interface Rule {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly level: string;
  readonly priority: string;
  readonly condition: string;
  /** Milliseconds on the wire. */
  readonly for?: number | string | null;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly enabled: boolean;
  readonly version: number;
}

interface Finding {
  readonly code: string;
  readonly message: string;
  readonly level: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

interface Verdict {
  readonly valid: boolean;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  readonly infos: readonly Finding[];
}

const LEVELS = ['info', 'low', 'medium', 'high', 'critical'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** Downloads the rules as a Prometheus rule file. */
async function exportRules(): Promise<void> {
  const token = credential();
  const res = await fetch('/v1/rules/export', {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = 'alertbase-rules.yml';
  a.click();
  URL.revokeObjectURL(url);
}

export function RulesPage() {
  const [rules, setRules] = useState<readonly Rule[]>([]);
  const [error, setError] = useState('');
  const [imported, setImported] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<Page<Rule>>('GET', '/v1/rules?limit=200')
      .then((p) => setRules(p.items))
      .catch((err) => setError(messageOf(err)));
  }, [tick]);
  /** Imports a Prometheus rule file (`POST /v1/rules/import`, one transaction). */
  const importFile = async (file: File | undefined) => {
    if (file === undefined) return;
    setError('');
    try {
      const answer = await api<{ counts: Record<string, number> }>(
        'POST',
        '/v1/rules/import',
        file,
      );
      const c = answer.counts;
      setImported(
        `Imported ${file.name}: ${c.created ?? 0} created, ${c.updated ?? 0} updated, ${c.rejected ?? 0} rejected.`,
      );
      setTick((n) => n + 1);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <PageFrame
      title="Rules"
      actions={
        <span class="head-actions">
          <a class="button" href="#/rules/new">
            New rule
          </a>
          <button type="button" onClick={exportRules}>
            Export
          </button>
        </span>
      }
    >
      <section
        class="drop"
        aria-label="Import"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          void importFile(e.dataTransfer?.files[0]);
        }}
      >
        <label>
          Import a Prometheus rule file (or drop it here)
          <input
            type="file"
            accept=".yml,.yaml,application/yaml"
            onChange={(e) => void importFile(e.currentTarget.files?.[0])}
          />
        </label>
      </section>
      <Notice text={imported} />
      <Notice text={error} error />
      <table>
        <caption class="sr-only">Alert rules</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Level</th>
            <th scope="col">Condition</th>
            <th scope="col">Enabled</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={`#/rules/${encodeURIComponent(r.id)}`}>{r.name}</a>
              </td>
              <td>{r.level}</td>
              <td>
                <code>{r.condition}</code>
              </td>
              <td>{r.enabled ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PageFrame>
  );
}

/** `k=v` lines as a map (blank lines skipped). */
function mapOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (line.trim() === '' || eq === -1) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** Milliseconds as a Prometheus duration (`5m`, `90s`); '' for none. */
function durationOf(value: number | string | null | undefined): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || value === 0) return '';
  for (const [unit, ms] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (value % ms === 0) return `${value / ms}${unit}`;
  }
  return `${value}ms`;
}

const linesOf = (m: Record<string, string> | undefined): string =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

export function RuleEditor(props: { readonly id: string | undefined }) {
  const [rule, setRule] = useState<Rule | undefined>();
  const [loaded, setLoaded] = useState(props.id === undefined);
  const [name, setName] = useState('');
  const [condition, setCondition] = useState('');
  const [level, setLevel] = useState('high');
  const [priority, setPriority] = useState('P2');
  const [forText, setFor] = useState('5m');
  const [labels, setLabels] = useState('');
  const [annotations, setAnnotations] = useState('');
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const [notice, setNotice] = useState({ text: '', error: false });
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<PromqlEditor | undefined>(undefined);

  useEffect(() => {
    if (props.id === undefined) return;
    api<Rule>('GET', `/v1/rules/${encodeURIComponent(props.id)}`)
      .then((r) => {
        setRule(r);
        setName(r.name);
        setCondition(r.condition);
        setLevel(r.level);
        setPriority(r.priority.toUpperCase());
        setFor(durationOf(r.for));
        setLabels(linesOf(r.labels));
        setAnnotations(linesOf(r.annotations));
        setLoaded(true);
      })
      .catch((err) => setNotice({ text: messageOf(err), error: true }));
  }, [props.id]);

  useEffect(() => {
    if (!loaded || host.current === null) return;
    let destroyed = false;
    const parent = host.current;
    void import('./promql-editor.js').then(({ createPromqlEditor }) => {
      if (destroyed) return;
      editor.current = createPromqlEditor(parent, condition, setCondition, 'Condition (PromQL)');
    });
    return () => {
      destroyed = true;
      editor.current?.destroy();
      editor.current = undefined;
    };
  }, [loaded]);

  const doc = {
    name,
    condition,
    level,
    priority,
    ...(forText.trim() === '' ? {} : { for: forText.trim() }),
    labels: mapOf(labels),
    annotations: mapOf(annotations),
  };
  const key = JSON.stringify(doc);

  useEffect(() => {
    if (!loaded) return;
    const timer = window.setTimeout(() => {
      // With its id, an existing rule is not a duplicate of itself.
      const checked = rule === undefined ? doc : { ...doc, id: rule.id };
      api<Verdict>('POST', '/v1/rules/validate', checked)
        .then((v) => {
          setVerdict(v);
          const all = [...v.errors, ...v.warnings, ...v.infos];
          editor.current?.show(
            all
              .filter((f) => f.path === '/condition' && f.line !== undefined)
              .map((f) => ({
                line: f.line ?? 1,
                column: f.column ?? 1,
                message: f.message,
                severity: f.severity,
              })),
          );
        })
        .catch((err) => setNotice({ text: messageOf(err), error: true }));
    }, 250);
    return () => clearTimeout(timer);
  }, [key, loaded, rule?.id]);

  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const saved =
        rule === undefined
          ? await api<Rule>('POST', '/v1/rules', doc)
          : await api<Rule>('PATCH', `/v1/rules/${encodeURIComponent(rule.id)}`, doc);
      setRule(saved);
      setNotice({ text: `Saved ${saved.name} (version ${saved.version})`, error: false });
      if (rule === undefined)
        history.replaceState(null, '', `#/rules/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setNotice({ text: messageOf(err), error: true });
    }
  };

  const findings =
    verdict === undefined ? [] : [...verdict.errors, ...verdict.warnings, ...verdict.infos];
  return (
    <PageFrame title={rule === undefined ? 'New rule' : `Rule: ${rule.name}`}>
      <form class="rule-form" onSubmit={save} aria-label="Rule">
        <label>
          Name
          <input value={name} required onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <div class="field">
          <span id="condition-label">Condition (PromQL)</span>
          <div ref={host} class="promql" />
        </div>
        <div class="row">
          <label>
            Level
            <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
              {LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select value={priority} onChange={(e) => setPriority(e.currentTarget.value)}>
              {PRIORITIES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            For
            <input
              value={forText}
              onInput={(e) => setFor(e.currentTarget.value)}
              placeholder="5m"
            />
          </label>
        </div>
        <label>
          Labels (one name=value a line)
          <textarea rows={3} value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />
        </label>
        <label>
          Annotations (one name=value a line)
          <textarea
            rows={3}
            value={annotations}
            onInput={(e) => setAnnotations(e.currentTarget.value)}
          />
        </label>
        <section class="verdict" aria-label="Validation" aria-live="polite">
          {verdict === undefined ? (
            <p>Checking…</p>
          ) : findings.length === 0 ? (
            <p class="ok">Valid: no findings.</p>
          ) : (
            <ul class="findings">
              {findings.map((f) => (
                <li key={`${f.path}:${f.code}:${f.message}`} class={`finding ${f.severity}`}>
                  <strong>{f.severity}</strong> {f.level} <code>{f.path || '/'}</code>
                  {f.line !== undefined && ` (line ${f.line}, column ${f.column ?? 1})`}:{' '}
                  {f.message}
                </li>
              ))}
            </ul>
          )}
        </section>
        <Notice text={notice.text} error={notice.error} />
        <div class="actions">
          <button type="submit" disabled={verdict?.valid !== true}>
            Save
          </button>
          <a href="#/rules">Back to rules</a>
        </div>
      </form>
    </PageFrame>
  );
}
