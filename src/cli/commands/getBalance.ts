import { formatCoins } from '../../core/amount.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';

interface Balance { address: string; balance: string; units: string }

export async function getBalanceCommand(ctx: NodeContext, address: string): Promise<void> {
  // A running node checks the address itself: the address code (base58check and its hashing) loads only without one.
  const live = await findRunningNode(ctx.datadir);
  let result: Balance;
  if (live) result = await live.call<Balance>('getaddressbalance', [address]);
  else {
    const pubKeyHash = (await import('../../crypto/address.js')).decodeAddress(address);
    result = await withChain(ctx, async (chain) => {
      requireTip(chain, ctx);
      const units = await chain.balanceOf(pubKeyHash);
      return { address, balance: formatCoins(units), units: String(units) };
    });
  }
  emit(ctx.json, result, () => `Balance of '${result.address}': ${result.balance}`);
}
