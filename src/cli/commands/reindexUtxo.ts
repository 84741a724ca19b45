import { withChain, requireTip, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function reindexUtxoCommand(ctx: NodeContext): Promise<void> {
  const r = await withChain(ctx, async (chain) => {
    requireTip(chain, ctx);
    const before = await chain.utxoSetHash();
    await chain.reindexUtxo();
    const after = await chain.utxoSetHash();
    return { height: chain.tip!.height, utxoSetHash: after, changed: before !== after };
  });
  emit(ctx.json, r, () => `Rebuilt the UTXO set from ${r.height} blocks (set hash ${r.utxoSetHash}${r.changed ? ', which differs from the one before: it had drifted' : ', unchanged'})`);
}
