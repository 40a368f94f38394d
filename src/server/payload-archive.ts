/**
 * The service's payload archive: the engine (MongoDB when `MONGODB_URL` is
 * set, else the `payload_archive` table of the service's database), the
 * write-behind buffer between ingest and the engine, its log lines, and the
 * readiness check of MongoDB. Neither engine is needed to serve: the
 * archive never blocks nor fails an ingest; when its store is away, bodies
 * wait in the bounded buffer (`ARCHIVE_BUFFER_MAX_MB`), then are dropped and
 * counted, and `/health/ready` says `warn` (MongoDB).
 */
import type { FastifyInstance } from 'fastify';
import { isAlertbaseError } from '../base/exceptions/index.js';
import { type AlertbaseConfig, maskUrl } from '../config/index.js';
import type { NamedCheck } from '../observability/index.js';
import {
  type ArchivedPayload,
  createMongoPayloadArchive,
  createPgPayloadArchive,
  type PayloadArchive,
} from '../storage/archive/index.js';
import { type BufferedWriter, createBufferedWriter } from '../storage/buffered-writer.js';
import type { Database } from '../storage/index.js';
import { writeBehindCheck } from './write-behind-check.js';

/** Entries per write. */
const ARCHIVE_BATCH_SIZE = 100;
/** Longest wait before a buffered entry is written, ms. */
const ARCHIVE_FLUSH_MS = 500;
/** Drop log lines at most this often; the counts in between are summed. */
const DROP_LOG_INTERVAL_MS = 10_000;
const MIB = 1_048_576;

/** The payload archive of a running app. */
export interface PayloadArchiveService {
  /** Whether ingest bodies are archived (`ARCHIVE_ENABLED`). */
  readonly enabled: boolean;
  /** What `GET /v1/archive`, the replay and retention read. */
  readonly store: PayloadArchive;
  /** Where ingest records entries (write-behind, bounded). */
  readonly writer: BufferedWriter<ArchivedPayload>;
  /** Where the entries go, for log lines and `alertbase config` (`MongoDB at host/db`). */
  readonly where: string;
  /** MongoDB's readiness check (`warn`, never `fail`); `undefined` for PostgreSQL (the database check covers it). */
  check(now: () => Date, timeoutMs?: number): Promise<NamedCheck | undefined>;
}

/**
 * @internal A write the engine refused for its content, which it would
 * refuse again: dropped (`refused`), not retried. PostgreSQL's data
 * exceptions (class 22) and MongoDB's refusals of a document; a lost
 * connection or an unreachable server is retried.
 */
export function isRefusal(err: unknown): boolean {
  if (isAlertbaseError(err)) {
    const state = (err as { sqlState?: unknown }).sqlState;
    return typeof state === 'string' && state.startsWith('22');
  }
  const name = (err as { name?: unknown } | null)?.name;
  return (
    name === 'MongoServerError' || name === 'BSONError' || name === 'MongoInvalidArgumentError'
  );
}

/** Options of {@link usePayloadArchive}. */
export interface PayloadArchiveOptions {
  readonly db: Database;
  readonly config: AlertbaseConfig;
}

/**
 * Builds the engine and the writer, and closes the writer with the app
 * (what is still buffered is written if the engine answers within 2 s).
 */
export function usePayloadArchive(
  app: FastifyInstance,
  options: PayloadArchiveOptions,
): PayloadArchiveService {
  const { storage } = options.config;
  const url = storage.mongodbUrl;
  const store =
    url === undefined ? createPgPayloadArchive(options.db) : createMongoPayloadArchive({ url });
  const where = url === undefined ? 'PostgreSQL (payload_archive)' : `MongoDB at ${maskUrl(url)}`;
  let unloggedDrops = 0;
  let lastDropLog = 0;
  const writer = createBufferedWriter<ArchivedPayload>({
    write: (batch) => store.write(batch),
    isRefusal,
    // Bounded by bytes: a body is at most the body limit, and they add up fast.
    weigh: (entry) => entry.bytes + 512,
    maxBuffer: storage.archiveBufferMaxMb * MIB,
    batchSize: ARCHIVE_BATCH_SIZE,
    flushIntervalMs: ARCHIVE_FLUSH_MS,
    onDrop(count, reason, error) {
      unloggedDrops += count;
      const now = Date.now();
      if (now - lastDropLog < DROP_LOG_INTERVAL_MS) return;
      lastDropLog = now;
      app.log.warn(
        { err: error, dropped: unloggedDrops, reason, store: store.engine },
        `payload archive: ${unloggedDrops} payloads dropped (${reason}); the archive is ${where}`,
      );
      unloggedDrops = 0;
    },
    onRetry(error, delayMs) {
      if (writer.stats().failures === 1) {
        app.log.warn(
          { err: error, store: store.engine },
          `payload archive: writing to ${where} failed; retrying with backoff (next in ${delayMs} ms), payloads are buffered up to ARCHIVE_BUFFER_MAX_MB (${storage.archiveBufferMaxMb}) and then dropped`,
        );
      }
    },
    onRecover(failures) {
      app.log.info(
        { store: store.engine, failures },
        `payload archive: writing to ${where} again after ${failures} failed attempts`,
      );
    },
  });
  if (url !== undefined) {
    app.addHook('onReady', async () => {
      try {
        await store.ping();
      } catch (err) {
        app.log.warn(
          { err, store: store.engine },
          `MONGODB_URL is set but ${where} does not answer: alertbase serves without it; archived payloads are buffered (up to ARCHIVE_BUFFER_MAX_MB) until it does, and GET /v1/archive answers 503 meanwhile`,
        );
      }
    });
  }
  app.addHook('onClose', async () => {
    await writer.close();
    await store.close();
  });
  return {
    enabled: storage.archiveEnabled,
    store,
    writer,
    where,
    async check(now, timeoutMs = 2_000): Promise<NamedCheck | undefined> {
      if (url === undefined) return undefined;
      return writeBehindCheck({
        key: 'archive:responseTime',
        where,
        items: 'payloads',
        ping: () => store.ping(),
        stats: () => writer.stats(),
        now,
        timeoutMs,
      });
    },
  };
}
