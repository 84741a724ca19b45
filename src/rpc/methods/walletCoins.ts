// The wallet's coins as the RPC methods see them: unspent chain coins that no
// mempool transaction spends, then outputs of mempool transactions paying the
// wallet that none spends yet (change from an earlier send, confirmations 0).
import { hashToHex } from '../../core/bytes.js';
import { outpointKey } from '../../core/tx.js';
import type { SpendableCoin } from '../../wallet/transfers.js';
import type { RpcNodeContext } from '../types.js';

/** Per owner (hex pubKeyHash); read inside the chain's queue, where the UTXO set and the mempool agree. */
export async function spendableCoins(ctx: RpcNodeContext, owners: Uint8Array[]): Promise<Map<string, SpendableCoin[]>> {
  return ctx.chain.exclusive(async () => {
    const out = new Map<string, SpendableCoin[]>();
    for (const pkh of owners) {
      const key = hashToHex(pkh);
      if (out.has(key)) continue;
      const confirmed = (await ctx.chain.coinsOf(pkh)).filter((c) => !ctx.mempool.isSpent(outpointKey(c.txid, c.vout)));
      out.set(key, confirmed);
    }
    for (const id of ctx.mempool.txids()) {
      const tx = ctx.mempool.get(id);
      tx?.outputs.forEach((o, vout) => {
        const list = out.get(hashToHex(o.pubKeyHash));
        if (list && !ctx.mempool.isSpent(outpointKey(id, vout))) list.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
      });
    }
    return out;
  });
}

/** Confirmations of a spendable coin at this tip: 0 for a mempool output (height 0). */
export const confirmationsAt = (tipHeight: number, c: SpendableCoin): number => (c.coin.height === 0 ? 0 : tipHeight - c.coin.height + 1);
