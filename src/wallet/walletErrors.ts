import { PubchainError } from '../core/errors.js';

export type WalletErrorCode =
  | 'wallet-corrupt' | 'wallet-unreadable' | 'wallet-missing' | 'wallet-busy' | 'not-my-address' | 'insufficient-funds' | 'bad-transfer'
  | 'wallet-locked' | 'wrong-passphrase' | 'wrong-enc-state' | 'bad-passphrase' | 'bad-mnemonic' | 'wallet-has-seed' | 'wallet-empty' | 'bad-backup-path';

/** A wallet refusal; src/rpc/rpcErrors.ts gives each code its bitcoind RPC number. */
export class WalletError extends PubchainError {
  declare readonly code: WalletErrorCode;

  constructor(code: WalletErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

/** The light wallet's coin store refused a call: out of chain order, or its store failed earlier (the node then stops). */
export class LightCoinsError extends PubchainError {
  constructor(message: string) { super('light-coins', message); }
}

export const UNLOCK_NEEDED = 'Error: Please enter the wallet passphrase with walletpassphrase first.';
export const lockedError = (): WalletError => new WalletError('wallet-locked', UNLOCK_NEEDED);
