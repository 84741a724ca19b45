// Block templates: the coinbase (subsidy + fees to the miner), the chosen
// transactions, and a header whose nonce the searcher fills in. The coinbase
// carries the height and an extra-nonce, so exhausting the 32-bit nonce space
// means a new coinbase, a new Merkle root and a fresh space.
import { Block } from '../core/block.js';
import { serializeHeader, parseHeader } from '../core/header.js';
import type { MerkleRootFn } from '../core/merkle.js';
import { blockSubsidy, NetworkParams } from '../core/params.js';
import { bitsToTarget, targetToBytesLE } from '../core/pow.js';
import { createCoinbase, NULL_HASH, Tx, txid } from '../core/tx.js';
import { addAmounts } from '../core/amount.js';
import { merkleRoot as merkleRootWasm } from '../wasm/merkle.js';
import { mineHeader } from './mineHeader.js';
import type { NonceSearcher } from './pool.js';

export const BLOCK_VERSION = 1;

export interface TemplateContext {
  height: number;
  prevHash: Uint8Array;
  bits: number;
  medianTimePast: number;
}

export interface Payout {
  pubKeyHash: Uint8Array;
  fees: number;
}

export function genesisContext(params: NetworkParams): TemplateContext {
  return { height: params.genesisHeight, prevHash: NULL_HASH, bits: params.genesisBits, medianTimePast: 0 };
}

/** A block time must be above the median of the last 11; the wall clock can lag it. */
export function templateTime(ctx: TemplateContext, now: number): number {
  return Math.max(now, ctx.medianTimePast + 1);
}

export function buildBlock(
  params: NetworkParams, ctx: TemplateContext, txs: Tx[], payout: Payout,
  extraNonce: number, time: number, merkleRoot: MerkleRootFn = merkleRootWasm,
): Block {
  const reward = addAmounts(blockSubsidy(params, ctx.height), payout.fees);
  const coinbase = createCoinbase(ctx.height, [{ value: reward, pubKeyHash: payout.pubKeyHash }], extraNonce);
  const all = [coinbase, ...txs];
  return {
    header: { version: BLOCK_VERSION, prevHash: ctx.prevHash, merkleRoot: merkleRoot(all.map(txid)), time, bits: ctx.bits, nonce: 0 },
    txs: all,
  };
}

export interface MineOptions {
  signal?: AbortSignal;
  now?: () => number;
  /** Random by default, so two miners paying one address do not search the same space. */
  startExtraNonce?: number;
  /** Told the hashes of a finished search, for hash-rate figures. */
  onHashes?: (hashes: number, seconds: number) => void;
}

/** Mines a block on the searcher; null only when the signal aborts the search. */
export async function mineBlock(
  params: NetworkParams, ctx: TemplateContext, txs: Tx[], payout: Payout,
  searcher: NonceSearcher, opts: MineOptions = {},
): Promise<Block | null> {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const time = templateTime(ctx, now());
  const build = (extraNonce: number): Block => buildBlock(params, ctx, txs, payout, extraNonce, time);
  const target = targetToBytesLE(bitsToTarget(ctx.bits));
  const startExtraNonce = opts.startExtraNonce ?? Math.floor(Math.random() * 0xffffffff);
  const started = process.hrtime.bigint();
  const found = await mineHeader(searcher, (extraNonce) => serializeHeader(build(extraNonce).header), target, { signal: opts.signal, startExtraNonce });
  if (!found) return null;
  opts.onHashes?.(found.hashes, Number(process.hrtime.bigint() - started) / 1e9);
  const block = build(found.extraNonce);
  block.header = parseHeader(found.header);
  return block;
}
