// Block templates, the one rule for what a mined block holds: the chosen
// transactions (as many as fit below maxBlockSize less COINBASE_ROOM), their
// fees summed with checked integer addition, a coinbase paying subsidy + fees,
// and a header whose nonce the searcher fills in. The miner loop, the RPC's
// generatetoaddress, the one-shot CLI commands and (to come) getblocktemplate
// and Stratum all build from it. The coinbase carries the height and an
// extra-nonce, so exhausting the 32-bit nonce space means a new coinbase
// (`block(extraNonce)`), a new Merkle root and a fresh space.
import { Block } from '../core/block.js';
import { serializeHeader, parseHeader } from '../core/header.js';
import type { MerkleRootFn } from '../core/merkle.js';
import { blockSubsidy, NetworkParams } from '../core/params.js';
import { bitsToTarget, targetToBytesLE } from '../core/pow.js';
import { createCoinbase, NULL_HASH, Tx, txid, txSize } from '../core/tx.js';
import { addAmounts } from '../core/amount.js';
import { merkleRoot as merkleRootWasm } from '../wasm/merkle.js';
import type { NonceSearcher } from '../wasm/nonceSearch.js';
import { mineHeader } from './mineHeader.js';

export const BLOCK_VERSION = 1;
/** Bytes of maxBlockSize kept free of transactions: the header, the transaction count and the coinbase fit in it. */
export const COINBASE_ROOM = 1000;

/** Where the block goes: the tip's child (Chain.nextBlockContext) or the genesis. */
export interface TemplateContext {
  height: number;
  prevHash: Uint8Array;
  bits: number;
  medianTimePast: number;
}

/** A transaction of the template, with what getblocktemplate reports of it. */
export interface TemplateTx {
  tx: Tx;
  txid: Uint8Array;
  /** Base units the transaction leaves to the miner. */
  fee: number;
  /** Serialized bytes. */
  size: number;
}

/** What a template takes its transactions from: the mempool has this shape. */
export interface TxSource {
  /** Highest fee rate first, parents before children, sizes summing to at most maxBytes. */
  selectEntriesForBlock(maxBytes: number): TemplateTx[];
}

export function genesisContext(params: NetworkParams): TemplateContext {
  return { height: params.genesisHeight, prevHash: NULL_HASH, bits: params.genesisBits, medianTimePast: 0 };
}

/** A block time must be above the median of the last 11; the wall clock can lag it. */
export function templateTime(ctx: TemplateContext, now: number): number {
  return Math.max(now, ctx.medianTimePast + 1);
}

/** A transaction the caller already chose (the CLI's `send --mine`), with the fee its inputs leave. */
export function templateTx(tx: Tx, fee: number): TemplateTx {
  return { tx, txid: txid(tx), fee, size: txSize(tx) };
}

export interface TemplateOptions {
  /** Unix seconds; default the wall clock. */
  now?: () => number;
  merkleRoot?: MerkleRootFn;
}

export class BlockTemplate {
  readonly version = BLOCK_VERSION;
  readonly height: number;
  readonly prevHash: Uint8Array;
  readonly bits: number;
  /** The full 256-bit target the bits encode. */
  readonly target: bigint;
  /** The earliest time a block here may carry (BIP22 mintime): one above the median time past. */
  readonly minTime: number;
  /** The header's time (BIP22 curtime). */
  readonly time: number;
  readonly txs: readonly TemplateTx[];
  /** Sum of the transactions' fees. */
  readonly fees: number;
  /** What the coinbase pays: subsidy + fees (BIP22 coinbasevalue). */
  readonly coinbaseValue: number;
  private readonly txids: readonly Uint8Array[];
  private readonly merkleRoot: MerkleRootFn;

  constructor(params: NetworkParams, ctx: TemplateContext, txs: readonly TemplateTx[], readonly payoutPubKeyHash: Uint8Array, opts: TemplateOptions = {}) {
    this.height = ctx.height;
    this.prevHash = ctx.prevHash;
    this.bits = ctx.bits;
    this.target = bitsToTarget(ctx.bits);
    this.minTime = ctx.medianTimePast + 1;
    this.time = templateTime(ctx, (opts.now ?? (() => Math.floor(Date.now() / 1000)))());
    this.txs = txs;
    let fees = 0;
    for (const t of txs) fees = addAmounts(fees, t.fee);
    this.fees = fees;
    this.coinbaseValue = addAmounts(blockSubsidy(params, ctx.height), fees);
    this.txids = txs.map((t) => t.txid);
    this.merkleRoot = opts.merkleRoot ?? merkleRootWasm;
  }

  /** The coinbase for one extra-nonce: a u64 number, or 8 bytes as Stratum's extranonce1 ‖ extranonce2 give them. */
  coinbase(extraNonce: number | Uint8Array): Tx {
    return createCoinbase(this.height, [{ value: this.coinbaseValue, pubKeyHash: this.payoutPubKeyHash }], extraNonce);
  }

  /** The whole block for one extra-nonce, nonce 0. */
  block(extraNonce: number | Uint8Array): Block {
    const coinbase = this.coinbase(extraNonce);
    const root = this.merkleRoot([txid(coinbase), ...this.txids]);
    return {
      header: { version: this.version, prevHash: this.prevHash, merkleRoot: root, time: this.time, bits: this.bits, nonce: 0 },
      txs: [coinbase, ...this.txs.map((t) => t.tx)],
    };
  }
}

/** The transactions a block takes from the source: the size limit is written here only. */
export function selectTemplateTxs(params: NetworkParams, source: TxSource): TemplateTx[] {
  return source.selectEntriesForBlock(params.maxBlockSize - COINBASE_ROOM);
}

/** The template on `ctx` with the best the source offers, paying `payoutPubKeyHash`. */
export function blockTemplate(
  params: NetworkParams, ctx: TemplateContext, source: TxSource, payoutPubKeyHash: Uint8Array, opts: TemplateOptions = {},
): BlockTemplate {
  return new BlockTemplate(params, ctx, selectTemplateTxs(params, source), payoutPubKeyHash, opts);
}

export interface MineOptions {
  signal?: AbortSignal;
  /** Random by default, so two miners paying one address do not search the same space. */
  startExtraNonce?: number;
  /** Told the hashes of a finished search, for hash-rate figures. */
  onHashes?: (hashes: number, seconds: number) => void;
}

/** Mines the template on the searcher; null only when the signal aborts the search. */
export async function mineTemplate(template: BlockTemplate, searcher: NonceSearcher, opts: MineOptions = {}): Promise<Block | null> {
  const target = targetToBytesLE(template.target);
  const startExtraNonce = opts.startExtraNonce ?? Math.floor(Math.random() * 0xffffffff);
  const started = process.hrtime.bigint();
  const found = await mineHeader(searcher, (extraNonce) => serializeHeader(template.block(extraNonce).header), target, { signal: opts.signal, startExtraNonce });
  if (!found) return null;
  opts.onHashes?.(found.hashes, Number(process.hrtime.bigint() - started) / 1e9);
  const block = template.block(found.extraNonce);
  block.header = parseHeader(found.header);
  return block;
}
