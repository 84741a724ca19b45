// Mining: the state of the node's miner, a network hash rate estimate, and
// regtest's generatetoaddress.
import { hashToHex } from '../../core/bytes.js';
import type { BlockIndexEntry, Chain } from '../../chain/chain.js';
import { invalidParameter, MISC_ERROR, RpcError } from '../rpcErrors.js';
import type { RpcMethod, RpcNodeContext } from '../types.js';
import { difficultyOf } from './blockJson.js';
import { requireTip } from './blockJson.js';
import { address, int, optInt } from './params.js';

/** getmininginfo's Stratum figures (getstratuminfo has the rest); null when the server is off. */
function stratumSummary(ctx: RpcNodeContext): Record<string, unknown> | null {
  const i = ctx.stratum?.info();
  return i ? { connections: i.connections, workers: i.workers.length, hashespersec: i.hashrate, sharesaccepted: i.shares.accepted, sharesrejected: Object.values(i.shares.rejected).reduce((a, b) => a + b, 0), blocksfound: i.blocksfound } : null;
}

/** bitcoind's default window for networkhashps. */
export const HASHPS_WINDOW = 120;
export const MAX_GENERATE = 1000;

/**
 * Work done over the `window` blocks up to `tip` (default: the chain's tip)
 * divided by the time they span (newest minus oldest block time); 0 when there
 * is no span to divide by.
 */
export async function networkHashPerSecond(chain: Chain, window = HASHPS_WINDOW, at: BlockIndexEntry | null = chain.tip): Promise<number> {
  const tip = at;
  if (!tip) return 0;
  const lowest = Math.max(chain.params.genesisHeight, tip.height - window);
  if (lowest === tip.height) return 0;
  let minTime = tip.header.time;
  let maxTime = tip.header.time;
  let oldestWork = tip.work;
  for (let h = tip.height - 1; h >= lowest; h--) {
    const hash = await chain.getHashAtHeight(h);
    const e = hash && (await chain.getIndex(hash));
    if (!e) return 0;
    minTime = Math.min(minTime, e.header.time);
    maxTime = Math.max(maxTime, e.header.time);
    oldestWork = e.work;
  }
  const span = maxTime - minTime;
  return span > 0 ? Number(tip.work - oldestWork) / span : 0;
}

export const miningMethods: RpcMethod[] = [
  {
    name: 'getmininginfo',
    params: [],
    description: 'Height, difficulty, estimated network hash rate, our miner\'s rate, pooled transactions, whether our miner is searching now.',
    run: async (ctx) => ({
      blocks: ctx.chain.tip?.height ?? 0,
      difficulty: difficultyOf(ctx.params, ctx.chain.tip?.header.bits ?? ctx.params.genesisBits),
      networkhashps: await networkHashPerSecond(ctx.chain),
      hashespersec: ctx.miner?.hashRate ?? 0,
      pooledtx: ctx.mempool.size,
      chain: ctx.params.name,
      mining: ctx.miner?.mining ?? false,
      stratum: stratumSummary(ctx),
    }),
  },
  {
    name: 'getnetworkhashps',
    params: [{ name: 'nblocks', optional: true }, { name: 'height', optional: true }],
    description: `Estimated network hashes per second over the nblocks (default ${HASHPS_WINDOW}; 0 or -1: all) blocks up to height (default -1: the tip).`,
    run: async (ctx, [nblocks, height]) => {
      const tip = requireTip(ctx.chain);
      const n = optInt(nblocks, 'nblocks', -1, 1_000_000, HASHPS_WINDOW);
      const h = optInt(height, 'height', -1, Number.MAX_SAFE_INTEGER, -1);
      let at = tip;
      if (h !== -1) {
        const id = h >= ctx.params.genesisHeight && h <= tip.height ? await ctx.chain.getHashAtHeight(h) : null;
        const e = id && (await ctx.chain.getIndex(id));
        if (!e) throw invalidParameter('Block does not exist at specified height');
        at = e;
      }
      return networkHashPerSecond(ctx.chain, n <= 0 ? at.height : n, at);
    },
  },
  {
    name: 'generatetoaddress',
    params: [{ name: 'nblocks' }, { name: 'address' }],
    description: `Regtest only: mines nblocks (1 to ${MAX_GENERATE}) blocks now, with the mempool's transactions, paying address; returns their hashes.`,
    run: async (ctx, [nblocks, addr]) => {
      if (ctx.params.name !== 'regtest') throw new RpcError(MISC_ERROR, `generatetoaddress is for regtest only; this node runs ${ctx.params.name}`);
      const n = int(nblocks, 'nblocks', 1, MAX_GENERATE);
      const { pubKeyHash } = address(addr, 'address');
      const hashes = await ctx.exclusive(() => ctx.mineBlocks(n, pubKeyHash));
      return hashes.map(hashToHex);
    },
  },
];
