/**
 * @internal The worker thread that owns a PGlite database for
 * `PgliteWorkerDatabase` (pglite-worker.ts): it opens PGlite, runs the
 * statements and transactions the main thread sends, forwards notifications,
 * dumps the data directory and closes. PostgreSQL's work (parsing, planning,
 * the heap and index writes, WAL) then runs beside the server's event loop
 * instead of on it.
 *
 * Self-contained on purpose: Node starts it from dist/ (JavaScript) or, in
 * the tests, from this TypeScript source with its type stripping, so it imports
 * only Node's modules and PGlite, and uses only erasable TypeScript.
 *
 * Requests are answered in the order PGlite runs them: a statement outside a
 * transaction waits for the transaction under way, as in one process (PGlite
 * has one connection).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';

/** What {@link PgliteStatements} uses of PGlite's module. */
export type PgliteProtocol = Pick<typeof import('@electric-sql/pglite'), 'parse' | 'protocol'>;

/**
 * Named prepared statements on one PGlite database. PGlite's own `query()`
 * sends every statement unnamed, so PostgreSQL parses, analyzes and plans it
 * on each call: the ingest statement spent 3.5 ms planning for 1.2 ms of
 * execution. A statement with a name (the repositories' `prepared()`) is
 * parsed once under it and then only bound and executed, as the `pg` driver
 * does on a server; PostgreSQL then keeps a generic plan once it costs no
 * more than the custom ones (after five executions: the ingest statement
 * took 0.8-0.9 ms from then on instead of 3.7-4). The messages, the
 * parameters' serializers and the result's parsers are those of PGlite's
 * `query()`. The names come from the statements' texts, so they are as
 * many as the texts alertbase prepares.
 */
export class PgliteStatements {
  readonly #pg: PGlite;
  readonly #protocol: PgliteProtocol;
  /** The statements prepared on this database, with their parameters' type OIDs. */
  readonly #types = new Map<string, readonly number[]>();

  constructor(pg: PGlite, protocol: PgliteProtocol) {
    this.#pg = pg;
    this.#protocol = protocol;
  }

  /**
   * Runs statement `name` (`sql`, prepared on its first run). `inTransaction`:
   * called from the callback of a PGlite transaction, which holds its lock;
   * otherwise the statement waits for the transaction under way, as
   * `query()` does.
   */
  query(
    name: string,
    sql: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<Results<Record<string, unknown>>> {
    const run = (): Promise<Results<Record<string, unknown>>> =>
      this.#pg.runExclusive(() => this.#run(name, sql, params, inTransaction));
    return inTransaction ? run() : this.#pg._runExclusiveTransaction(run);
  }

  async #run(
    name: string,
    sql: string,
    params: readonly unknown[],
    inTransaction: boolean,
  ): Promise<Results<Record<string, unknown>>> {
    const { serialize } = this.#protocol.protocol;
    const pg = this.#pg;
    const send = (message: Uint8Array) => pg.execProtocolStream(message, { syncToFs: false });
    const messages: Awaited<ReturnType<typeof send>> = [];
    let parsed = false;
    try {
      try {
        let types = this.#types.get(name);
        if (types === undefined) {
          await send(serialize.parse({ name, text: sql }));
          parsed = true;
          types = this.#protocol.parse.parseDescribeStatementResults(
            await send(serialize.describe({ type: 'S', name })),
          );
          this.#types.set(name, types);
        }
        const known = types;
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serializer = pg.serializers[known[i] ?? 0];
          return serializer === undefined ? String(value) : serializer(value);
        });
        messages.push(...(await send(serialize.bind({ statement: name, values }))));
        messages.push(...(await send(serialize.describe({ type: 'P' }))));
        messages.push(...(await send(serialize.execute({}))));
      } finally {
        messages.push(...(await send(serialize.sync())));
      }
    } catch (err) {
      /* v8 ignore next 5 -- a statement that parsed and could not be described: not kept, so the next run parses it again */
      if (parsed && !this.#types.has(name)) {
        await send(serialize.close({ type: 'S', name }))
          .then(() => send(serialize.sync()))
          .catch(() => {});
      }
      throw err;
    }
    if (!inTransaction) await pg.syncToFs();
    const [result] = this.#protocol.parse.parseResults(messages, pg.parsers);
    /* v8 ignore next -- an executed statement always yields one result */
    if (result === undefined) throw new Error(`pglite: no result for statement ${name}`);
    return result as Results<Record<string, unknown>>;
  }
}

/** Where the thread's database is. */
export interface PgliteWhere {
  readonly dataDir: string | undefined;
  /** A `dumpDataDir()` tarball to start from. */
  readonly loadDataDir: ArrayBuffer | undefined;
}

/** What the thread is started with. */
export interface PgliteThreadData extends PgliteWhere {
  /** Marks the thread's data: this module does nothing in any other thread (a test runner's). */
  readonly role: 'alertbase-pglite';
  /**
   * Started before the directory was known (`pglite-early.ts`): the thread
   * loads PGlite, then waits for an {@link PgliteOpen} message saying where.
   */
  readonly early?: boolean;
}

/** The first message to an early thread: where its database is. */
export interface PgliteOpen extends PgliteWhere {
  readonly op: 'open';
}

/** A statement's text: sent once with its number, then by number alone (`n < 0`: not remembered, always sent). */
export interface SqlRef {
  readonly n: number;
  readonly text?: string;
}

/** What the main thread asks. `tx` names a transaction begun by `begin`. */
export type PgliteRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly sql: SqlRef;
      readonly params: unknown[];
      readonly tx?: number;
      /** The statement's prepared name, when it has one (`PgliteStatements`). */
      readonly name?: string;
    }
  | { readonly id: number; readonly op: 'exec'; readonly sql: SqlRef; readonly tx?: number }
  | { readonly id: number; readonly op: 'begin'; readonly tx: number; readonly setup?: string }
  | {
      readonly id: number;
      readonly op: 'end';
      readonly tx: number;
      readonly commit: boolean;
      /** Statements to run before the commit (`TransactionClient.atCommit`); a failure rolls back. */
      readonly tail?: string;
    }
  | { readonly id: number; readonly op: 'listen'; readonly channel: string; readonly sub: number }
  | { readonly id: number; readonly op: 'unlisten'; readonly sub: number }
  | { readonly id: number; readonly op: 'dump' }
  | { readonly id: number; readonly op: 'close' };

/** A failure as it crosses threads: the message and PostgreSQL's fields (code, detail, table...). */
export interface ThreadError {
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

/** What the thread answers. */
export type PgliteReply =
  | { readonly op: 'opened'; readonly error?: ThreadError }
  | {
      readonly op: 'done';
      readonly id: number;
      readonly result?: unknown;
      readonly error?: ThreadError;
    }
  | { readonly op: 'notify'; readonly sub: number; readonly payload: string };

/** The message and the string and number fields of what was thrown. */
export function threadError(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { message: err.message, fields };
}

/** The period of the timer that keeps the thread's event loop turning (see `serve`); it does nothing. */
const KEEP_ALIVE_MS = 2 ** 30;

/** Thrown into a transaction's callback to have PGlite roll it back. */
const ROLLBACK = Symbol('rollback');

async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('pglite-thread runs as a worker thread');
  const data = workerData as PgliteThreadData;
  // A timer of the thread's own keeps its event loop turning while it serves.
  // Without one, the first request after PGlite opened waited 150-190 ms with
  // both threads idle: the thread sat in Node's NodePlatform::DrainTasks
  // (strace -k), which Node runs when the thread's event loop has run out of
  // work (a message port alone did not keep it in work), and which waits for
  // every background task of the process (V8 compiling the main thread's
  // modules, as on every start) before the loop reads the next message.
  // The timer lives as long as the thread: the main thread terminates it
  // after `close`, and after a failed open. (Cleared at `close`, it moved the
  // wait there: closing took 200 ms instead of 35.)
  setInterval(() => {}, KEEP_ALIVE_MS);
  const modules = Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gin'),
  ]);
  // Awaited below, after an early thread's wait: a failure is reported then.
  modules.catch(() => {});
  const where: PgliteWhere =
    data.early === true
      ? await new Promise<PgliteOpen>((told) => port.once('message', told))
      : data;
  let pg: PGlite;
  let named: PgliteStatements;
  try {
    const [core, btree] = await modules;
    pg = await core.PGlite.create({
      extensions: { btree_gin: btree.btree_gin },
      ...(where.dataDir === undefined ? {} : { dataDir: where.dataDir }),
      ...(where.loadDataDir === undefined ? {} : { loadDataDir: new Blob([where.loadDataDir]) }),
    });
    named = new PgliteStatements(pg, core);
  } catch (err) {
    port.postMessage({ op: 'opened', error: threadError(err) } satisfies PgliteReply);
    return;
  }
  port.postMessage({ op: 'opened' } satisfies PgliteReply);

  const statements: string[] = [];
  const sqlOf = (ref: SqlRef): string => {
    if (ref.n < 0 && ref.text !== undefined) return ref.text;
    if (ref.text !== undefined) statements[ref.n] = ref.text;
    const text = statements[ref.n];
    if (text === undefined) throw new Error(`pglite-thread: statement ${ref.n} was never sent`);
    return text;
  };
  /** Open transactions: their client, and how to end them. */
  const transactions = new Map<
    number,
    { tx: Transaction; end(commit: boolean): void; ended: Promise<unknown> }
  >();
  const unlistens = new Map<number, () => Promise<void>>();
  /** Where a statement runs: its transaction, or the database outside any. */
  const clientOf = (txId: number | undefined): PGlite | Transaction => {
    if (txId === undefined) return pg;
    const open = transactions.get(txId);
    if (open === undefined) throw new Error('pglite-thread: no such transaction');
    return open.tx;
  };

  const run = async (request: PgliteRequest): Promise<unknown> => {
    switch (request.op) {
      case 'query': {
        const sql = sqlOf(request.sql);
        const client = clientOf(request.tx);
        const result: Results<Record<string, unknown>> =
          request.name === undefined
            ? await client.query(sql, request.params)
            : await named.query(request.name, sql, request.params, request.tx !== undefined);
        return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
      }
      case 'exec': {
        await clientOf(request.tx).exec(sqlOf(request.sql));
        return undefined;
      }
      case 'begin': {
        const { tx: txId, setup } = request;
        await new Promise<void>((begun, failed) => {
          let ended: Promise<unknown> = Promise.resolve();
          ended = pg
            .transaction(async (tx) => {
              if (setup !== undefined) await tx.exec(setup);
              const commit = await new Promise<boolean>((end) => {
                transactions.set(txId, { tx, end, ended });
                begun();
              });
              if (!commit) throw ROLLBACK;
            })
            .catch((err: unknown) => {
              if (err !== ROLLBACK) throw err;
            });
          // A setup that failed ends the transaction before it began.
          ended.catch(failed);
        });
        return undefined;
      }
      case 'end': {
        const open = transactions.get(request.tx);
        if (open === undefined) throw new Error('pglite-thread: no such transaction');
        transactions.delete(request.tx);
        if (request.commit && request.tail !== undefined) {
          try {
            await open.tx.exec(request.tail);
          } catch (err) {
            open.end(false);
            await open.ended;
            throw err;
          }
        }
        open.end(request.commit);
        await open.ended;
        return undefined;
      }
      case 'listen': {
        const { sub } = request;
        const unlisten = await pg.listen(request.channel, (payload) => {
          port.postMessage({ op: 'notify', sub, payload } satisfies PgliteReply);
        });
        unlistens.set(sub, unlisten);
        return undefined;
      }
      case 'unlisten': {
        const unlisten = unlistens.get(request.sub);
        unlistens.delete(request.sub);
        await unlisten?.();
        return undefined;
      }
      case 'dump': {
        const tarball = await pg.dumpDataDir('none');
        return tarball.arrayBuffer();
      }
      case 'close': {
        await pg.close();
        return undefined;
      }
    }
  };

  port.on('message', (request: PgliteRequest) => {
    run(request).then(
      (result) => {
        const transfer = result instanceof ArrayBuffer ? [result] : [];
        port.postMessage({ op: 'done', id: request.id, result } satisfies PgliteReply, transfer);
        if (request.op === 'close') port.close();
      },
      (err: unknown) => {
        port.postMessage({
          op: 'done',
          id: request.id,
          error: threadError(err),
        } satisfies PgliteReply);
      },
    );
  });
}

if (
  parentPort !== null &&
  typeof workerData === 'object' &&
  workerData !== null &&
  (workerData as { role?: unknown }).role === 'alertbase-pglite'
) {
  await serve();
}
