// Summaries of the chain: getblockchaininfo, difficulty, and the CLI's getchain.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashToHex } from '../../core/bytes.js';
import { workToHex } from '../../core/pow.js';
import type { RpcMethod, RpcNodeContext } from '../types.js';
import { difficultyOf, medianTimeOf, printChainEntry, requireTip } from './blockJson.js';
import { optInt } from './params.js';

/** Bounds one getchain answer; a taller chain is read in pages with `limit`. */
export const MAX_GETCHAIN_BLOCKS = 10_000;
/** Files counted for size_on_disk; the walk stops there (a data directory holds a few hundred). */
const MAX_FILES = 100_000;

/** Bytes of the data directory's files (blocks, index, UTXO set, wallet), as bitcoind's size_on_disk. */
export async function sizeOnDisk(dir: string): Promise<number> {
  let total = 0;
  let files = 0;
  const walk = async (d: string): Promise<void> => {
    const items = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const it of items) {
      if (files >= MAX_FILES) return;
      const p = join(d, it.name);
      if (it.isDirectory()) await walk(p);
      else if (it.isFile()) { files++; total += (await stat(p).catch(() => ({ size: 0 }))).size; }
    }
  };
  await walk(dir);
  return total;
}

/** The best height any peer told us in its handshake; at least our own. */
export function bestKnownHeight(ctx: RpcNodeContext): number {
  let best = ctx.chain.tip?.height ?? 0;
  for (const p of ctx.network.manager.peers()) best = Math.max(best, p.remoteVersion?.bestHeight ?? 0);
  return best;
}

export const chainInfoMethods: RpcMethod[] = [
  {
    name: 'getblockchaininfo',
    params: [],
    description: 'The network, the best chain\'s height, hash, difficulty and work, sync progress, size on disk, and the genesis hash.',
    run: async (ctx) => {
      const tip = ctx.chain.tip;
      const genesis = ctx.chain.genesisHash;
      const blocks = tip?.height ?? 0;
      // headers: the best header we checked (proof of work, bits, time); progress is measured
      // against it, or against a taller chain a peer only claimed in its handshake.
      const headers = Math.max(blocks, ctx.protocol.sync.headerSync.bestHeaderHeight);
      const target = Math.max(headers, bestKnownHeight(ctx));
      const progress = target === 0 ? 0 : blocks / target;
      return {
        chain: ctx.params.name,
        blocks,
        headers,
        bestblockhash: tip ? hashToHex(tip.hash) : null,
        difficulty: tip ? difficultyOf(ctx.params, tip.header.bits) : difficultyOf(ctx.params, ctx.params.genesisBits),
        time: tip?.header.time ?? null,
        mediantime: tip ? await medianTimeOf(ctx.chain, tip) : null,
        verificationprogress: progress,
        initialblockdownload: tip === null || progress < 1,
        chainwork: workToHex(tip?.work ?? 0n),
        size_on_disk: await sizeOnDisk(ctx.datadir),
        pruned: false,
        warnings: [],
        genesis: genesis ? hashToHex(genesis) : null,
      };
    },
  },
  {
    name: 'getdifficulty',
    params: [],
    description: 'Difficulty of the tip: its target against the network\'s easiest (1 = the easiest).',
    run: (ctx) => difficultyOf(ctx.params, ctx.chain.tip?.header.bits ?? ctx.params.genesisBits),
  },
  {
    name: 'getchain',
    params: [{ name: 'limit', optional: true }],
    description: `The newest blocks, tip first, as \`printchain --json\` prints them (all, or the newest \`limit\`; at most ${MAX_GETCHAIN_BLOCKS}).`,
    run: async (ctx, [limit]) => {
      const tip = requireTip(ctx.chain);
      const all = tip.height - ctx.params.genesisHeight + 1;
      const n = optInt(limit, 'limit', 1, MAX_GETCHAIN_BLOCKS, Math.min(all, MAX_GETCHAIN_BLOCKS));
      const lowest = Math.max(ctx.params.genesisHeight, tip.height - n + 1);
      const out = [];
      for (let h = tip.height; h >= lowest; h--) {
        const id = await ctx.chain.getHashAtHeight(h);
        const block = id && (await ctx.chain.getBlock(id));
        // The tip moved back under us (a reorg); the answer is what was there.
        if (!block) break;
        out.push(printChainEntry(h, block));
      }
      return out;
    },
  },
];
