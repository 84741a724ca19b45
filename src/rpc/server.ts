// The node's JSON-RPC server: HTTP POST with Basic authentication (cookie or
// configured user/password), bounded bodies, and timeouts that keep a slow or
// hostile client from holding a connection. Whatever arrives, the answer is an
// HTTP status or a JSON-RPC error; nothing a client sends can throw out of here.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PubchainError, UsageError } from '../core/errors.js';
import type { Logger } from '../node/logger.js';
import { BasicAuth } from './auth.js';
import { Credentials, removeCookie, writeCookie } from './cookie.js';
import { dispatchBody, errorResponse, RpcResponse } from './dispatch.js';
import { methodTable } from './methods/index.js';
import { PARSE_ERROR } from './rpcErrors.js';
import type { RpcNodeContext } from './types.js';

export const DEFAULT_RPC_BIND = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The RPC port when none is given: the p2p port + 1000 (8000 → 9000). */
export const RPC_PORT_OFFSET = 1000;

export const defaultRpcPort = (p2pPort: number): number => p2pPort + RPC_PORT_OFFSET;

export interface RpcServerOptions {
  node: RpcNodeContext;
  bind?: string;
  port: number;
  /** Where `.cookie` is written. */
  datadir: string;
  /** --rpc-user/--rpc-password: accepted besides the cookie. */
  user?: string;
  password?: string;
  maxBodyBytes?: number;
  log: Logger;
  /** Requests in one batch. */
  maxBatch?: number;
  maxConnections?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** A wrong password is answered this late, which makes guessing slow. */
  authFailDelayMs?: number;
}

export interface RpcServer {
  port: number;
  close(): Promise<void>;
}

/** An over-long body is read and dropped for this long at most before the 413, so closing does not reset the connection under the client's feet. */
const LINGER_MS = 1000;
const LINGER_IDLE_MS = 200;
const CLOSE_GRACE_MS = 2000;

export async function startRpcServer(o: RpcServerOptions): Promise<RpcServer> {
  const log = o.log;
  const bind = o.bind ?? DEFAULT_RPC_BIND;
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if ((o.user === undefined) !== (o.password === undefined)) throw new UsageError('--rpc-user and --rpc-password go together');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new UsageError(`invalid RPC port ${o.port}`);
  const cookie = await writeCookie(o.datadir);
  const accepted: Credentials[] = [cookie];
  if (o.user !== undefined && o.password !== undefined) accepted.push({ user: o.user, password: o.password });
  let auth: BasicAuth;
  try {
    auth = new BasicAuth(accepted);
  } catch (e) {
    await removeCookie(o.datadir, cookie);
    throw new UsageError((e as Error).message);
  }
  const dispatch = { ctx: o.node, methods: methodTable(), log, maxBatch: o.maxBatch ?? 1000 };
  const inFlight = new Set<Promise<void>>();

  const server = createServer({
    headersTimeout: o.headersTimeoutMs ?? 10_000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: 5_000,
    // The timeouts above are enforced on this tick; Node's default (30 s) would let them slip.
    connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    const job = handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'rpc request failed');
      if (!res.headersSent) reply(res, 500, 'text/plain', 'internal error\n', true);
      else res.destroy();
    });
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  });
  server.maxConnections = o.maxConnections ?? 512;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => onClientError(err, socket));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      reply(res, 405, 'text/plain', 'JSON-RPC: use POST\n');
      return;
    }
    if (!auth.check(req.headers.authorization)) {
      const delay = o.authFailDelayMs ?? 250;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      log.warn({ from: req.socket.remoteAddress }, 'rpc request with missing or wrong credentials');
      res.setHeader('WWW-Authenticate', 'Basic realm="pubchain"');
      reply(res, 401, 'text/plain', 'authorization required\n');
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === ABORTED) {
      res.destroy();
      return;
    }
    if (body === TOO_LARGE) {
      log.warn({ from: req.socket.remoteAddress, maxBody }, 'rpc request body too large');
      reply(res, 413, 'text/plain', `request body over ${maxBody} bytes\n`, true);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      sendJson(res, errorResponse(null, PARSE_ERROR, `parse error: ${(e as Error).message.slice(0, 200)}`));
      return;
    }
    const answer = await dispatchBody(parsed, dispatch);
    if (answer === null) {
      res.statusCode = 204;
      res.end();
      return;
    }
    sendJson(res, answer);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, bind, () => { server.off('error', reject); resolve(); });
    });
  } catch (e) {
    await removeCookie(o.datadir, cookie);
    throw new PubchainError('rpc-listen', `cannot listen for RPC on ${bind}:${o.port}: ${(e as Error).message}`);
  }
  server.on('error', (err) => log.error({ err }, 'rpc listener error'));
  const port = (server.address() as { port: number }).port;
  log.info({ bind, port }, 'rpc listening');
  if (!isLoopback(bind)) log.warn({ bind }, 'RPC is reachable from other machines: HTTP Basic sends the password in clear text, so keep it behind a firewall or a TLS proxy');

  let closing: Promise<void> | null = null;
  return {
    port,
    close: () => {
      closing ??= closeServer(server, inFlight).then(() => removeCookie(o.datadir, cookie));
      return closing;
    },
  };
}

/**
 * Stops listening, drops idle keep-alive connections, and gives requests in
 * flight a few seconds to answer before their connections are cut (a long
 * generatetoaddress must not hold up a shutdown).
 */
async function closeServer(server: Server, inFlight: Set<Promise<void>>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...inFlight]),
    new Promise<void>((resolve) => { grace = setTimeout(resolve, CLOSE_GRACE_MS); }),
  ]);
  clearTimeout(grace);
  server.closeAllConnections();
  await closed;
}

const TOO_LARGE = Symbol('too large');
const ABORTED = Symbol('aborted');

/**
 * The body; TOO_LARGE when it is over `max` bytes, ABORTED when the client went
 * away first. An over-long body is drained (dropped) until the client stops
 * sending, for LINGER_MS at most, so the connection can then close without
 * resetting the 413 away.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
    let idle: NodeJS.Timeout | null = null;
    let cap: NodeJS.Timeout | null = null;
    const done = (v: Buffer | typeof TOO_LARGE | typeof ABORTED): void => {
      if (settled) return;
      settled = true;
      if (idle) clearTimeout(idle);
      if (cap) clearTimeout(cap);
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(v);
    };
    const restartIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => done(TOO_LARGE), LINGER_IDLE_MS);
    };
    const linger = (): void => {
      over = true;
      chunks.length = 0;
      cap = setTimeout(() => done(TOO_LARGE), LINGER_MS);
      restartIdle();
    };
    const onData = (chunk: Buffer): void => {
      if (over) { restartIdle(); return; }
      size += chunk.length;
      if (size > max) { linger(); return; }
      chunks.push(chunk);
    };
    const onEnd = (): void => done(over ? TOO_LARGE : Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', () => done(over ? TOO_LARGE : ABORTED));
    req.on('close', () => { if (!req.complete) done(over ? TOO_LARGE : ABORTED); });
    if (Number.isFinite(declared) && declared > max) linger();
  });
}

function reply(res: ServerResponse, status: number, type: string, body: string, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (close) res.setHeader('Connection', 'close');
  res.end(body);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

function sendJson(res: ServerResponse, answer: RpcResponse | RpcResponse[]): void {
  let text: string;
  try {
    text = JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    const id = Array.isArray(answer) ? null : answer.id;
    text = JSON.stringify(errorResponse(id, -32603, 'internal error: the result could not be serialized'));
  }
  reply(res, 200, 'application/json', text);
}

/** Malformed HTTP, oversized headers, timeouts: a status line if the socket still takes one, then close. */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || socket.destroyed) { socket.destroy(); return; }
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
    : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroySoon();
}
