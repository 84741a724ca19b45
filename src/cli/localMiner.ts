// Mining for one-shot commands (createblockchain, send --mine): the worker pool
// on the main network, where a block takes ~2^20 hashes; a single thread on
// regtest, where it takes a couple and starting workers would cost more.
import { availableParallelism } from 'node:os';
import type { NetworkParams } from '../core/params.js';
import type { Block } from '../core/block.js';
import { createPoolSearcher } from '../mining/noncePool.js';
import { createSingleThreadSearcher } from '../mining/singleThread.js';
import { mineTemplate, type BlockTemplate } from '../mining/template.js';
import type { NonceSearcher } from '../wasm/nonceSearch.js';

export function searcherFor(params: NetworkParams, threads?: number): NonceSearcher {
  const n = threads ?? (params.name === 'regtest' ? 1 : availableParallelism());
  return n > 1 ? createPoolSearcher({ threads: n }) : createSingleThreadSearcher();
}

export async function mineLocally(params: NetworkParams, template: BlockTemplate, threads?: number): Promise<Block> {
  const searcher = searcherFor(params, threads);
  try {
    const block = await mineTemplate(template, searcher);
    if (!block) throw new Error('mining stopped before a block was found');
    return block;
  } finally {
    await searcher.close();
  }
}
