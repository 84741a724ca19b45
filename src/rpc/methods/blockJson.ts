// Blocks and transactions as JSON: bitcoind's getblock shapes, and the array
// `printchain --json` prints (the mapping is the CLI's; the lead may make both
// share one copy).
import { COIN, formatCoins } from '../../core/amount.js';
import { Block } from '../../core/block.js';
import { hashToHex, toHex } from '../../core/bytes.js';
import { medianTimePast } from '../../core/difficulty.js';
import { PubchainError } from '../../core/errors.js';
import { headerHash } from '../../core/header.js';
import type { NetworkParams } from '../../core/params.js';
import { bitsToTarget, workToHex } from '../../core/pow.js';
import { isCoinbase, Tx, txid, txSize } from '../../core/tx.js';
import { encodeAddress } from '../../crypto/address.js';
import { pubKeyHashOf } from '../../crypto/keys.js';
import type { BlockIndexEntry, Chain } from '../../chain/chain.js';

export function requireTip(chain: Chain): BlockIndexEntry {
  if (!chain.tip) throw new PubchainError('no-chain', 'the node has no chain yet: create one (createblockchain) or connect to a peer that has one');
  return chain.tip;
}

export const bitsHex = (bits: number): string => (bits >>> 0).toString(16).padStart(8, '0');

/**
 * How many times harder than the network's easiest allowed target (its
 * powLimit, difficulty 1) a block's target is. Regtest blocks are all 1.
 */
export function difficultyOf(params: NetworkParams, bits: number): number {
  const target = bitsToTarget(bits);
  if (target === 0n) return 0;
  const SCALE = 32n;
  return Number((params.powLimit << SCALE) / target) / 2 ** Number(SCALE);
}

/** The median time of a block and the ones before it, as consensus computes it for the next block. */
export async function medianTimeOf(chain: Chain, entry: BlockIndexEntry): Promise<number> {
  const times: number[] = [];
  let e: BlockIndexEntry | null = entry;
  while (e && times.length < chain.params.medianTimeSpan) {
    times.push(e.header.time);
    e = e.height > chain.params.genesisHeight ? await chain.getIndex(e.header.prevHash) : null;
  }
  return medianTimePast(times);
}

export interface TxJson {
  txid: string;
  size: number;
  vin: Array<{ txid: string; vout: number; address: string } | { coinbase: string }>;
  vout: Array<{ value: number; n: number; address: string }>;
}

export function txJson(tx: Tx): TxJson {
  const cb = isCoinbase(tx);
  return {
    txid: hashToHex(txid(tx)),
    size: txSize(tx),
    vin: cb
      ? [{ coinbase: toHex(tx.inputs[0]!.signature) }]
      : tx.inputs.map((i) => ({ txid: hashToHex(i.prevTxid), vout: i.vout, address: encodeAddress(pubKeyHashOf(i.pubKey)) })),
    vout: tx.outputs.map((o, n) => ({ value: o.value / COIN, n, address: encodeAddress(o.pubKeyHash) })),
  };
}

/** getblock with verbosity 1 (txids) or 2 (transactions as objects). */
export async function blockJson(chain: Chain, entry: BlockIndexEntry, block: Block, verbosity: 1 | 2): Promise<Record<string, unknown>> {
  const h = block.header;
  const tip = chain.tip;
  const onMain = await chain.isOnMainChain(entry);
  const next = onMain && tip && entry.height < tip.height ? await chain.getHashAtHeight(entry.height + 1) : null;
  const out: Record<string, unknown> = {
    hash: hashToHex(entry.hash),
    confirmations: onMain && tip ? tip.height - entry.height + 1 : -1,
    height: entry.height,
    version: h.version,
    merkleroot: hashToHex(h.merkleRoot),
    time: h.time,
    mediantime: await medianTimeOf(chain, entry),
    nonce: h.nonce,
    bits: bitsHex(h.bits),
    difficulty: difficultyOf(chain.params, h.bits),
    chainwork: workToHex(entry.work),
    nTx: block.txs.length,
  };
  if (entry.height > chain.params.genesisHeight) out.previousblockhash = hashToHex(h.prevHash);
  if (next) out.nextblockhash = hashToHex(next);
  out.tx = verbosity === 1 ? block.txs.map((t) => hashToHex(txid(t))) : block.txs.map(txJson);
  return out;
}

/** One block as `printchain --json` shows it. */
export function printChainEntry(height: number, block: Block): Record<string, unknown> {
  const hdr = block.header;
  return {
    height, hash: hashToHex(headerHash(hdr)), prev: hashToHex(hdr.prevHash), merkleRoot: hashToHex(hdr.merkleRoot),
    time: hdr.time, bits: `0x${bitsHex(hdr.bits)}`, nonce: hdr.nonce,
    txs: block.txs.map((tx) => ({
      txid: hashToHex(txid(tx)),
      coinbase: isCoinbase(tx),
      inputs: isCoinbase(tx) ? [] : tx.inputs.map((i) => ({ txid: hashToHex(i.prevTxid), vout: i.vout, address: encodeAddress(pubKeyHashOf(i.pubKey)) })),
      outputs: tx.outputs.map((o) => ({ value: formatCoins(o.value), address: encodeAddress(o.pubKeyHash) })),
    })),
  };
}
