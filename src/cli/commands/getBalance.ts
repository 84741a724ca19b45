import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { balanceLive, printBalance } from '../liveCommands.js';
import { findRunningNode } from '../runningNode.js';

export async function getBalanceCommand(ctx: NodeContext, address: string): Promise<void> {
  const live = await findRunningNode(ctx.datadir);
  if (live) return balanceLive(ctx, live, address);
  // Without a node, the address code (base58check and its hashing) and the chain load here.
  const [{ decodeAddress }, { formatCoins }] = await Promise.all([import('../../crypto/address.js'), import('../../core/amount.js')]);
  const pubKeyHash = decodeAddress(address);
  printBalance(ctx, await withChain(ctx, async (chain) => {
    requireTip(chain, ctx);
    const units = await chain.balanceOf(pubKeyHash);
    return { address, balance: formatCoins(units), units: String(units) };
  }));
}
