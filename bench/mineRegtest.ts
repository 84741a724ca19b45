// Proof of work for benchmark chains: regtest bits need only a few hashes, so
// a plain nonce loop on the main thread is enough.
import type { Block } from '../src/core/block.js';
import { headerHash } from '../src/core/header.js';
import { bitsToTarget, hashMeetsTarget } from '../src/core/pow.js';

export function mineRegtest(block: Block): Block {
  const target = bitsToTarget(block.header.bits);
  for (let n = 0; n < 1_000_000; n++) {
    block.header.nonce = n;
    if (hashMeetsTarget(headerHash(block.header), target)) return block;
  }
  throw new Error('no nonce found');
}
