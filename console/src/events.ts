/**
 * `GET /v1/events` read with fetch (EventSource cannot send an
 * Authorization header): server-sent events parsed as they arrive,
 * reconnected after a drop with `Last-Event-ID`, so nothing is missed.
 */
import { credential } from './api.js';

/** One server-sent event. */
export interface ServerEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** Connection state, for the live indicator. */
export type StreamState = 'connecting' | 'live' | 'offline';

/** Parses complete events out of `buffer`; returns them and the unparsed rest. */
export function parseEvents(buffer: string): { events: ServerEvent[]; rest: string } {
  const events: ServerEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, id, data: data.join('\n') });
  }
  return { events, rest };
}

/** Follows the stream until `stop()` is called. */
export function followEvents(
  onEvent: (event: ServerEvent) => void,
  onState: (state: StreamState) => void,
): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      onState('connecting');
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        const token = credential();
        if (token !== null) headers.authorization = `Bearer ${token}`;
        if (lastId !== undefined) headers['last-event-id'] = lastId;
        const res = await fetch('/v1/events', { headers, signal: abort.signal });
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const parsed = parseEvents(buffer);
          buffer = parsed.rest;
          for (const e of parsed.events) {
            if (e.id !== undefined) lastId = e.id;
            if (e.event === 'ready') onState('live');
            onEvent(e);
          }
        }
      } catch {
        // Dropped or refused: wait, then reconnect.
      }
      if (abort.signal.aborted) return;
      onState('offline');
      await new Promise((r) => setTimeout(r, 2_000));
    }
  };
  void run();
  return () => abort.abort();
}
