/**
 * A TCP proxy the reliability tests put between alertbase and PostgreSQL, to
 * take the database away without stopping the shared server: `cut('refuse')`
 * breaks every connection and resets new ones (the server is down);
 * `cut('blackhole')` breaks them and accepts new ones that never answer (a
 * network that drops packets); `restore()` forwards again.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** How the database is taken away. */
export type CutMode = 'refuse' | 'blackhole';

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Connections forwarded so far. */
  readonly forwarded: () => number;
  cut(mode: CutMode): void;
  restore(): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0 and forwards to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: CutMode | undefined;
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    // A black hole holds the connection and answers nothing.
    if (mode === 'blackhole') return;
    forwarded++;
    const upstream = createConnection(target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    forwarded: () => forwarded,
    cut(next) {
      mode = next;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      // Black-holed connections are dropped: their clients gave up on them.
      for (const socket of sockets) socket.destroy();
      mode = undefined;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
