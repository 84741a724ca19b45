// JSON-RPC on a parsed body, as bitcoind (v28) answers it. A request without
// "jsonrpc": "2.0" (what bitcoin-cli, npm bitcoin-core and python-bitcoinlib
// send) is legacy: its reply always holds "result" and "error" (one of them
// null) and an error sets the HTTP status (404 unknown method, 400 a malformed
// request, 500 anything else). A 2.0 request gets the 2.0 shape (result or
// error, never both) with HTTP 200 for errors a method reports; a 2.0 request
// without an id is a notification, run and not answered. Batches are always
// HTTP 200, each entry answered in its own version.
import type { Logger } from '../node/logger.js';
import { INTERNAL_ERROR, INVALID_PARAMETER, INVALID_REQUEST, METHOD_NOT_FOUND, MISC_ERROR, PARSE_ERROR, RpcError, RpcErrorObject, toErrorObject } from './rpcErrors.js';
import type { RpcBaseContext, RpcMethod } from './types.js';

export type RpcVersion = 'legacy' | '2.0';

/** A reply object in bitcoind's key order; `id` is left out when the request had none. */
export type RpcResponse = Record<string, unknown>;

/** What the transport sends: an HTTP status and a JSON body, or nothing (204). */
export interface RpcAnswer {
  status: number;
  body: RpcResponse | RpcResponse[] | null;
}

export interface DispatchOptions {
  /** The context `methods` were written for (a full or a light node's; the server pairs them). */
  ctx: RpcBaseContext;
  methods: ReadonlyMap<string, RpcMethod<RpcBaseContext>>;
  log: Logger;
  maxBatch: number;
}

interface Parsed {
  version: RpcVersion;
  /** Absent (undefined) when the request has no "id" key. */
  id?: { value: unknown };
  method?: string;
  params?: unknown[] | Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** bitcoind's JSONRPCReplyObj: the key set and order of each version. */
export function replyObject(version: RpcVersion, id: { value: unknown } | undefined, result: unknown, error: RpcErrorObject | null): RpcResponse {
  const out: RpcResponse = {};
  if (version === '2.0') out.jsonrpc = '2.0';
  if (error === null) {
    out.result = result;
    if (version === 'legacy') out.error = null;
  } else {
    if (version === 'legacy') out.result = null;
    out.error = error;
  }
  if (id) out.id = id.value;
  return out;
}

/** bitcoind's JSONErrorReply: the HTTP status of a legacy (or malformed) request's error. */
export function httpStatusOf(code: number): number {
  if (code === INVALID_REQUEST) return 400;
  if (code === METHOD_NOT_FOUND) return 404;
  return 500;
}

/** A whole-body error (not JSON, a batch too long) in the legacy shape, as bitcoind sends it before it knows a version. */
export function bodyError(code: number, message: string): RpcAnswer {
  return { status: httpStatusOf(code), body: replyObject('legacy', { value: null }, null, { code, message }) };
}

export async function dispatchBody(body: unknown, o: DispatchOptions): Promise<RpcAnswer> {
  if (isObject(body)) return dispatchSingle(body, o);
  if (!Array.isArray(body)) return bodyError(PARSE_ERROR, 'Top-level object parse error');
  if (body.length > o.maxBatch) return bodyError(INVALID_REQUEST, `a batch holds at most ${o.maxBatch} requests, not ${body.length}`);
  const out: RpcResponse[] = [];
  // One after another, as bitcoind does: a batch of sends must not race for the same coins.
  for (const item of body) {
    const req: Parsed = { version: 'legacy' };
    let reply: RpcResponse;
    try {
      parseInto(item, req);
      reply = await execute(req, o, true);
    } catch (err) {
      reply = replyObject(req.version, req.id, null, toErrorObject(err));
    }
    if (!isNotification(req)) out.push(reply);
  }
  // An empty batch gets [] (bitcoind keeps that for old clients); one of notifications only gets nothing.
  if (out.length === 0 && body.length > 0) return { status: 204, body: null };
  return { status: 200, body: out };
}

async function dispatchSingle(body: Record<string, unknown>, o: DispatchOptions): Promise<RpcAnswer> {
  const req: Parsed = { version: 'legacy' };
  try {
    parseInto(body, req);
    // Legacy requests let errors through to become HTTP errors; 2.0 ones answer them with 200.
    const reply = await execute(req, o, req.version === '2.0');
    if (isNotification(req)) return { status: 204, body: null };
    return { status: 200, body: reply };
  } catch (err) {
    const error = toErrorObject(err);
    return { status: httpStatusOf(error.code), body: replyObject(req.version, req.id, null, error) };
  }
}

const isNotification = (req: Parsed): boolean => req.version === '2.0' && req.id === undefined;

/** bitcoind's JSONRPCRequest::parse: fills `req` as far as it gets, so an error still carries the id and version. */
function parseInto(v: unknown, req: Parsed): void {
  if (!isObject(v)) throw new RpcError(INVALID_REQUEST, 'Invalid Request object');
  // Any JSON value is an id, echoed as it came.
  if (hasOwn(v, 'id')) req.id = { value: v.id };
  if (hasOwn(v, 'jsonrpc') && v.jsonrpc !== null) {
    if (typeof v.jsonrpc !== 'string') throw new RpcError(INVALID_REQUEST, 'jsonrpc field must be a string');
    if (v.jsonrpc === '2.0') req.version = '2.0';
    else if (v.jsonrpc !== '1.0') throw new RpcError(INVALID_REQUEST, 'JSON-RPC version not supported');
  }
  if (v.method === undefined || v.method === null) throw new RpcError(INVALID_REQUEST, 'Missing method');
  if (typeof v.method !== 'string') throw new RpcError(INVALID_REQUEST, 'Method must be a string');
  req.method = v.method;
  const params = v.params;
  if (params === undefined || params === null) req.params = [];
  else if (typeof params === 'object') req.params = params as unknown[] | Record<string, unknown>;
  else throw new RpcError(INVALID_REQUEST, 'Params must be an array or object');
}

/** Runs a parsed request; with `catchErrors`, a method's error becomes the reply instead of a throw. */
async function execute(req: Parsed, o: DispatchOptions, catchErrors: boolean): Promise<RpcResponse> {
  const name = req.method!;
  const method = o.methods.get(name);
  if (!method) {
    const error = { code: METHOD_NOT_FOUND, message: 'Method not found' };
    if (!catchErrors) throw new RpcError(error.code, error.message);
    return replyObject(req.version, req.id, null, error);
  }
  const started = Date.now();
  const t0 = performance.now();
  try {
    const result = await method.run(o.ctx, positional(method, req.params));
    o.log.debug({ method: name, ms: Date.now() - started }, 'rpc call');
    return replyObject(req.version, req.id, result === undefined ? null : result, null);
  } catch (err) {
    const error = toErrorObject(err);
    if (error.code === INTERNAL_ERROR) o.log.error({ err, method: name }, 'rpc method failed');
    else o.log.debug({ method: name, code: error.code, reason: error.message }, 'rpc call refused');
    if (!catchErrors) throw new RpcError(error.code, error.message, error.data);
    return replyObject(req.version, req.id, null, error);
  } finally {
    o.ctx.observeCall?.(name, performance.now() - t0);
  }
}

/**
 * Checks arity and maps named params onto the method's positions. As bitcoind:
 * a wrong count is -1 with the usage line, an unknown name -8.
 */
export function positional(method: RpcMethod<RpcBaseContext>, params: unknown[] | Record<string, unknown> | null | undefined): unknown[] {
  const spec = method.params;
  let args: unknown[];
  if (params === undefined || params === null) args = [];
  else if (Array.isArray(params)) args = params;
  else {
    const names = new Set(spec.map((p) => p.name));
    for (const k of Object.keys(params)) if (!names.has(k)) throw new RpcError(INVALID_PARAMETER, `Unknown named parameter ${k.slice(0, 100)}`);
    args = spec.map((p) => params[p.name]);
  }
  const usage = [method.name, ...spec.map((p) => (p.optional ? `( ${p.name} )` : `"${p.name}"`))].join(' ');
  if (args.length > spec.length) throw new RpcError(MISC_ERROR, `${method.name} takes at most ${spec.length} parameter(s), not ${args.length}. Usage: ${usage}`);
  spec.forEach((p, i) => {
    if (!p.optional && (args[i] === undefined || args[i] === null)) throw new RpcError(MISC_ERROR, `${method.name} needs parameter "${p.name}". Usage: ${usage}`);
  });
  return args;
}
