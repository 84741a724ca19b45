// estimatesmartfee from what the node has seen: the fee rates of recent blocks
// (each block's fees, read off its coinbase, over its transactions' bytes) and
// the mempool's queue. bitcoind's shape: {feerate (coins per 1000 bytes), blocks},
// or {errors, blocks} when there is nothing to go on.
import { blockSubsidy } from '../../core/params.js';
import { isCoinbase, txSize } from '../../core/tx.js';
import type { Chain } from '../../chain/chain.js';
import { coins } from '../json.js';
import { invalidParameter } from '../rpcErrors.js';
import type { RpcMethod, RpcNodeContext } from '../types.js';
import { int, isMissing, str } from './params.js';

export const MAX_CONF_TARGET = 1008;
/** Room left in a block for the coinbase, as the miner leaves it. */
const COINBASE_ROOM = 1000;
const MAX_WINDOW = 100;

/** Fee rates (base units per byte) of the newest `n` main-chain blocks that hold transactions. */
export async function recentBlockRates(chain: Chain, n: number): Promise<number[]> {
  const tip = chain.tip;
  if (!tip) return [];
  const rates: number[] = [];
  for (let h = tip.height; h > Math.max(chain.params.genesisHeight, tip.height - n); h--) {
    const id = await chain.getHashAtHeight(h);
    const block = id && (await chain.getBlock(id));
    if (!block) break;
    let bytes = 0;
    let paid = 0;
    for (const tx of block.txs) {
      if (isCoinbase(tx)) for (const o of tx.outputs) paid += o.value;
      else bytes += txSize(tx);
    }
    if (bytes > 0) rates.push(Math.max(0, paid - blockSubsidy(chain.params, h)) / bytes);
  }
  return rates;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The rate that gets a transaction mined within `target` blocks, in base units
 * per byte, or null without data: the higher of the recent blocks' median rate
 * and what the mempool asks (the rate at the edge of `target` full blocks when
 * the queue is longer than that, else its lowest rate).
 */
export async function estimateRate(ctx: RpcNodeContext, target: number): Promise<number | null> {
  const candidates: number[] = [];
  const blockRates = await recentBlockRates(ctx.chain, Math.min(MAX_WINDOW, Math.max(6, 2 * target)));
  if (blockRates.length > 0) candidates.push(median(blockRates));
  const pool = ctx.mempool.txids().map((id) => ctx.mempool.get(id)).filter((t) => t !== undefined)
    .map((tx) => ({ size: txSize(tx), rate: (ctx.mempool.feeOf(tx) ?? 0) / txSize(tx) }))
    .sort((a, b) => b.rate - a.rate);
  if (pool.length > 0) {
    const capacity = target * (ctx.params.maxBlockSize - COINBASE_ROOM);
    let used = 0;
    let edge = pool[pool.length - 1]!.rate;
    for (const p of pool) {
      used += p.size;
      if (used > capacity) { edge = p.rate; break; }
    }
    candidates.push(edge);
  }
  return candidates.length > 0 ? Math.max(...candidates) : null;
}

export const feeMethods: RpcMethod[] = [
  {
    name: 'estimatesmartfee',
    params: [{ name: 'conf_target' }, { name: 'estimate_mode', optional: true }],
    description: `Fee rate (coins per 1000 bytes) to be mined within conf_target (1 to ${MAX_CONF_TARGET}) blocks, from recent blocks and the mempool.`,
    run: async (ctx, [confTarget, mode]) => {
      const target = Math.max(2, int(confTarget, 'conf_target', 1, MAX_CONF_TARGET));
      if (!isMissing(mode) && !['unset', 'economical', 'conservative'].includes(str(mode, 'estimate_mode').toLowerCase())) {
        throw invalidParameter('Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
      }
      const rate = await estimateRate(ctx, target);
      if (rate === null) return { errors: ['Insufficient data or no feerate found'], blocks: target };
      return { feerate: coins(Math.ceil(rate * 1000)), blocks: target };
    },
  },
];
