import { PubchainError } from '../core/errors.js';

export type WalletErrorCode =
  | 'wallet-corrupt' | 'wallet-unreadable' | 'wallet-missing' | 'wallet-busy' | 'not-my-address' | 'insufficient-funds' | 'bad-transfer'
  | 'wallet-locked' | 'wrong-passphrase' | 'wrong-enc-state' | 'bad-passphrase' | 'bad-mnemonic' | 'wallet-has-seed' | 'wallet-empty' | 'bad-backup-path';

/** bitcoind's RPC codes for the wallet errors that have one (RPC_WALLET_UNLOCK_NEEDED, …). */
const BITCOIND_CODES: Partial<Record<WalletErrorCode, number>> = {
  'wallet-locked': -13,
  'wrong-passphrase': -14,
  'wrong-enc-state': -15,
};

export class WalletError extends PubchainError {
  /** The JSON-RPC error code bitcoind uses for this condition, when there is one. */
  readonly bitcoindCode: number | undefined;

  constructor(code: WalletErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
    this.bitcoindCode = BITCOIND_CODES[code];
  }
}

export const UNLOCK_NEEDED = 'Error: Please enter the wallet passphrase with walletpassphrase first.';
export const lockedError = (): WalletError => new WalletError('wallet-locked', UNLOCK_NEEDED);
