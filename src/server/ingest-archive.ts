/**
 * What puts ingest requests into the payload archive: a route that declares
 * `config.archive` (its door) has its decoded body kept once it is parsed
 * (before validation), and once the answer has been sent the request
 * becomes one entry — accepted (200, with the issues of the items it
 * rejected) or rejected (any other answer, with the error's issues) — handed
 * to the archive's write-behind buffer. Nothing here runs before the answer
 * is sent but a reference to the body; the conversion and the write happen
 * after it, off the request's path.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isAlertbaseError, ValidationError } from '../base/exceptions/index.js';
import { newId } from '../base/utils/ids.js';
import type { ArchiveDoor, ArchivedPayload, ArchiveIssue } from '../storage/archive/index.js';
import type { IngestResult } from '../storage/repositories/index.js';
import type { PayloadArchiveService } from './payload-archive.js';
import { receivedBodies } from './wire.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route ingests alerts: its bodies are archived under this door. */
    archive?: ArchiveDoor;
  }
}

/** What is kept of a request between its body and its answer. */
interface Pending {
  readonly door: ArchiveDoor;
  readonly body: unknown;
  readonly receivedAt: Date;
  result?: IngestResult;
  error?: unknown;
}

const pending = new WeakMap<FastifyRequest, Pending>();

/** Records the per-item result of an archived request (its rejected items become issues). */
export function archiveResult(request: FastifyRequest, result: IngestResult): void {
  const state = pending.get(request);
  if (state !== undefined) state.result = result;
}

/** The issues of an answered request. */
function issuesOf(state: Pending, accepted: boolean): ArchiveIssue[] {
  if (accepted) {
    return (state.result?.items ?? []).flatMap((item) =>
      item.outcome === 'rejected'
        ? item.issues.map((i) => ({
            index: item.index,
            pointer: i.pointer,
            code: i.code,
            message: i.message,
          }))
        : [],
    );
  }
  const err = state.error;
  if (err instanceof ValidationError) {
    return err.issues.map((i) => ({
      index: null,
      pointer: i.pointer,
      code: i.code,
      message: i.message,
    }));
  }
  if (err === undefined) return [];
  const code = isAlertbaseError(err)
    ? err.code
    : String((err as Partial<FastifyError>).code ?? 'error');
  const message = err instanceof Error ? err.message : String(err);
  return [{ index: null, pointer: '', code, message }];
}

/**
 * Installs the hooks on the API scope.
 *
 * @example
 * ```ts
 * useIngestArchive(api, archive, () => new Date());
 * ```
 */
export function useIngestArchive(
  scope: FastifyInstance,
  archive: PayloadArchiveService,
  now: () => Date,
): void {
  if (!archive.enabled) return;
  scope.addHook('preValidation', async (request) => {
    const door = request.routeOptions.config.archive;
    if (door === undefined || request.body === undefined) return;
    pending.set(request, { door, body: request.body, receivedAt: now() });
  });
  scope.addHook('onError', async (request, _reply, error) => {
    const state = pending.get(request);
    if (state !== undefined) state.error = error;
  });
  scope.addHook('onResponse', async (request, reply) => {
    const state = pending.get(request);
    const principal = request.principal;
    const received = receivedBodies.get(request);
    if (state === undefined || principal?.kind !== 'tenant' || received === undefined) return;
    pending.delete(request);
    const accepted = reply.statusCode === 200;
    // JSON text PostgreSQL takes as it is (see ReceivedBody.json) is stored as
    // that text where the engine stores JSON text.
    const text = received.json?.toString('utf8');
    const entry: ArchivedPayload = {
      id: newId(),
      tenantId: principal.tenantId,
      receivedAt: state.receivedAt,
      requestId: String(request.id),
      keyId: principal.keyId,
      door: state.door,
      format: received.format,
      outcome: accepted ? 'accepted' : 'rejected',
      issues: issuesOf(state, accepted),
      bytes: received.bytes,
      body: state.body,
      ...(text === undefined ? {} : { bodyJson: text }),
    };
    archive.writer.record([entry]);
  });
}
