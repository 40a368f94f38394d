import { Worker } from 'node:worker_threads';
import { BaseDatabase, type RawConnection } from '../base-database.js';
import type { DataDirLock } from '../data-dir-lock.js';
import type { DiskSpaceGuard } from '../disk-space.js';
import { StorageError } from '../errors.js';
import type { ChannelSubscription, QueryResult, SqlValue } from '../types.js';
import type { PgliteDatabaseOptions } from './pglite.js';
import { guardDirectory, subscription } from './pglite-directory.js';
import { takeEarlyPgliteThread, threadModule } from './pglite-early.js';
import type {
  PgliteOpen,
  PgliteReply,
  PgliteRequest,
  PgliteThreadData,
  SqlRef,
  ThreadError,
} from './pglite-thread.js';

/** An error of the thread, rebuilt with PostgreSQL's fields (code, detail, table...) for the error mapping. */
function rebuild(error: ThreadError): Error {
  return Object.assign(new Error(error.message), error.fields);
}

/** Options of {@link PgliteWorkerDatabase.create}: those of PGlite in process, and a test's view of the thread. */
export interface PgliteWorkerDatabaseOptions extends PgliteDatabaseOptions {
  /** @internal Called with the thread once it has opened the database (tests end it). */
  readonly onThread?: ((thread: Worker) => void) | undefined;
}

/** The database is gone with its thread: every statement from then on is refused with 503. */
function unavailable(reason: string): StorageError {
  return new StorageError('ALERTBASE_STORAGE_UNAVAILABLE', { reason });
}

/** A request as the driver writes it: {@link PgliteWorkerDatabase.#call} numbers it. */
type Ask = PgliteRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** Statement texts sent to the thread, by number: each crosses once. */
const MAX_REMEMBERED_STATEMENTS = 4_096;
const MAX_REMEMBERED_LENGTH = 64 * 1024;

/**
 * PGlite in a worker thread: the same database as {@link PgliteDatabase}
 * (`engine: 'pglite'`, one connection, statements and transactions in the
 * order asked), with PostgreSQL's work off the event loop. Each statement
 * crosses to the thread and back as a message (tens of microseconds); what
 * it buys is that a busy server parses, validates and answers while PGlite
 * writes. The thread is kept from holding the process open while it is idle.
 */
export class PgliteWorkerDatabase extends BaseDatabase {
  readonly engine = 'pglite' as const;
  readonly #worker: Worker;
  readonly #lock: DataDirLock | undefined;
  readonly #space: DiskSpaceGuard | undefined;
  readonly #pending = new Map<
    number,
    { resolve(value: unknown): void; reject(err: Error): void }
  >();
  readonly #statements = new Map<string, number>();
  readonly #subscriptions = new Map<number, (payload: string) => void>();
  #nextId = 0;
  #exited: Error | undefined;

  private constructor(
    worker: Worker,
    lock: DataDirLock | undefined,
    space: DiskSpaceGuard | undefined,
    options: PgliteDatabaseOptions,
  ) {
    super(options);
    this.#worker = worker;
    this.#lock = lock;
    this.#space = space;
    worker.on('message', (reply: PgliteReply) => this.#receive(reply));
    worker.on('error', (err) => this.#fail(unavailable(err.message)));
    worker.on('exit', (code) => this.#fail(unavailable(`the PGlite thread exited (code ${code})`)));
    worker.unref();
  }

  /**
   * Opens (or creates) a PGlite database in a new worker thread; the options
   * are {@link PgliteDatabase.create}'s.
   *
   * @example
   * ```ts
   * const db = await PgliteWorkerDatabase.create({ dataDir: './data' });
   * ```
   */
  static async create(options: PgliteWorkerDatabaseOptions = {}): Promise<PgliteWorkerDatabase> {
    const { lock, space } = await guardDirectory(options);
    let worker: Worker | undefined;
    try {
      const loadDataDir = await options.loadDataDir?.arrayBuffer();
      const transferList = loadDataDir === undefined ? [] : [loadDataDir];
      // The thread `alertbase serve` started before it knew the directory, if any (pglite-early.ts).
      const early = takeEarlyPgliteThread();
      if (early === undefined) {
        const data: PgliteThreadData = {
          role: 'alertbase-pglite',
          dataDir: options.dataDir,
          loadDataDir,
        };
        worker = new Worker(threadModule(), { workerData: data, transferList });
      } else {
        worker = early;
        const open: PgliteOpen = { op: 'open', dataDir: options.dataDir, loadDataDir };
        early.postMessage(open, transferList);
      }
      options.onStart?.();
      const opened = await new Promise<PgliteReply & { op: 'opened' }>((resolve, reject) => {
        worker?.once('message', resolve);
        worker?.once('error', reject);
        worker?.once('exit', (code) =>
          reject(new Error(`the PGlite thread exited (code ${code})`)),
        );
      });
      if (opened.error !== undefined) throw rebuild(opened.error);
      const db = new PgliteWorkerDatabase(worker, lock, space, options);
      options.onThread?.(worker);
      return db;
    } catch (err) {
      await worker?.terminate();
      await lock?.release();
      throw err;
    }
  }

  /** Writes the whole data directory as an uncompressed tarball. */
  async dump(): Promise<Blob> {
    const tarball = (await this.#call({ op: 'dump' })) as ArrayBuffer;
    return new Blob([tarball]);
  }

  protected async rawQuery(
    sql: string,
    params: readonly SqlValue[],
    name?: string,
  ): Promise<QueryResult> {
    await this.#space?.assert();
    return (await this.#call({
      op: 'query',
      sql: this.#sql(sql),
      params: [...params],
      ...(name === undefined ? {} : { name }),
    })) as QueryResult;
  }

  protected async rawExec(sql: string): Promise<void> {
    await this.#space?.assert();
    await this.#call({ op: 'exec', sql: this.#sql(sql) });
  }

  protected async rawTransaction<T>(
    fn: (conn: RawConnection) => Promise<T>,
    setup?: string,
    tail?: () => string | undefined,
  ): Promise<T> {
    await this.#space?.assert();
    const tx = ++this.#nextId;
    await this.#call({ op: 'begin', tx, ...(setup === undefined ? {} : { setup }) });
    let result: T;
    try {
      result = await fn({
        query: async (sql, params, name) =>
          (await this.#call({
            op: 'query',
            sql: this.#sql(sql),
            params: [...params],
            tx,
            ...(name === undefined ? {} : { name }),
          })) as QueryResult,
        exec: async (sql) => {
          await this.#call({ op: 'exec', sql: this.#sql(sql), tx });
        },
      });
    } catch (err) {
      // What failed inside is what the caller needs; a rollback that fails too
      // (the thread gone) has nothing to add.
      await this.#call({ op: 'end', tx, commit: false }).catch(() => {});
      throw err;
    }
    // The statements left for the commit go with it, in the same message.
    const last = tail?.();
    await this.#call({
      op: 'end',
      tx,
      commit: true,
      ...(last === undefined ? {} : { tail: last }),
    });
    return result;
  }

  protected async rawListen(
    channel: string,
    onMessage: (payload: string) => void,
  ): Promise<ChannelSubscription> {
    const sub = ++this.#nextId;
    this.#subscriptions.set(sub, onMessage);
    try {
      await this.#call({ op: 'listen', channel, sub });
    } catch (err) {
      this.#subscriptions.delete(sub);
      throw err;
    }
    return subscription(
      async () => {
        this.#subscriptions.delete(sub);
        await this.#call({ op: 'unlisten', sub });
      },
      () => this.closed,
    );
  }

  protected async rawClose(): Promise<void> {
    try {
      if (this.#exited === undefined) await this.#call({ op: 'close' });
    } finally {
      await this.#worker.terminate();
      await this.#lock?.release();
    }
  }

  /** A statement's reference: its number, with its text the first time. */
  #sql(text: string): SqlRef {
    const known = this.#statements.get(text);
    if (known !== undefined) return { n: known };
    const n = this.#statements.size;
    if (n >= MAX_REMEMBERED_STATEMENTS || text.length > MAX_REMEMBERED_LENGTH) {
      // Not remembered: sent whole each time.
      return { n: -1, text };
    }
    this.#statements.set(text, n);
    return { n, text };
  }

  #call(request: Ask): Promise<unknown> {
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    const id = ++this.#nextId;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #receive(reply: PgliteReply): void {
    if (reply.op === 'notify') {
      this.#subscriptions.get(reply.sub)?.(reply.payload);
      return;
    }
    if (reply.op !== 'done') return;
    const waiting = this.#pending.get(reply.id);
    if (waiting === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.error !== undefined) waiting.reject(rebuild(reply.error));
    else waiting.resolve(reply.result);
  }

  /** The thread failed or went away: every waiting statement fails with why. */
  #fail(err: Error): void {
    this.#exited ??= err;
    for (const waiting of this.#pending.values()) waiting.reject(err);
    this.#pending.clear();
  }
}
