// listtransactions without a wallet transaction index: the mempool and the
// newest main-chain blocks are read back from the tip (at most
// MAX_SCAN_BLOCKS of them) until enough entries are found. A transaction with
// an input of the wallet's is a send (one entry per output to another address;
// change is left out); an output to the wallet in any other transaction is a
// receive ("generate" for a coinbase).
import { hashToHex, toHex } from '../../core/bytes.js';
import { isCoinbase, Tx, txid } from '../../core/tx.js';
import { encodeAddress } from '../../crypto/address.js';
import { pubKeyHashOf } from '../../crypto/keys.js';
import { Wallet } from '../../wallet/wallet.js';
import { coins } from '../json.js';
import { invalidParameter } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { requireTip } from './blockJson.js';
import { isMissing, optInt } from './params.js';

export const MAX_SCAN_BLOCKS = 10_000;
export const MAX_LIST = 10_000;

interface Where { blockhash: string; blockheight: number; blockindex: number; blocktime: number; confirmations: number }

/** The entries of one transaction, newest-last as they appear in it. */
function entriesOf(tx: Tx, mine: Set<string>, fee: number | undefined, where: Where | null, time: number): Record<string, unknown>[] {
  const id = hashToHex(txid(tx));
  const fromUs = !isCoinbase(tx) && tx.inputs.some((i) => mine.has(toHex(pubKeyHashOf(i.pubKey))));
  const common = (vout: number) => ({
    ...(where ?? { confirmations: 0 }), txid: id, vout, time, timereceived: time, 'bip125-replaceable': 'no',
  });
  const out: Record<string, unknown>[] = [];
  tx.outputs.forEach((o, vout) => {
    const ours = mine.has(toHex(o.pubKeyHash));
    const addr = encodeAddress(o.pubKeyHash);
    if (fromUs && !ours) {
      out.push({ address: addr, category: 'send', amount: coins(-o.value), ...(fee === undefined ? {} : { fee: coins(-fee) }), ...common(vout), abandoned: false });
    } else if (!fromUs && ours) {
      out.push({ address: addr, category: isCoinbase(tx) ? 'generate' : 'receive', amount: coins(o.value), ...common(vout) });
    }
  });
  return out;
}

export const historyMethods: RpcMethod[] = [
  {
    name: 'listtransactions',
    params: [{ name: 'label', optional: true }, { name: 'count', optional: true }, { name: 'skip', optional: true }, { name: 'include_watchonly', optional: true }],
    description: `The wallet's newest transfers, oldest of them first: count (default 10) after skipping skip, from the mempool and the newest ${MAX_SCAN_BLOCKS} blocks.`,
    run: async (ctx, [label, count, skip]) => {
      if (!isMissing(label) && label !== '*') throw invalidParameter('Label argument must be a valid label name or "*"; this wallet has no labels');
      const n = optInt(count, 'count', 0, MAX_LIST, 10);
      const s = optInt(skip, 'skip', 0, MAX_LIST, 0);
      const tip = requireTip(ctx.chain);
      const wallet = await Wallet.open(ctx.datadir);
      const mine = new Set(wallet.addresses().map((a) => toHex(wallet.keyFor(a)!.pubKeyHash)));
      // Collected newest first.
      const found: Record<string, unknown>[] = [];
      const want = n + s;
      const pool = ctx.mempool.txids().reverse();
      for (const id of pool) {
        const tx = ctx.mempool.get(id);
        if (tx) found.push(...entriesOf(tx, mine, ctx.mempool.feeOf(tx), null, Math.floor((ctx.mempool.entryTime(id) ?? Date.now()) / 1000)).reverse());
        if (found.length >= want) break;
      }
      const lowest = Math.max(ctx.params.genesisHeight, tip.height - MAX_SCAN_BLOCKS + 1);
      for (let h = tip.height; h >= lowest && found.length < want; h--) {
        const hash = await ctx.chain.getHashAtHeight(h);
        const block = hash && (await ctx.chain.getBlock(hash));
        if (!hash || !block) break;
        const where = (i: number): Where => ({ blockhash: hashToHex(hash), blockheight: h, blockindex: i, blocktime: block.header.time, confirmations: tip.height - h + 1 });
        for (let i = block.txs.length - 1; i >= 0; i--) found.push(...entriesOf(block.txs[i]!, mine, undefined, where(i), block.header.time).reverse());
      }
      return found.slice(s, s + n).reverse();
    },
  },
];
