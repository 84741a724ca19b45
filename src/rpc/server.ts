// The node's JSON-RPC server: HTTP POST with Basic authentication (cookie or
// configured user/password), bounded bodies, and timeouts that keep a slow or
// hostile client from holding a connection. Whatever arrives, the answer is an
// HTTP status or a JSON-RPC error; nothing a client sends can throw out of here.
// As bitcoind: idle keep-alive connections live -rpcservertimeout (30 s), and
// requests past the work queue (-rpcworkqueue) get 503. Past the connection
// cap, the connection that has waited longest without a request at work is
// dropped for the newcomer, so slow clients cannot lock out the others.
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PubchainError, UsageError } from '../core/errors.js';
import type { Logger } from '../node/logger.js';
import { BasicAuth } from './auth.js';
import { Credentials, removeCookie, writeCookie } from './cookie.js';
import { bodyError, dispatchBody, type RpcAnswer } from './dispatch.js';
import { ABORTED, ConnectionSlots, onClientError, readBody, TOO_LARGE } from './httpLimits.js';
import { toJsonText } from './json.js';
import { methodTable } from './methods/index.js';
import { INTERNAL_ERROR, PARSE_ERROR } from './rpcErrors.js';
import type { RpcBaseContext, RpcMethod, RpcNodeContext } from './types.js';
import { DEFAULT_RPC_THREADS, DEFAULT_RPC_WORK_QUEUE, WorkQueue } from './workQueue.js';

export const DEFAULT_RPC_BIND = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The RPC port when none is given: the p2p port + 1000 (8000 → 9000). */
export const RPC_PORT_OFFSET = 1000;

/** bitcoind's -rpcservertimeout default: an idle keep-alive connection is closed after it. */
export const DEFAULT_RPC_SERVER_TIMEOUT_S = 30;
export const DEFAULT_RPC_MAX_CONNECTIONS = 1000;

export const defaultRpcPort = (p2pPort: number): number => p2pPort + RPC_PORT_OFFSET;

export interface RpcServerOptions<C extends RpcBaseContext = RpcNodeContext> {
  node: C;
  /** The methods served, written for C (default: the full node's table). */
  methods?: ReadonlyMap<string, RpcMethod<C>>;
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
  /** Open connections; past it the longest-waiting one without a request at work is dropped. */
  maxConnections?: number;
  /** Seconds an idle keep-alive connection stays open (--rpcservertimeout). */
  serverTimeoutS?: number;
  /** Requests that may wait for a worker (--rpcworkqueue); more are answered 503. */
  workQueue?: number;
  /** Requests running at once. */
  threads?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** A wrong password is answered this late, which makes guessing slow. */
  authFailDelayMs?: number;
}

export interface RpcServer {
  port: number;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

export async function startRpcServer<C extends RpcBaseContext = RpcNodeContext>(o: RpcServerOptions<C>): Promise<RpcServer> {
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
  const methods = (o.methods ?? methodTable()) as ReadonlyMap<string, RpcMethod<RpcBaseContext>>;
  const dispatch = { ctx: o.node as RpcBaseContext, methods, log, maxBatch: o.maxBatch ?? 1000 };
  const inFlight = new Set<Promise<void>>();
  const queue = new WorkQueue(o.threads ?? DEFAULT_RPC_THREADS, o.workQueue ?? DEFAULT_RPC_WORK_QUEUE);
  const serverTimeoutS = o.serverTimeoutS ?? DEFAULT_RPC_SERVER_TIMEOUT_S;
  if (!Number.isInteger(serverTimeoutS) || serverTimeoutS < 1) throw new PubchainError('usage', `invalid RPC server timeout ${serverTimeoutS}: give whole seconds above 0`);
  const slots = new ConnectionSlots(o.maxConnections ?? DEFAULT_RPC_MAX_CONNECTIONS);

  const server = createServer({
    headersTimeout: o.headersTimeoutMs ?? 10_000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: serverTimeoutS * 1000,
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
  server.on('connection', (socket: Socket) => slots.admit(socket));
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
    } catch {
      sendJson(res, bodyError(PARSE_ERROR, 'Parse error'));
      return;
    }
    slots.busy(req.socket, true);
    try {
      const work = queue.run(() => dispatchBody(parsed, dispatch));
      if (work === null) {
        log.warn({ from: req.socket.remoteAddress, depth: queue.depth }, 'rpc work queue depth exceeded');
        reply(res, 503, 'text/plain', 'Work queue depth exceeded\n');
        return;
      }
      const answer = await work;
      if (answer.body === null) {
        res.statusCode = 204;
        res.end();
        return;
      }
      sendJson(res, answer);
    } finally {
      slots.busy(req.socket, false);
    }
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

function reply(res: ServerResponse, status: number, type: string, body: string, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  // Exactly "application/json" for JSON, as bitcoind: npm bitcoin-core reads a non-200 body only then.
  res.setHeader('Content-Type', type === 'application/json' ? type : `${type}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (close) res.setHeader('Connection', 'close');
  res.end(body);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

function sendJson(res: ServerResponse, answer: RpcAnswer): void {
  let text: string;
  let status = answer.status;
  try {
    text = toJsonText(answer.body);
  } catch {
    const failed = bodyError(INTERNAL_ERROR, 'internal error: the result could not be serialized');
    status = failed.status;
    text = JSON.stringify(failed.body);
  }
  reply(res, status, 'application/json', `${text}\n`);
}
