// pubchain's BIP158 basic block filter. Bitcoin's basic filter holds output
// scripts; pubchain's outputs are pay-to-public-key-hash only, so its filter
// holds public-key hashes: every output's, and every spent output's (read from
// the undo data). The key is the first 16 bytes of the block hash (internal
// byte order); the coding is BIP158's (src/core/gcs.ts).
import type { Block } from './block.js';
import { buildFilter, filterHeader, GENESIS_PREV_FILTER_HEADER } from './gcs.js';

/** The filter's elements: outputs' and spent outputs' public-key hashes (duplicates are dropped by the coding). */
export function basicFilterElements(block: Block, spentPubKeyHashes: Iterable<Uint8Array>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const tx of block.txs) for (const o of tx.outputs) out.push(o.pubKeyHash);
  for (const pkh of spentPubKeyHashes) out.push(pkh);
  return out;
}

/** The first 16 bytes of the block hash: the filter's SipHash key. */
export const filterKeyOf = (blockHash: Uint8Array): Uint8Array => blockHash.subarray(0, 16);

export function basicBlockFilter(block: Block, blockHash: Uint8Array, spentPubKeyHashes: Iterable<Uint8Array>): Uint8Array {
  return buildFilter(basicFilterElements(block, spentPubKeyHashes), filterKeyOf(blockHash));
}

/** A block's filter and its header, chained on the previous header (null for the first block: 32 zero bytes). */
export function chainedFilter(
  block: Block, blockHash: Uint8Array, spentPubKeyHashes: Iterable<Uint8Array>, prevHeader: Uint8Array | null,
): { filter: Uint8Array; header: Uint8Array } {
  const filter = basicBlockFilter(block, blockHash, spentPubKeyHashes);
  return { filter, header: filterHeader(filter, prevHeader ?? GENESIS_PREV_FILTER_HEADER) };
}
