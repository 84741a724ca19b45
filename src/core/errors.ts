// Typed errors. A ValidationError carries a stable code (tests and peers' reject
// messages use it) and a ban score (how much a peer that sent it is penalised).

export class PubchainError extends Error {
  constructor(readonly code: string, message: string, readonly meta: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

/** The consensus rules' codes: the first table of docs/consensus.md, "Error codes". */
export type ConsensusCode =
  | 'bad-encoding'
  | 'bad-txns-vin-empty' | 'bad-txns-vout-empty' | 'bad-txns-oversize' | 'bad-txns-vout-toolarge' | 'bad-txns-pkh'
  | 'bad-txns-txouttotal-toolarge' | 'bad-cb-length' | 'bad-cb-pubkey' | 'bad-txns-prevout' | 'bad-txns-inputs-duplicate'
  | 'bad-txns-prevout-null' | 'non-canonical-signature' | 'bad-pubkey'
  | 'missing-inputs' | 'bad-txns-wrong-owner' | 'bad-txns-inputvalues-outofrange' | 'bad-txns-in-belowout' | 'bad-signature'
  | 'bad-diffbits' | 'high-hash' | 'bad-blk-length' | 'bad-cb-missing' | 'bad-cb-multiple' | 'bad-txns-duplicate'
  | 'bad-txnmrklroot' | 'bad-cb-height' | 'bad-cb-amount' | 'time-too-old' | 'time-too-new' | 'amount-overflow';

/** The chain layer's codes: the second table of docs/consensus.md. */
export type ChainCode = 'bad-genesis' | 'bad-prevblk' | 'duplicate-invalid' | 'bad-txns-inputs-missingorspent';

/** The mempool's refusals (docs/storage.md, "Mempool"); none of them bans. */
export type MempoolCode =
  | 'coinbase' | 'mempool-full' | 'mempool-busy' | 'no-chain'
  | 'txn-already-in-mempool' | 'txn-already-known' | 'txn-mempool-conflict';

/**
 * Every code a ValidationError carries. 'malformed-message' is a peer payload
 * that does not decode (p2p/messages.ts).
 */
export type ValidationCode = ConsensusCode | ChainCode | MempoolCode | 'malformed-message';

export class ValidationError extends PubchainError {
  declare readonly code: ValidationCode;

  constructor(code: ValidationCode, message: string, readonly banScore = 100, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}
/** A bad argument, flag, setting or environment variable: the CLI exits 2 on it. */
export class UsageError extends PubchainError {
  constructor(message: string) {
    super('usage', message);
  }
}
