// The chain database of the node a command acts on (nodeResolve.ts says which).
import { join } from 'node:path';
import { PubchainError } from '../core/errors.js';
import type { Chain } from '../chain/chain.js';
import type { RocksStore } from '../storage/rocksStore.js';
import type { NodeContext } from './nodeResolve.js';

export { resolveNode, type GlobalOptions, type NodeContext } from './nodeResolve.js';

/** Opens this node's chain database; a running node holding it gives DatabaseLockedError at once. */
export async function openChain(ctx: NodeContext): Promise<Chain> {
  // Loaded here, not at import: a command that goes through a running node's RPC never needs them.
  const [{ Chain }, { DatabaseLockedError }, { RocksStore }, { merkleRoot }] = await Promise.all([
    import('../chain/chain.js'), import('../storage/errors.js'), import('../storage/rocksStore.js'), import('../wasm/merkle.js'),
  ]);
  let store: RocksStore;
  try {
    store = await RocksStore.open(join(ctx.datadir, 'chain'));
  } catch (e) {
    // The commands that can go through a running node already have; this one needs the database itself.
    if (e instanceof DatabaseLockedError) throw new PubchainError('db-locked', `${e.message}; this command needs the database itself: stop the node first (pubchain stop)`);
    throw e;
  }
  return Chain.open(store, ctx.params, { merkleRoot });
}

export async function withChain<T>(ctx: NodeContext, job: (chain: Chain) => Promise<T>): Promise<T> {
  const chain = await openChain(ctx);
  try {
    return await job(chain);
  } finally {
    await chain.close();
  }
}

/** Commands that read the chain say plainly when there is none. */
export function requireTip(chain: Chain, ctx: NodeContext): NonNullable<Chain['tip']> {
  if (!chain.tip) throw new PubchainError('no-chain', `there is no blockchain in ${ctx.datadir} yet: run createblockchain, or startnode to sync one`);
  return chain.tip;
}
