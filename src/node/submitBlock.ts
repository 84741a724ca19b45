// A block from outside the P2P network (a Stratum share that met the target,
// or RPC submitblock) goes through the node's own acceptance path, the one a
// peer's block takes: full validation, storage, relay to peers on the new tip.
// The answer is bitcoind's submitblock vocabulary: null when the block joined
// the main chain, else 'duplicate', 'duplicate-invalid', 'inconclusive' (stored
// on a side branch), 'prev-blk-not-found', or the rule it broke ('high-hash', …).
import type { Block } from '../core/block.js';
import { ValidationError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import { isFailed } from '../chain/blockIndex.js';
import type { Chain } from '../chain/chain.js';

export interface BlockAcceptor {
  /** The node's path for its own blocks (NodeProtocol.submitMinedBlock): true when stored. */
  submitMinedBlock(block: Block): Promise<boolean>;
}

export async function submitBlock(chain: Chain, acceptor: BlockAcceptor, block: Block): Promise<string | null> {
  const hash = headerHash(block.header);
  const known = await chain.getIndex(hash);
  if (known) return isFailed(known) ? 'duplicate-invalid' : 'duplicate';
  if (!(await chain.getIndex(block.header.prevHash))) return 'prev-blk-not-found';
  if (await acceptor.submitMinedBlock(block)) return placed(chain, hash);
  // Refused (the node logged why): the chain remembers a rejected block's error, and a
  // block refused by a context-free rule fails the same way again, so asking once more names the rule.
  try {
    const again = await chain.processBlock(block);
    return again.status === 'duplicate' ? 'duplicate' : placed(chain, hash);
  } catch (err) {
    return err instanceof ValidationError ? err.code : 'rejected';
  }
}

async function placed(chain: Chain, hash: Uint8Array): Promise<string | null> {
  const entry = await chain.getIndex(hash);
  if (!entry) return 'inconclusive';
  if (isFailed(entry)) return 'rejected';
  return (await chain.isOnMainChain(entry)) ? null : 'inconclusive';
}
