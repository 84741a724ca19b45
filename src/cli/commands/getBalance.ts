import { formatCoins } from '../../core/amount.js';
import { decodeAddress } from '../../crypto/address.js';
import { requireTip, withChain, type NodeContext } from '../nodeContext.js';
import { emit } from '../output.js';

export async function getBalanceCommand(ctx: NodeContext, address: string): Promise<void> {
  const pubKeyHash = decodeAddress(address);
  const units = await withChain(ctx, async (chain) => {
    requireTip(chain, ctx);
    return chain.balanceOf(pubKeyHash);
  });
  const balance = formatCoins(units);
  emit(ctx.json, { address, balance, units: String(units) }, () => `Balance of '${address}': ${balance}`);
}
