import { PubchainError } from '../core/errors.js';

export type WalletErrorCode =
  | 'wallet-corrupt' | 'wallet-unreadable' | 'wallet-busy' | 'not-my-address' | 'insufficient-funds' | 'bad-transfer';

export class WalletError extends PubchainError {
  constructor(code: WalletErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}
