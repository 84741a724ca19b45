// The shapes the Chain API takes and returns.
import type { Block } from '../core/block.js';
import type { BatchHashers } from '../core/hash.js';
import type { MerkleRootFn } from '../core/merkle.js';
import type { SigBatchVerifier } from '../crypto/verifier.js';

export type { SigBatchVerifier } from '../crypto/verifier.js';

export interface ChainOptions {
  /** Throws a ValidationError ('bad-signature') when any check fails. */
  verifySigs?: SigBatchVerifier;
  /** Default the WASM kernel's (src/wasm/merkle.ts). */
  merkleRoot?: MerkleRootFn;
  /** Batched SHA256d for a block's txids and sighashes; default the WASM kernel's (src/wasm/hashBatch.ts). */
  batchHashers?: BatchHashers;
  /** Unix seconds. */
  now?: () => number;
  /** --assumevalid: signatures of this block and its ancestors are not verified (chain/assumeValid.ts). Default none. */
  assumeValid?: Uint8Array | null;
  /** Block index entries and main-chain heights kept in memory. */
  cacheSize?: number;
  /** Build and keep BIP158 block filters as blocks connect (src/chain/filterIndex.ts). */
  blockFilters?: boolean;
}

export interface ProcessResult {
  status: 'connected' | 'reorg' | 'side' | 'orphan' | 'duplicate';
  hash: Uint8Array;
  height?: number;
  /** Blocks that joined the main chain, oldest first. */
  connected: Block[];
  /** Blocks that left it, tip first. */
  disconnected: Block[];
}

/**
 * Carried in the meta of the ValidationError thrown when a heavier branch turns
 * out invalid: what the main chain did. Usually nothing (the old chain is
 * restored); when the valid part of the branch already had more work than the
 * old tip, the tip stays there. The 'connect'/'disconnect' events say the same.
 */
export interface ChainChange {
  tipChanged: boolean;
  connected: Block[];
  disconnected: Block[];
}

export interface NextBlockContext {
  height: number;
  prevHash: Uint8Array;
  bits: number;
  medianTimePast: number;
}
