// bitcoind's RPC error codes, and how every error a method can throw becomes
// one. The mapping goes by class (and, for the wallet, by its typed code
// union), never by matching message or code strings. Node errors keep their
// string code in `data.code` besides bitcoind's number.
import { PubchainError, ValidationError } from '../core/errors.js';
import { AddressError } from '../crypto/address.js';
import { WalletError, type WalletErrorCode } from '../wallet/walletErrors.js';

// JSON-RPC's reserved codes.
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

// bitcoind's application codes (src/rpc/protocol.h).
/** Any other refusal (bitcoind's RPC_MISC_ERROR), also a wrong number of parameters. */
export const MISC_ERROR = -1;
/** A parameter of the wrong JSON type, or an amount that is not one. */
export const TYPE_ERROR = -3;
/** The wallet refused (a locked or corrupt wallet file). */
export const WALLET_ERROR = -4;
/** An invalid address or key, and an unknown block or transaction. */
export const INVALID_ADDRESS_OR_KEY = -5;
export const WALLET_INSUFFICIENT_FUNDS = -6;
/** A parameter of the right type with a value that is not allowed. */
export const INVALID_PARAMETER = -8;
/** bitcoind's RPC_WALLET_UNLOCK_NEEDED, RPC_WALLET_PASSPHRASE_INCORRECT, RPC_WALLET_WRONG_ENC_STATE. */
export const WALLET_UNLOCK_NEEDED = -13;
export const WALLET_PASSPHRASE_INCORRECT = -14;
export const WALLET_WRONG_ENC_STATE = -15;
export const CLIENT_NODE_ALREADY_ADDED = -23;
export const CLIENT_NODE_NOT_ADDED = -24;
/** A transaction or block broke a rule. */
export const VERIFY_REJECTED = -26;
/** The node is not ready: it has no chain yet (it waits to adopt its first peer's genesis). */
export const IN_WARMUP = -28;

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

export const invalidParameter = (message: string): RpcError => new RpcError(INVALID_PARAMETER, message);
export const typeError = (message: string): RpcError => new RpcError(TYPE_ERROR, message);
export const notFound = (message: string): RpcError => new RpcError(INVALID_ADDRESS_OR_KEY, message);
export const noChain = (): RpcError =>
  new RpcError(IN_WARMUP, 'the node has no chain yet: create one (createblockchain) or connect to a peer that has one', { code: 'no-chain' });

/** Every wallet refusal by its typed code; the compiler insists each code has a number. */
const WALLET_CODES: Record<WalletErrorCode, number> = {
  'insufficient-funds': WALLET_INSUFFICIENT_FUNDS,
  'not-my-address': INVALID_ADDRESS_OR_KEY,
  'bad-transfer': TYPE_ERROR,
  'wallet-busy': WALLET_ERROR,
  'wallet-corrupt': WALLET_ERROR,
  'wallet-unreadable': WALLET_ERROR,
  'wallet-missing': WALLET_ERROR,
  'wallet-locked': WALLET_UNLOCK_NEEDED,
  'wrong-passphrase': WALLET_PASSPHRASE_INCORRECT,
  'wrong-enc-state': WALLET_WRONG_ENC_STATE,
  'bad-passphrase': INVALID_PARAMETER,
  'bad-mnemonic': INVALID_PARAMETER,
  'wallet-has-seed': WALLET_ERROR,
  'wallet-empty': WALLET_ERROR,
  'bad-backup-path': WALLET_ERROR,
};

/** Every error a method can throw, as the object the client receives. Never a stack. */
export function toErrorObject(err: unknown): RpcErrorObject {
  if (err instanceof RpcError) return err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data };
  if (err instanceof AddressError) return { code: INVALID_ADDRESS_OR_KEY, message: err.message, data: { code: err.code } };
  if (err instanceof PubchainError) return { code: codeOf(err), message: err.message, data: { code: err.code, ...safeMeta(err.meta) } };
  // RangeError is how the core's parsers (amounts, host:port) say an input is malformed.
  if (err instanceof RangeError) return { code: INVALID_PARAMETER, message: err.message };
  return { code: INTERNAL_ERROR, message: 'internal error' };
}

function codeOf(err: PubchainError): number {
  if (err instanceof ValidationError) return VERIFY_REJECTED;
  if (err instanceof WalletError) return WALLET_CODES[err.code];
  return MISC_ERROR;
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
