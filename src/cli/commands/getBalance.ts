import { formatCoins } from '../../core/amount.js';
import { decodeAddress } from '../../crypto/address.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';
import { findRunningNode } from '../runningNode.js';

interface Balance { address: string; balance: string; units: string }

export async function getBalanceCommand(ctx: NodeContext, address: string): Promise<void> {
  const pubKeyHash = decodeAddress(address);
  const live = await findRunningNode(ctx.datadir);
  const result = live
    ? await live.call<Balance>('getaddressbalance', [address])
    : await withChain(ctx, async (chain) => {
      requireTip(chain, ctx);
      const units = await chain.balanceOf(pubKeyHash);
      return { address, balance: formatCoins(units), units: String(units) };
    });
  emit(ctx.json, result, () => `Balance of '${result.address}': ${result.balance}`);
}
