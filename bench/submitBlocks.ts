// Hands blocks to the chain the way the node's sync does: the next block is
// submitted before the last one has finished, so it is validated while the
// last one's batch is written. At most `window` are outstanding, as a peer
// download keeps a bounded number in flight.
import type { Chain, ProcessResult } from '../src/chain/chain.js';
import type { Block } from '../src/core/block.js';

export async function submitBlocks(chain: Chain, blocks: readonly Block[], window = 16, onResult?: (r: ProcessResult, b: Block) => void): Promise<void> {
  const outstanding = new Set<Promise<void>>();
  for (const b of blocks) {
    const p: Promise<void> = chain.processBlock(b).then((r) => {
      if (r.status !== 'connected') throw new Error(`bench block not connected: ${r.status}`);
      onResult?.(r, b);
    }).finally(() => { outstanding.delete(p); });
    outstanding.add(p);
    if (outstanding.size >= window) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
}
