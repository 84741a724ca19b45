// Checks a gettxoutproof proof against this node's header chain: through the
// running node's RPC, or on the database itself when no node runs.
import { PubchainError } from '../../core/errors.js';
import { withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';

interface Checked { valid: boolean; txids: string[] }

export async function verifyTxOutProofCommand(ctx: NodeContext, proof: string): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  let txids: string[];
  if (live) txids = await live.call<string[]>('verifytxoutproof', [proof]);
  else {
    const { checkTxOutProof } = await import('../../rpc/methods/proofs.js');
    const { fullHeaderChain } = await import('../../rpc/fullPorts.js');
    txids = (await withChain(ctx, (chain) => checkTxOutProof(fullHeaderChain(chain), proof))).txids;
  }
  const result: Checked = { valid: txids.length > 0, txids };
  if (!result.valid) throw new PubchainError('proof-invalid', 'the proof does not hash to its block\'s Merkle root: it proves nothing');
  emit(ctx.json, result, () => ['The proof is valid; it proves:', ...txids.map((t) => `  ${t}`)].join('\n'));
}
