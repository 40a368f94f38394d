/**
 * What creating a silence shares, from an alert or from the Silences page:
 * how many open alerts the matchers take in (counted by the server, with
 * Alertmanager's matching: `GET /api/v2/alerts?filter=…`), and the request.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from './api.js';
import { type Matcher, matcherText } from './matchers.js';
import { messageOf } from './ui.js';

/** The number of open alerts `matchers` match (undefined while counting), re-counted as they change. */
export function useMatchCount(matchers: readonly Matcher[]): {
  readonly count: number | undefined;
  readonly error: string;
} {
  const [count, setCount] = useState<number | undefined>();
  const [error, setError] = useState('');
  const key = matchers.map(matcherText).join(',');
  useEffect(() => {
    setCount(undefined);
    setError('');
    if (matchers.length === 0) return;
    let stale = false;
    // A quarter-second after the last change: typing a matcher asks once.
    const timer = window.setTimeout(() => {
      api<unknown[]>('GET', `/api/v2/alerts${qs({ filter: matchers.map(matcherText) })}`)
        .then((found) => {
          if (!stale) setCount(found.length);
        })
        .catch((err) => {
          if (!stale) setError(messageOf(err));
        });
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [key]);
  return { count, error };
}

/** The count, announced politely. */
export function MatchCount(props: {
  readonly matchers: readonly Matcher[];
  readonly count: number | undefined;
  readonly empty?: string;
}) {
  return (
    <p class="match-count" role="status" aria-live="polite">
      {props.matchers.length === 0
        ? (props.empty ?? 'Choose at least one label.')
        : props.count === undefined
          ? 'Counting matching alerts…'
          : `Matches ${props.count} open alert${props.count === 1 ? '' : 's'}.`}
    </p>
  );
}

/** Creates a silence (`POST /v1/silences`). */
export async function createSilence(silence: {
  readonly matchers: readonly Matcher[];
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly createdBy: string;
  readonly comment: string;
}): Promise<void> {
  await api('POST', '/v1/silences', {
    matchers: silence.matchers,
    starts_at: silence.startsAt.toISOString(),
    ends_at: silence.endsAt.toISOString(),
    created_by: silence.createdBy,
    comment: silence.comment,
  });
}
