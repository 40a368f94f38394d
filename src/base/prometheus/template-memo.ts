import { type GoTemplateResult, parseGoTemplate } from './go-template.js';

/** How many verdicts are remembered, and the longest template remembered. */
const MEMO_ENTRIES = 2_048;
const MEMO_MAX_LENGTH = 4_096;
const verdicts = new Map<string, GoTemplateResult>();

/**
 * {@link parseGoTemplate} with Prometheus' functions and variables, for a
 * template seen recently answered from memory (bounded; oldest dropped
 * first): a rule's labels and annotations are validated far more often than
 * they change, as its condition is (see `parsePromql`).
 *
 * @example
 * ```ts
 * checkPrometheusTemplate('{{ $value | humanize }}'); // { ok: true }
 * ```
 */
export function checkPrometheusTemplate(text: string): GoTemplateResult {
  const known = verdicts.get(text);
  if (known !== undefined) return known;
  const verdict = Object.freeze(parseGoTemplate(text));
  if (text.length <= MEMO_MAX_LENGTH) {
    if (verdicts.size >= MEMO_ENTRIES) {
      const oldest = verdicts.keys().next().value;
      if (oldest !== undefined) verdicts.delete(oldest);
    }
    verdicts.set(text, verdict);
  }
  return verdict;
}
