// Chain reads: heights, hashes, blocks and headers. Heights count from the
// genesis block at height 1 (bitcoind's genesis is height 0).
import { hashToHex, toHex } from '../../core/bytes.js';
import { serializeHeader } from '../../core/header.js';
import { StorageError } from '../../storage/errors.js';
import { invalidParameter, noChain, notFound, typeError } from '../rpcErrors.js';
import type { RpcBaseContext, RpcMethod, RpcNodeContext } from '../types.js';
import { blockJson, headerJson } from './blockJson.js';
import { hash, isMissing, optBool } from './params.js';

/** getblock's verbosity: 0, 1 or 2, or false/true for 0/1 (as bitcoind). */
export function verbosityOf(v: unknown): 0 | 1 | 2 {
  if (isMissing(v)) return 1;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw typeError(`verbosity: JSON value of type ${typeof v} is not of expected type number`);
  if (v !== 0 && v !== 1 && v !== 2) throw invalidParameter(`verbosity must be 0, 1 or 2 (or false/true), not ${v}`);
  return v;
}

async function knownEntry(ctx: RpcNodeContext, blockhash: unknown) {
  const id = hash(blockhash, 'blockhash');
  const entry = await ctx.chain.getIndex(id);
  if (!entry) throw notFound('Block not found');
  return entry;
}

/** The methods both node kinds answer from their header port (a light node: up to the block it has synced). */
export const tipMethods: RpcMethod<RpcBaseContext>[] = [
  {
    name: 'getblockcount',
    params: [],
    description: 'Height of the tip (the genesis block is height 1; 0 while the node has no chain).',
    run: (ctx) => ctx.headers.tip()?.height ?? 0,
  },
  {
    name: 'getbestblockhash',
    params: [],
    description: 'Hash of the tip.',
    run: (ctx) => {
      const tip = ctx.headers.tip();
      if (!tip) throw noChain();
      return hashToHex(tip.hash);
    },
  },
  {
    name: 'getblockhash',
    params: [{ name: 'height' }],
    description: 'Hash of the main-chain block at a height (the genesis block is height 1).',
    run: async (ctx, [height]) => {
      const tip = ctx.headers.tip();
      if (!tip) throw noChain();
      if (typeof height !== 'number') throw typeError(`height: JSON value of type ${height === null ? 'null' : typeof height} is not of expected type number`);
      if (!Number.isInteger(height) || height < ctx.params.genesisHeight || height > tip.height) throw invalidParameter('Block height out of range');
      const found = await ctx.headers.atHeight(height);
      if (!found) throw invalidParameter('Block height out of range');
      return hashToHex(found.hash);
    },
  },
];

export const chainMethods: RpcMethod[] = [
  ...tipMethods,
  {
    name: 'getblock',
    params: [{ name: 'blockhash' }, { name: 'verbosity', optional: true }],
    description: 'A block: 0 (or false) = serialized hex, 1 (or true) = header fields, size and txids (default), 2 = with decoded transactions.',
    run: async (ctx, [blockhash, verbosity]) => {
      const v = verbosityOf(verbosity);
      const entry = await knownEntry(ctx, blockhash);
      const bytes = await ctx.chain.getBlockBytes(entry.hash);
      if (!bytes) throw notFound('Block not available (only its header is known)');
      if (v === 0) return toHex(bytes);
      const block = await ctx.chain.getBlock(entry.hash);
      if (!block) throw new StorageError('db-corrupt', `block ${hashToHex(entry.hash)} vanished while it was read`);
      return blockJson(ctx.chain, entry, block, v);
    },
  },
  {
    name: 'getblockheader',
    params: [{ name: 'blockhash' }, { name: 'verbose', optional: true }],
    description: 'A block header: verbose (default) as an object, or the 80 serialized bytes as hex.',
    run: async (ctx, [blockhash, verbose]) => {
      const v = optBool(verbose, 'verbose', true);
      const entry = await knownEntry(ctx, blockhash);
      if (!v) return toHex(serializeHeader(entry.header));
      const block = await ctx.chain.getBlock(entry.hash);
      return headerJson(ctx.chain, entry, block?.txs.length ?? 0);
    },
  },
];
