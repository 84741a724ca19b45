// Tip first, as the tutorial prints it. With the node running, through its RPC.
import { printChainEntry } from '../../rpc/methods/blockJson.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';

interface PrintedBlock {
  height: number; hash: string; prev: string; time: number; bits: string; nonce: number;
  txs: Array<{ txid: string; coinbase: boolean; inputs: Array<{ txid: string; vout: number; address: string }>; outputs: Array<{ value: string; address: string }> }>;
}

async function readChain(ctx: NodeContext, limit?: number): Promise<PrintedBlock[]> {
  const live = await findRunningNode(ctx.datadir);
  if (live) return live.call<PrintedBlock[]>('getchain', limit === undefined ? [] : [limit]);
  return withChain(ctx, async (chain) => {
    const tip = requireTip(chain, ctx);
    const out: PrintedBlock[] = [];
    const lowest = limit ? Math.max(ctx.params.genesisHeight, tip.height - limit + 1) : ctx.params.genesisHeight;
    for (let h = tip.height; h >= lowest; h--) {
      const hash = await chain.getHashAtHeight(h);
      const block = hash && (await chain.getBlock(hash));
      if (!block) throw new Error(`block at height ${h} is missing from the database`);
      out.push(printChainEntry(h, block) as unknown as PrintedBlock);
    }
    return out;
  });
}

export async function printChainCommand(ctx: NodeContext, limit?: number): Promise<void> {
  const blocks = await readChain(ctx, limit);
  emit(ctx.json, blocks, () => blocks.map((b) => [
    `============ Block ${b.hash} ============`,
    `Height: ${b.height}`,
    `Prev:   ${b.prev}`,
    `Time:   ${new Date(b.time * 1000).toISOString()}   Bits: ${b.bits}   Nonce: ${b.nonce}`,
    ...b.txs.flatMap((t) => [
      `  tx ${t.txid}${t.coinbase ? ' (coinbase)' : ''}`,
      ...t.inputs.map((i) => `     in  ${i.txid}:${i.vout}  from ${i.address}`),
      ...t.outputs.map((o) => `     out ${o.value.padStart(14)}  to ${o.address}`),
    ]),
    '',
  ].join('\n')).join('\n').trimEnd());
}
