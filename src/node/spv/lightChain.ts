// The seam between the light wallet's sync (headers, filter headers, filters,
// matching blocks: src/node/spv/) and the wallet's own coins on top of it. The
// sync walks its best header chain in order and hands every block to the sink,
// awaiting each call, so the sink's last applied block is where a restart
// resumes. A block reaches the sink with its body only when its filter matched
// the sink's watch set; the body's Merkle root has then been checked against
// the header.
import type { Block } from '../../core/block.js';
import type { BlockHeader } from '../../core/header.js';
import type { Tx } from '../../core/tx.js';

/** One block of the light wallet's best header chain. */
export interface LightBlock {
  height: number;
  hash: Uint8Array;
  header: BlockHeader;
  /** The whole block when its filter matched the watch set, else null. */
  block: Block | null;
}

/** A place on the chain. */
export interface ChainPoint {
  height: number;
  hash: Uint8Array;
}

/** Implemented by the wallet side; called by the sync, one call at a time, in chain order. */
export interface LightChainSink {
  /** The last block applied (null: none yet; the sync starts at the genesis). The sync resumes after it. */
  lastApplied(): Promise<ChainPoint | null>;
  /** The pubKeyHashes whose outputs, or spends of whose outputs, make a block's filter match. Read before each match. */
  watched(): Uint8Array[];
  /** Applies the next block (its parent is the last applied one). */
  connect(b: LightBlock): Promise<void>;
  /** Takes the last applied block off (a reorganisation), newest first; its parent becomes the last applied. */
  disconnect(tip: ChainPoint): Promise<void>;
}

/** What the light node offers the wallet side and the RPC methods. */
export interface LightChainSource {
  /** The best header chain's tip. */
  headerTip(): ChainPoint;
  /** A header of the best chain at this height (null when above the tip or below the genesis). */
  headerAt(height: number): BlockHeader | null;
  /** A header of the best chain by hash, with its height (null when not on it). */
  headerByHash(hash: Uint8Array): { height: number; header: BlockHeader } | null;
  /** The highest block whose filter has been matched and handed to the sink. */
  syncedTip(): ChainPoint | null;
  /** Sends a transaction to the connected full peers; resolves with how many got it, rejects when none is connected. */
  broadcast(tx: Tx): Promise<number>;
}
