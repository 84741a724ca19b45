// The two seams that let one method serve both node kinds. A full node answers
// from its UTXO set, mempool and block index; a light node (startnode --spv)
// from its wallet's coin store and its header chain.
import type { BlockHeader } from '../core/header.js';
import type { Tx } from '../core/tx.js';
import type { SpendableCoin } from '../wallet/transfers.js';

/** The wallet's view of the chain, and the way a signed transaction leaves the node. */
export interface WalletChainPort {
  /** Height the wallet's coins are counted at (confirmations count from it); throws -28 while there is none. */
  tipHeight(): number;
  /**
   * Per owner (keyed by hashToHex(pubKeyHash)): its confirmed coins that no unconfirmed
   * transaction spends, in outpoint order, then unconfirmed outputs paying it
   * that none spends (height 0).
   */
  spendable(owners: Uint8Array[]): Promise<Map<string, SpendableCoin[]>>;
  /** Confirmed balance of an address; a light node knows only its wallet's own (else -1). */
  balanceOf(pubKeyHash: Uint8Array): Promise<number>;
  /** Checks and hands a signed transaction to the network; rejects with the reason it was refused. */
  submit(tx: Tx): Promise<void>;
  /** Every unspent coin of an address (restorewallet's scan); null where the node keeps no UTXO set. */
  coinsOf: ((pubKeyHash: Uint8Array) => Promise<SpendableCoin[]>) | null;
  /** Mines one block holding `txs` and resolves with its hash (send with mine=true); null where the node cannot. */
  mineWith: ((payoutPubKeyHash: Uint8Array, txs: Tx[]) => Promise<Uint8Array>) | null;
}

/** A header of the best chain, with its height. */
export interface ChainHeader {
  height: number;
  hash: Uint8Array;
  header: BlockHeader;
}

/** The best chain as far as this node knows its blocks (a light node: as far as it has matched filters). */
export interface HeaderChainPort {
  /** The tip blocks are counted to (getblockcount), or null while there is no chain. */
  tip(): ChainHeader | null;
  /** The best chain's header at a height up to tip(), or null. */
  atHeight(height: number): Promise<ChainHeader | null>;
  /** A header of the best chain by hash, or null when it is not on it. */
  onBestChain(hash: Uint8Array): Promise<ChainHeader | null>;
  /** How many transactions the block holds, where its body is at hand (null: only the header is known). */
  txCount(hash: Uint8Array): Promise<number | null>;
}
