// Transactions by id: getrawtransaction (the mempool, or a named block: there
// is no transaction index, as bitcoind without -txindex) and gettxout.
import { bytesEqual, hashToHex } from '../../core/bytes.js';
import { outpointKey, txid } from '../../core/tx.js';
import { coins } from '../json.js';
import { invalidParameter, notFound, typeError } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { confirmationsOf, requireTip, scriptPubKeyJson, txHex, txJson } from './blockJson.js';
import { hash, int, isMissing, optBool } from './params.js';

/** getrawtransaction's verbosity: false/true, or 0, 1, 2 (2 is shown as 1: inputs carry their address already). */
function verboseOf(v: unknown): boolean {
  if (isMissing(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'number') throw typeError(`verbose: JSON value of type ${typeof v} is not of expected type bool or number`);
  if (v !== 0 && v !== 1 && v !== 2) throw invalidParameter(`verbosity must be 0, 1 or 2, not ${v}`);
  return v !== 0;
}

export const txMethods: RpcMethod[] = [
  {
    name: 'getrawtransaction',
    params: [{ name: 'txid' }, { name: 'verbose', optional: true }, { name: 'blockhash', optional: true }],
    description: 'A transaction in the mempool, or in the block `blockhash` names: serialized hex, or (verbose) decoded with its block and confirmations.',
    run: async (ctx, [txidArg, verbose, blockhash]) => {
      const id = hash(txidArg, 'txid');
      const v = verboseOf(verbose);
      if (isMissing(blockhash)) {
        const tx = ctx.mempool.get(id);
        if (!tx) throw notFound('No such mempool transaction. There is no transaction index: provide the block hash (the third parameter)');
        return v ? { ...txJson(tx), hex: txHex(tx) } : txHex(tx);
      }
      const bh = hash(blockhash, 'blockhash');
      const entry = await ctx.chain.getIndex(bh);
      if (!entry) throw notFound('Block hash not found');
      const block = await ctx.chain.getBlock(bh);
      if (!block) throw notFound('Block not available');
      const tx = block.txs.find((t) => bytesEqual(txid(t), id));
      if (!tx) throw notFound('No such transaction found in the provided block');
      if (!v) return txHex(tx);
      const confirmations = await confirmationsOf(ctx.chain, entry);
      return {
        ...txJson(tx), hex: txHex(tx), blockhash: hashToHex(bh), confirmations: Math.max(0, confirmations),
        time: entry.header.time, blocktime: entry.header.time, in_active_chain: confirmations > 0,
      };
    },
  },
  {
    name: 'gettxout',
    params: [{ name: 'txid' }, { name: 'n' }, { name: 'include_mempool', optional: true }],
    description: 'An unspent output: {bestblock, confirmations, value, scriptPubKey, coinbase}, or null when it is spent or unknown. With include_mempool (default), mempool spends and outputs count.',
    run: async (ctx, [txidArg, n, includeMempool]) => {
      const id = hash(txidArg, 'txid');
      const vout = int(n, 'n', 0, 0xffffffff);
      const withPool = optBool(includeMempool, 'include_mempool', true);
      const tip = requireTip(ctx.chain);
      if (withPool && ctx.mempool.isSpent(outpointKey(id, vout))) return null;
      const pooled = withPool ? ctx.mempool.get(id) : undefined;
      if (pooled) {
        const o = pooled.outputs[vout];
        return o ? { bestblock: hashToHex(tip.hash), confirmations: 0, value: coins(o.value), scriptPubKey: scriptPubKeyJson(o.pubKeyHash), coinbase: false } : null;
      }
      const coin = await ctx.chain.getCoin(id, vout);
      if (!coin) return null;
      return {
        bestblock: hashToHex(tip.hash), confirmations: tip.height - coin.height + 1,
        value: coins(coin.value), scriptPubKey: scriptPubKeyJson(coin.pubKeyHash), coinbase: coin.coinbase,
      };
    },
  },
];
