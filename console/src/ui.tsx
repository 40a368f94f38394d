/** Small shared pieces of the console's pages. */
import type { ComponentChildren } from 'preact';
import { ApiError } from './api.js';

/** An error as a message a person can act on. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    const errors = err.problem.errors;
    const first =
      Array.isArray(errors) && errors.length > 0
        ? (errors[0] as { detail?: string; message?: string; pointer?: string })
        : undefined;
    const extra =
      first === undefined ? '' : ` (${first.pointer ?? ''} ${first.detail ?? first.message ?? ''})`;
    return `${err.message}${extra}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A polite live region for the result of an action. */
export function Notice(props: { readonly text: string; readonly error?: boolean }) {
  if (props.text === '') return null;
  return (
    <p
      class={props.error === true ? 'notice error' : 'notice'}
      role={props.error === true ? 'alert' : 'status'}
    >
      {props.text}
    </p>
  );
}

/** Labels as chips (rendered as text: label values are not trusted). */
export function Labels(props: { readonly labels: Record<string, string> }) {
  return (
    <ul class="labels" aria-label="labels">
      {Object.entries(props.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => (
          <li key={k}>
            <span class="k">{k}</span>=<span class="v">{v}</span>
          </li>
        ))}
    </ul>
  );
}

/** A page's heading and body. */
export function Page(props: {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly actions?: ComponentChildren;
}) {
  return (
    <section aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

/** A link is followed only when it is http(s): `javascript:` and friends render as text. */
export function SafeLink(props: {
  readonly href: string | null;
  readonly children: ComponentChildren;
}) {
  const href = props.href;
  if (href === null) return null;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(href).protocol);
  } catch {
    ok = false;
  }
  return ok ? (
    <a href={href} rel="noopener noreferrer" target="_blank">
      {props.children}
    </a>
  ) : (
    <span class="unsafe-link">{href}</span>
  );
}
