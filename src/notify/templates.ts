/**
 * The default notification text of every channel type, in one place: a
 * title as Alertmanager's default `__subject` writes it, and a body that
 * lists each alert by its `summary` and `description` annotations.
 */
import type { NotificationMessage, NotifiedAlert } from './types.js';

/** `text` cut to at most `max` characters (code units), ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

const sortedValues = (
  map: Readonly<Record<string, string>>,
  without?: Readonly<Record<string, string>>,
) =>
  Object.keys(map)
    .filter((k) => without === undefined || !Object.hasOwn(without, k))
    .sort()
    .map((k) => map[k] ?? '');

/**
 * The title of a notification, as Alertmanager's default template writes it:
 * `[FIRING:2] HighCPUUsage (web-1:9100 warning)`, `[RESOLVED] HighCPUUsage`,
 * and `[ACKNOWLEDGED] …` for an acknowledgement.
 *
 * @example
 * ```ts
 * notificationTitle(message); // '[FIRING:1] HighCPUUsage (web-1:9100 warning)'
 * ```
 */
export function notificationTitle(message: NotificationMessage): string {
  const firing = message.alerts.filter((a) => a.status === 'firing').length;
  const state =
    message.action === 'acknowledge'
      ? 'ACKNOWLEDGED'
      : message.status === 'firing'
        ? `FIRING:${firing}`
        : 'RESOLVED';
  const group = sortedValues(message.groupLabels).join(' ');
  const rest = sortedValues(message.commonLabels, message.groupLabels);
  return [`[${state}]`, group, rest.length > 0 ? `(${rest.join(' ')})` : '']
    .filter((p) => p !== '')
    .join(' ');
}

/** An alert's one-line summary: its `summary` annotation, else `description`, else `alertname`. */
export function alertSummary(alert: NotifiedAlert): string {
  return (
    alert.annotations.summary ??
    alert.annotations.description ??
    alert.labels.alertname ??
    alert.fingerprint
  );
}

/** An alert's description (the `description` annotation when it adds to the summary), or ''. */
export function alertDescription(alert: NotifiedAlert): string {
  const description = alert.annotations.description ?? '';
  return description === alertSummary(alert) ? '' : description;
}

/** `name="value"` pairs of a label set, sorted, comma-separated. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k] ?? '')}`)
    .join(', ');
}

/** One block of text per alert: status, summary, description, labels, source. */
function alertLines(alert: NotifiedAlert): string[] {
  const lines = [`[${alert.status.toUpperCase()}] ${alertSummary(alert)}`];
  const description = alertDescription(alert);
  if (description !== '') lines.push(`  ${description}`);
  lines.push(`  Labels: ${formatLabels(alert.labels)}`);
  lines.push(`  Since: ${alert.startsAt}`);
  if (alert.generatorURL !== '') lines.push(`  Source: ${alert.generatorURL}`);
  return lines;
}

/**
 * The plain-text body of a notification: the title, then each alert, then
 * how many were left out and a link to alertbase.
 */
export function notificationText(message: NotificationMessage): string {
  const lines = [notificationTitle(message), ''];
  for (const alert of message.alerts) lines.push(...alertLines(alert), '');
  if (message.truncatedAlerts > 0) lines.push(`… and ${message.truncatedAlerts} more alerts`, '');
  if (message.externalURL !== '') lines.push(`alertbase: ${message.externalURL}`);
  return lines.join('\n').trimEnd();
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * `url` when it is an absolute http(s) URL, else `''`: only those become
 * links (a `javascript:` or `data:` URL, which the models refuse anyway,
 * is never put in an `href`).
 */
export function linkable(url: string): string {
  return /^https?:\/\/[^\s]+$/i.test(url) ? url : '';
}

/** The HTML body of a notification e-mail: the same content as {@link notificationText}, escaped. */
export function notificationHtml(message: NotificationMessage): string {
  const items = message.alerts.map((alert) => {
    const description = alertDescription(alert);
    const href = linkable(alert.generatorURL);
    const source = href === '' ? '' : `<br><a href="${escapeHtml(href)}">Source</a>`;
    return (
      `<li><strong>[${alert.status.toUpperCase()}] ${escapeHtml(alertSummary(alert))}</strong>` +
      (description === '' ? '' : `<br>${escapeHtml(description)}`) +
      `<br><code>${escapeHtml(formatLabels(alert.labels))}</code>` +
      `<br>Since ${escapeHtml(alert.startsAt)}${source}</li>`
    );
  });
  const more =
    message.truncatedAlerts > 0 ? `<p>… and ${message.truncatedAlerts} more alerts</p>` : '';
  const external = linkable(message.externalURL);
  const link = external === '' ? '' : `<p><a href="${escapeHtml(external)}">Open alertbase</a></p>`;
  return `<!doctype html><html><body><h2>${escapeHtml(notificationTitle(message))}</h2><ul>${items.join('')}</ul>${more}${link}</body></html>`;
}
