// JSON-RPC 2.0 on a parsed body: single requests and batches, notifications,
// request-shape checks, positional or named params, and every failure as an
// error object (the transport never sees an exception).
import type { Logger } from '../node/logger.js';
import { INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, RpcError, RpcErrorObject, toErrorObject } from './rpcErrors.js';
import type { RpcMethod, RpcNodeContext } from './types.js';

export type RpcId = string | number | null;

export type RpcResponse =
  | { jsonrpc: '2.0'; id: RpcId; result: unknown }
  | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

export interface DispatchOptions {
  ctx: RpcNodeContext;
  methods: ReadonlyMap<string, RpcMethod>;
  log: Logger;
  maxBatch: number;
}

export const errorResponse = (id: RpcId, code: number, message: string, data?: unknown): RpcResponse =>
  ({ jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** What to send back for a parsed body: one response, an array of them, or nothing (only notifications). */
export async function dispatchBody(body: unknown, o: DispatchOptions): Promise<RpcResponse | RpcResponse[] | null> {
  if (!Array.isArray(body)) return dispatchOne(body, o);
  if (body.length === 0) return errorResponse(null, INVALID_REQUEST, 'an empty batch is not a request');
  if (body.length > o.maxBatch) return errorResponse(null, INVALID_REQUEST, `a batch holds at most ${o.maxBatch} requests, not ${body.length}`);
  const out: RpcResponse[] = [];
  // One after another, as bitcoind does: a batch of sends must not race for the same coins.
  for (const item of body) {
    const r = await dispatchOne(item, o);
    if (r) out.push(r);
  }
  return out.length > 0 ? out : null;
}

async function dispatchOne(req: unknown, o: DispatchOptions): Promise<RpcResponse | null> {
  if (!isObject(req)) return errorResponse(null, INVALID_REQUEST, 'a request must be a JSON object');
  const notification = !hasOwn(req, 'id');
  const id = req.id;
  if (!notification && !(id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) {
    return errorResponse(null, INVALID_REQUEST, 'id must be a string, a number or null');
  }
  const rid = notification ? null : (id as RpcId);
  // bitcoin-cli style 1.0 requests are answered as 2.0; anything else is not ours.
  if (hasOwn(req, 'jsonrpc') && req.jsonrpc !== '2.0' && req.jsonrpc !== '1.0') return errorResponse(rid, INVALID_REQUEST, 'jsonrpc must be "2.0"');
  if (typeof req.method !== 'string') return errorResponse(rid, INVALID_REQUEST, 'method must be a string');
  const params = req.params;
  if (params !== undefined && params !== null && typeof params !== 'object') return errorResponse(rid, INVALID_REQUEST, 'params must be an array or an object');
  const answer = await call(req.method, params as unknown[] | Record<string, unknown> | null | undefined, o);
  if (notification) return null;
  return 'error' in answer ? errorResponse(rid, answer.error.code, answer.error.message, answer.error.data) : { jsonrpc: '2.0', id: rid, result: answer.result };
}

async function call(name: string, params: unknown[] | Record<string, unknown> | null | undefined, o: DispatchOptions): Promise<{ result: unknown } | { error: RpcErrorObject }> {
  const method = o.methods.get(name);
  if (!method) return { error: { code: METHOD_NOT_FOUND, message: `method not found: ${name.slice(0, 100)}` } };
  const started = Date.now();
  const t0 = performance.now();
  try {
    const args = positional(method, params);
    const result = await method.run(o.ctx, args);
    o.log.debug({ method: name, ms: Date.now() - started }, 'rpc call');
    return { result: result === undefined ? null : result };
  } catch (err) {
    const error = toErrorObject(err);
    if (error.code === INTERNAL_ERROR) o.log.error({ err, method: name }, 'rpc method failed');
    else o.log.debug({ method: name, code: error.code, reason: error.message }, 'rpc call refused');
    return { error };
  } finally {
    o.ctx.observeCall?.(name, performance.now() - t0);
  }
}

/** Checks arity and maps named params onto the method's positions. */
export function positional(method: RpcMethod, params: unknown[] | Record<string, unknown> | null | undefined): unknown[] {
  const spec = method.params;
  let args: unknown[];
  if (params === undefined || params === null) args = [];
  else if (Array.isArray(params)) args = params;
  else {
    const names = new Set(spec.map((p) => p.name));
    for (const k of Object.keys(params)) if (!names.has(k)) throw new RpcError(INVALID_PARAMS, `${method.name} has no parameter "${k.slice(0, 100)}"`);
    args = spec.map((p) => params[p.name]);
  }
  if (args.length > spec.length) throw new RpcError(INVALID_PARAMS, `${method.name} takes at most ${spec.length} parameter(s), not ${args.length}`);
  spec.forEach((p, i) => {
    if (!p.optional && (args[i] === undefined || args[i] === null)) throw new RpcError(INVALID_PARAMS, `${method.name} needs parameter "${p.name}"`);
  });
  return args;
}
