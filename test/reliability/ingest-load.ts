/**
 * Ingest traffic for the reliability suites: writers that each send one new
 * alert per request (label `seq`, unique) and record what the service
 * answered, so that a suite can check that every acknowledged alert is
 * stored, once.
 */

/** One request's outcome. */
export interface Outcome {
  readonly seq: number;
  /** HTTP status, or 0 when the connection failed (refused, reset). */
  readonly status: number;
  readonly code: string | undefined;
  readonly contentType: string | null;
  readonly retryAfter: string | null;
  /** When it was sent and answered, `performance.now()` ms. */
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** Writers sending until stopped. */
export interface IngestLoad {
  readonly outcomes: Outcome[];
  /** Sequence numbers answered 200: acknowledged, so they must be stored. */
  acked(): number[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** The alert of one sequence number. */
export function alertOf(seq: number, name: string) {
  return { labels: { alertname: name, seq: String(seq) }, level: 'high', priority: 'P2' };
}

/**
 * Starts `writers` loops posting to `${url}/v1/alerts` with `key`, each
 * request timing out after `timeoutMs` (a hang shows as status 0 past it).
 */
export function startIngestLoad(options: {
  readonly url: string;
  readonly key: string;
  readonly writers: number;
  readonly name: string;
  readonly timeoutMs?: number;
  readonly pauseMs?: number;
}): IngestLoad {
  const outcomes: Outcome[] = [];
  let next = 0;
  let running = true;
  const writer = async (): Promise<void> => {
    while (running) {
      const seq = next++;
      const sentAt = performance.now();
      let outcome: Outcome;
      try {
        const res = await fetch(`${options.url}/v1/alerts`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.key}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify([alertOf(seq, options.name)]),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
        const text = await res.text();
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        outcome = {
          seq,
          status: res.status,
          code,
          contentType: res.headers.get('content-type'),
          retryAfter: res.headers.get('retry-after'),
          sentAt,
          answeredAt: performance.now(),
        };
      } catch {
        outcome = {
          seq,
          status: 0,
          code: undefined,
          contentType: null,
          retryAfter: null,
          sentAt,
          answeredAt: performance.now(),
        };
      }
      outcomes.push(outcome);
      if (options.pauseMs !== undefined) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const loops = Array.from({ length: options.writers }, () => writer());
  return {
    outcomes,
    acked: () => outcomes.filter((o) => o.status === 200).map((o) => o.seq),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
