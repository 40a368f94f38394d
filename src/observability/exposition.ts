import { Registry, type RegistryContentType } from 'prom-client';

/** Prometheus's text format, version 0.0.4. */
export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;
/** OpenMetrics 1.0 text. */
export const OPENMETRICS_TEXT = Registry.OPENMETRICS_CONTENT_TYPE;

/** A rendered scrape. */
export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/** Whether an `Accept` header asks for OpenMetrics (as Prometheus sends it, with a q above 0). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const renders = new WeakMap<Registry<RegistryContentType>, Promise<unknown>>();

/**
 * Renders a registry in the format `accept` asks for. prom-client switches
 * format per registry, not per call, and renames counters (drops `_total`)
 * while it writes OpenMetrics; so renders of one registry run one at a time
 * and the names are put back after each.
 *
 * @example
 * ```ts
 * const { contentType, body } = await renderMetrics(metrics.registry, request.headers.accept);
 * ```
 */
export function renderMetrics(
  registry: Registry<RegistryContentType>,
  accept: string | undefined,
): Promise<Exposition> {
  const contentType = wantsOpenMetrics(accept) ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
  const previous = renders.get(registry) ?? Promise.resolve();
  const render = previous.then(async (): Promise<Exposition> => {
    const metrics = registry.getMetricsAsArray();
    const names = metrics.map((m) => m.name);
    registry.setContentType(contentType);
    try {
      return { contentType, body: await registry.metrics() };
    } finally {
      metrics.forEach((m, i) => {
        m.name = names[i] as string;
      });
      registry.setContentType(PROMETHEUS_TEXT);
    }
  });
  renders.set(
    registry,
    render.catch(() => undefined),
  );
  return render;
}
