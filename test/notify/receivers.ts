/**
 * Real receivers on loopback for the channel contract suite: an HTTP server
 * that records every request and answers as told, and an SMTP server
 * (`smtp-server`) that records every mail. No vitest here.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** How a receiver answers the next requests. */
export type ReceiverMode = 'ok' | 'transient' | 'rate-limited' | 'permanent' | 'hang' | 'rejected';

/** One request a receiver got. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTP receiver on 127.0.0.1. */
export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  mode: ReceiverMode;
  close(): Promise<void>;
}

/** The answer of a vendor that accepted the request. */
export interface OkAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

/**
 * Starts an HTTP receiver. Modes: `ok` answers `ok`; `transient` 500;
 * `rate-limited` 429 with `Retry-After: 7`; `permanent` 400 echoing the
 * request's headers and body (as some receivers do, so secrets would leak
 * into an error unless masked); `rejected` 404; `hang` never answers.
 */
export async function startHttpReceiver(ok: OkAnswer): Promise<HttpReceiver> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const receiver = {
    origin: '',
    port: 0,
    requests,
    mode: 'ok' as ReceiverMode,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      switch (receiver.mode) {
        case 'ok':
          res.writeHead(ok.status, { 'content-type': ok.contentType ?? 'application/json' });
          res.end(ok.body);
          return;
        case 'transient':
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error');
          return;
        case 'rate-limited':
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '7' });
          res.end('slow down');
          return;
        case 'permanent':
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`bad request: ${JSON.stringify(req.headers)} ${req.url ?? ''} ${body}`);
          return;
        case 'rejected':
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('no such hook');
          return;
        case 'hang':
          return;
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  receiver.port = port;
  receiver.origin = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return receiver;
}

/** One mail an SMTP receiver accepted. */
export interface RecordedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The message as sent (headers and MIME body). */
  readonly raw: string;
  readonly username: string | undefined;
}

/** An SMTP receiver on 127.0.0.1. */
export interface SmtpReceiver {
  readonly port: number;
  readonly mails: RecordedMail[];
  /** Logins tried: `username:password`. */
  readonly logins: string[];
  mode: ReceiverMode;
  close(): Promise<void>;
}

const smtpError = (message: string, responseCode: number): Error =>
  Object.assign(new Error(message), { responseCode });

/**
 * Starts an SMTP receiver (no TLS offered unless `offerStartTls`). Modes:
 * `ok` accepts; `transient` answers 451 to RCPT; `rate-limited` 452 to RCPT;
 * `permanent` refuses the login with 535 echoing the password; `rejected`
 * answers 550 to RCPT; `hang` never answers the DATA.
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: RecordedMail[] = [];
  const logins: string[] = [];
  const receiver = {
    port: 0,
    mails,
    logins,
    mode: 'ok' as ReceiverMode,
    close: async () => {},
  };
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 200,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username ?? ''}:${auth.password ?? ''}`);
      if (receiver.mode === 'permanent') {
        callback(smtpError(`Authentication failed for password ${auth.password ?? ''}`, 535));
        return;
      }
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      if (receiver.mode === 'transient') callback(smtpError('Try again later', 451));
      else if (receiver.mode === 'rate-limited') callback(smtpError('Too many messages', 452));
      else if (receiver.mode === 'rejected') callback(smtpError('No such user', 550));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (receiver.mode === 'hang') return;
        const from = session.envelope.mailFrom;
        mails.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          username: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  receiver.port = typeof address === 'object' && address !== null ? address.port : 0;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** The headers of a raw mail, unfolded, names lowercased (the first of each). */
export function mailHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).toLowerCase();
    out[name] ??= line.slice(at + 1).trim();
  }
  return out;
}
