// Calls a node's JSON-RPC server over node:http: the CLI's way to talk to a
// running node, and the tests'. JSON-RPC errors come back as RpcCallError with
// the server's code and data; HTTP and connection failures as PubchainErrors
// that say what to check.
import { request } from 'node:http';
import { PubchainError, UsageError } from '../core/errors.js';
import { basicHeader } from './basicAuth.js';
import type { Credentials } from './cookie.js';
import type { RpcErrorObject } from './rpcErrors.js';

export { readCookie } from './cookie.js';
export type { Credentials } from './cookie.js';

/** A port on 127.0.0.1, "http://host:port/", or host and port. */
export type RpcTarget = number | string | { host: string; port: number };

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawOptions {
  method?: string;
  /** Omitted: no Authorization header at all. */
  auth?: Credentials;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class RpcCallError extends PubchainError {
  constructor(readonly rpcCode: number, message: string, readonly data?: unknown) {
    const code = typeof data === 'object' && data !== null && typeof (data as { code?: unknown }).code === 'string' ? (data as { code: string }).code : 'rpc-error';
    super(code, message, { rpcCode });
  }
}

function resolveTarget(t: RpcTarget): { host: string; port: number; path: string } {
  if (typeof t === 'number') return { host: '127.0.0.1', port: t, path: '/' };
  if (typeof t === 'object') return { ...t, path: '/' };
  let url: URL;
  try { url = new URL(t); } catch { throw new UsageError(`invalid RPC URL "${t}": use http://HOST:PORT/`); }
  if (url.protocol !== 'http:') throw new UsageError(`invalid RPC URL "${t}": only http:// is served`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), path: url.pathname || '/' };
}

/** One HTTP exchange, whatever the status; rejects only when there is no answer. */
export function rpcRaw(target: RpcTarget, o: RawOptions = {}): Promise<RawResponse> {
  const { host, port, path } = resolveTarget(target);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : Buffer.from(o.body);
  const headers: Record<string, string | number> = { ...o.headers };
  if (o.auth) headers.Authorization = basicHeader(o.auth);
  if (body) { headers['Content-Type'] ??= 'application/json'; headers['Content-Length'] = body.length; }
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: o.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => reject(unreachable(host, port, err)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new PubchainError('rpc-timeout', `the node at ${host}:${port} did not answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(err instanceof PubchainError ? err : unreachable(host, port, err)));
    req.end(body);
  });
}

function unreachable(host: string, port: number, err: Error): PubchainError {
  return new PubchainError('rpc-unreachable', `cannot reach the node's RPC server at ${host}:${port} (${err.message}); is the node running (pubchain startnode)?`);
}

let nextId = 1;

/** Calls one method; resolves with its result, rejects with RpcCallError for a JSON-RPC error. */
export async function rpcCall<T = unknown>(
  target: RpcTarget, auth: Credentials, method: string, params: unknown[] | Record<string, unknown> = [], opts: { timeoutMs?: number } = {},
): Promise<T> {
  const id = nextId++;
  const res = await rpcRaw(target, { auth, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }), timeoutMs: opts.timeoutMs });
  if (res.status === 401) throw new PubchainError('rpc-unauthorized', 'the node refused the RPC credentials (a stale cookie, or a wrong --rpc-user/--rpc-password)');
  if (res.status !== 200) throw new PubchainError('rpc-http', `the RPC server answered HTTP ${res.status}: ${res.body.trim().slice(0, 200)}`);
  let answer: { id?: unknown; result?: T; error?: RpcErrorObject };
  try { answer = JSON.parse(res.body) as typeof answer; } catch { throw new PubchainError('rpc-http', 'the RPC server answered something that is not JSON'); }
  if (answer.error) throw new RpcCallError(answer.error.code, answer.error.message, answer.error.data);
  if (answer.id !== id || !('result' in answer)) throw new PubchainError('rpc-http', 'the RPC server\'s answer does not match the request');
  return answer.result as T;
}
