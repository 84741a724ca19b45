// What a light node can check about a block and its filter by itself. Every
// pubchain output pays a public-key hash, and a valid block's inputs are each
// signed by the key whose hash160 the spent output paid (src/core/validate.ts,
// bad-txns-wrong-owner), so the basic filter's two parts (outputs' pkhs, spent
// outputs' pkhs) are both in the block: the filter is fully computable from the
// block alone, and a peer's filter hash that differs from it is a lie.
import { Block, blockTxids } from '../../core/block.js';
import { bytesEqual } from '../../core/bytes.js';
import { basicBlockFilter } from '../../core/blockFilter.js';
import { hash160 } from '../../core/hash.js';
import type { BlockHeader } from '../../core/header.js';
import { hasDuplicateLeaves, merkleRootJs } from '../../core/merkle.js';
import { isCoinbase } from '../../core/tx.js';

/** The block's BIP158 basic filter, built from the block alone. */
export function ownBlockFilter(block: Block, blockHash: Uint8Array): Uint8Array {
  const spent: Uint8Array[] = [];
  for (const tx of block.txs) if (!isCoinbase(tx)) for (const i of tx.inputs) spent.push(hash160(i.pubKey));
  return basicBlockFilter(block, blockHash, spent);
}

/** Null when the body belongs to the header (its Merkle root, no duplicated leaves), else why not. */
export function bodyMismatch(block: Block, header: BlockHeader): string | null {
  if (block.txs.length === 0) return 'a block without transactions';
  const ids = blockTxids(block);
  if (hasDuplicateLeaves(ids)) return 'a block with duplicated transactions';
  if (!bytesEqual(merkleRootJs(ids), header.merkleRoot)) return "a block whose Merkle root is not its header's";
  return null;
}
