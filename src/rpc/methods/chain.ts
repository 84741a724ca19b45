// Chain reads: heights, hashes, blocks, and a summary of the best chain.
import { hashToHex, toHex } from '../../core/bytes.js';
import { StorageError } from '../../storage/errors.js';
import { workToHex } from '../../core/pow.js';
import { NOT_FOUND, RpcError } from '../rpcErrors.js';
import type { RpcMethod } from '../types.js';
import { blockJson, difficultyOf, medianTimeOf, printChainEntry, requireTip } from './blockJson.js';
import { hash, int, optInt } from './params.js';

/** Bounds one getchain answer; a taller chain is read in pages with `limit`. */
export const MAX_GETCHAIN_BLOCKS = 10_000;

export const chainMethods: RpcMethod[] = [
  {
    name: 'getblockcount',
    params: [],
    description: 'Height of the tip (0 while the node has no chain; the genesis block is height 1).',
    run: (ctx) => ctx.chain.tip?.height ?? 0,
  },
  {
    name: 'getbestblockhash',
    params: [],
    description: 'Hash of the tip.',
    run: (ctx) => hashToHex(requireTip(ctx.chain).hash),
  },
  {
    name: 'getblockhash',
    params: [{ name: 'height' }],
    description: 'Hash of the main-chain block at a height.',
    run: async (ctx, [height]) => {
      const tip = requireTip(ctx.chain);
      const h = int(height, 'height', ctx.params.genesisHeight, tip.height);
      const found = await ctx.chain.getHashAtHeight(h);
      if (!found) throw new RpcError(NOT_FOUND, `no main-chain block at height ${h}`);
      return hashToHex(found);
    },
  },
  {
    name: 'getblock',
    params: [{ name: 'blockhash' }, { name: 'verbosity', optional: true }],
    description: 'A block: 0 = serialized hex, 1 = header fields and txids (default), 2 = with transactions.',
    run: async (ctx, [blockhash, verbosity]) => {
      const id = hash(blockhash, 'blockhash');
      const v = optInt(verbosity, 'verbosity', 0, 2, 1);
      const entry = await ctx.chain.getIndex(id);
      const bytes = entry ? await ctx.chain.getBlockBytes(id) : null;
      if (!entry || !bytes) throw new RpcError(NOT_FOUND, `block ${hashToHex(id)} not found`);
      if (v === 0) return toHex(bytes);
      const block = await ctx.chain.getBlock(id);
      if (!block) throw new StorageError('db-corrupt', `block ${hashToHex(id)} vanished while it was read`);
      return blockJson(ctx.chain, entry, block, v as 1 | 2);
    },
  },
  {
    name: 'getblockchaininfo',
    params: [],
    description: 'The network, the best chain\'s height, hash, difficulty and work, and the genesis hash.',
    run: async (ctx) => {
      const tip = ctx.chain.tip;
      const genesis = ctx.chain.genesisHash;
      return {
        chain: ctx.params.name,
        blocks: tip?.height ?? 0,
        bestblockhash: tip ? hashToHex(tip.hash) : null,
        difficulty: tip ? difficultyOf(ctx.params, tip.header.bits) : difficultyOf(ctx.params, ctx.params.genesisBits),
        mediantime: tip ? await medianTimeOf(ctx.chain, tip) : null,
        chainwork: workToHex(tip?.work ?? 0n),
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
