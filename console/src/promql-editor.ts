/**
 * The PromQL editor of the rule page (CodeMirror 6 with the Prometheus
 * project's PromQL language support: highlighting, completion of functions
 * and keywords). Loaded only by the rule editor (a separate chunk). Its
 * diagnostics are the server's verdict (`POST /v1/rules/validate`), not a
 * second parser's: the built-in linter is off.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** An issue at a 1-based line and column of the expression. */
export interface PositionedIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: 'error' | 'warning' | 'info';
}

/** The editor, as the rule page uses it. */
export interface PromqlEditor {
  /** Underlines the issues (replacing those shown). */
  show(issues: readonly PositionedIssue[]): void;
  destroy(): void;
}

/** Where an issue goes: from its position to the end of the word there (at least one character). */
function rangeOf(state: EditorState, issue: PositionedIssue): { from: number; to: number } {
  const doc = state.doc;
  const line = doc.line(Math.min(Math.max(issue.line, 1), doc.lines));
  let from = Math.min(line.from + Math.max(issue.column - 1, 0), line.to);
  if (from === line.to && from > line.from) from--;
  let to = from;
  const text = doc.sliceString(from, line.to);
  const word = /^[\w:.]+/.exec(text);
  to = from + Math.max(word?.[0].length ?? 1, 1);
  return { from, to: Math.min(to, doc.length) };
}

/** Mounts the editor in `parent`. */
export function createPromqlEditor(
  parent: HTMLElement,
  initial: string,
  onChange: (text: string) => void,
  label: string,
): PromqlEditor {
  const promql = new PromQLExtension().activateLinter(false).activateCompletion(true);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        syntaxHighlighting(defaultHighlightStyle),
        promql.asExtension(),
        placeholder('rate(http_requests_total{code=~"5.."}[5m]) > 1'),
        EditorView.lineWrapping,
        // The page's Content-Security-Policy admits the editor's style element by this nonce.
        EditorView.cspNonce.of(
          document.querySelector('meta[name="style-nonce"]')?.getAttribute('content') ?? '',
        ),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    show(issues) {
      const state = view.state;
      const diagnostics: Diagnostic[] = issues.map((i) => ({
        ...rangeOf(state, i),
        severity: i.severity,
        message: i.message,
        source: 'alertbase',
      }));
      view.dispatch(setDiagnostics(state, diagnostics));
    },
    destroy: () => view.destroy(),
  };
}
