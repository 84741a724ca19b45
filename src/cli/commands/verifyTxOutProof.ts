// Checks a gettxoutproof proof against this node's header chain: through the
// running node's RPC, or on the database itself when no node runs.
import { withChain, type NodeContext } from '../nodeContext.js';
import { printProof, proofLive } from '../liveCommands.js';
import { findRunningNode } from '../runningNode.js';

export async function verifyTxOutProofCommand(ctx: NodeContext, proof: string): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  if (live) return proofLive(ctx, live, proof);
  const [{ checkTxOutProof }, { fullHeaderChain }] = await Promise.all([import('../../rpc/methods/proofs.js'), import('../../rpc/fullPorts.js')]);
  printProof(ctx, (await withChain(ctx, (chain) => checkTxOutProof(fullHeaderChain(chain), proof))).txids);
}
