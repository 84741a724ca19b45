// The rules that make a block the first of this network's chain, beyond the
// context-free ones every block meets: no parent, the network's genesis bits
// and height, a sane time. The Chain connects it (chain.ts, initGenesis).
import type { Block } from '../core/block.js';
import { bytesEqual } from '../core/bytes.js';
import { checkBlockTime } from '../core/difficulty.js';
import { ValidationError } from '../core/errors.js';
import type { MerkleRootFn } from '../core/merkle.js';
import type { NetworkParams } from '../core/params.js';
import { workFromBits } from '../core/pow.js';
import { coinbaseHeight, NULL_HASH } from '../core/tx.js';
import { BlockSanity, checkBlockSanity } from '../core/validate.js';
import type { BlockIndexEntry } from './blockIndex.js';

/** The checked genesis block's hash, txids and (unconnected) index entry. */
export function checkGenesis(block: Block, params: NetworkParams, merkleRoot: MerkleRootFn, now: number): BlockSanity & { entry: BlockIndexEntry } {
  if (!bytesEqual(block.header.prevHash, NULL_HASH)) throw new ValidationError('bad-genesis', 'a genesis block must have an all-zero previous hash', 100);
  if (block.header.bits !== params.genesisBits) {
    throw new ValidationError('bad-diffbits', `genesis bits 0x${block.header.bits.toString(16)} differ from the network's 0x${params.genesisBits.toString(16)}`, 100);
  }
  const { hash, txids, bytes } = checkBlockSanity(block, params, merkleRoot);
  const h = coinbaseHeight(block.txs[0]!);
  if (h !== params.genesisHeight) throw new ValidationError('bad-cb-height', `genesis coinbase says height ${h}, not ${params.genesisHeight}`, 100);
  checkBlockTime(params, block.header.time, 0, now);
  const entry: BlockIndexEntry = { hash, height: params.genesisHeight, work: workFromBits(block.header.bits), header: block.header, status: 'stored' };
  return { hash, txids, bytes, entry };
}
