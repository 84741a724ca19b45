// JSON-RPC 2.0 error objects. The spec's reserved codes for protocol errors,
// and a -32000 range for errors the node itself reports; those carry the
// node's string code in `data.code`, which is what scripts should branch on.
import { PubchainError, ValidationError } from '../core/errors.js';
import { AddressError } from '../crypto/address.js';
import { WalletError } from '../wallet/walletErrors.js';

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** A PubchainError without a more specific code below. */
export const NODE_ERROR = -32000;
/** A transaction or block broke a rule (ValidationError). */
export const REJECTED = -32001;
/** The wallet refused: unknown address, not enough funds, locked or corrupt file. */
export const WALLET_ERROR = -32002;
/** There is no chain yet (the node waits to adopt its first peer's genesis). */
export const NO_CHAIN = -32003;
/** The method exists but not on this network (generatetoaddress outside regtest). */
export const WRONG_NETWORK = -32004;
/** A block or transaction the method names is not known. */
export const NOT_FOUND = -32005;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalidParams = (message: string): RpcError => new RpcError(INVALID_PARAMS, message);

/** Every error a method can throw, as the object the client receives. Never a stack. */
export function toErrorObject(err: unknown): RpcErrorObject {
  if (err instanceof RpcError) return err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data };
  if (err instanceof AddressError) return { code: INVALID_PARAMS, message: err.message, data: { code: err.code } };
  if (err instanceof PubchainError) return { code: codeOf(err), message: err.message, data: { code: err.code, ...safeMeta(err.meta) } };
  // RangeError is how the core's parsers (amounts, host:port) say an input is malformed.
  if (err instanceof RangeError) return { code: INVALID_PARAMS, message: err.message };
  return { code: INTERNAL_ERROR, message: 'internal error' };
}

function codeOf(err: PubchainError): number {
  if (err instanceof ValidationError) return REJECTED;
  if (err instanceof WalletError && err.bitcoindCode !== undefined) return err.bitcoindCode;
  if (err instanceof WalletError) return WALLET_ERROR;
  if (err.code === 'no-chain') return NO_CHAIN;
  return NODE_ERROR;
}

/** Only plain JSON values from an error's meta reach the client (blocks, bigints and buffers stay home). */
function safeMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'code') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v;
  }
  return out;
}
