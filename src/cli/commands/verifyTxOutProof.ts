// Checks a gettxoutproof proof against this node's header chain: through the
// running node's RPC, or on the database itself when no node runs.
import { withChain, type NodeContext } from '../nodeContext.js';
import { printProof, proofLive } from '../liveCommands.js';
import { findRunningNode } from '../runningNode.js';

export async function verifyTxOutProofCommand(ctx: NodeContext, proof: string): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  if (live) return proofLive(ctx, live, proof);
  const [{ checkTxOutProof }, { fullHeaderChain }, spv] = await Promise.all([
    import('../../rpc/methods/proofs.js'), import('../../rpc/fullPorts.js'), import('../../node/spv/storedHeaders.js'),
  ]);
  // A stopped light wallet (startnode --spv) checks against the headers it stored.
  if (spv.isLightDatadir(ctx.datadir)) {
    const { storedHeaderChain } = await import('../../rpc/lightContext.js');
    printProof(ctx, (await spv.withStoredHeaders(ctx.datadir, ctx.params, (h) => checkTxOutProof(storedHeaderChain(h), proof))).txids);
    return;
  }
  printProof(ctx, (await withChain(ctx, (chain) => checkTxOutProof(fullHeaderChain(chain), proof))).txids);
}
