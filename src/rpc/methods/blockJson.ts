// Blocks and transactions as JSON: bitcoind's getblock shapes, and the array
// `printchain --json` prints (the mapping is the CLI's; the lead may make both
// share one copy).
import { formatCoins } from '../../core/amount.js';
import { Block, blockSize } from '../../core/block.js';
import { hashToHex, toHex } from '../../core/bytes.js';
import { medianTimePast } from '../../core/difficulty.js';
import { headerHash } from '../../core/header.js';
import type { NetworkParams } from '../../core/params.js';
import { bitsToTarget, workToHex } from '../../core/pow.js';
import { isCoinbase, serializeTx, Tx, txid, txSize } from '../../core/tx.js';
import { encodeAddress } from '../../crypto/address.js';
import { pubKeyHashOf } from '../../crypto/keys.js';
import type { BlockIndexEntry, Chain } from '../../chain/chain.js';
import { coins, type Coins } from '../json.js';
import { noChain } from '../rpcErrors.js';

/** The tip; -28 while the node has no chain yet (bitcoind's "warming up": retry later). */
export function requireTip(chain: Chain): BlockIndexEntry {
  if (!chain.tip) throw noChain();
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

/** pubchain's only output type: pay to a public key hash (its "script" is the 20-byte hash). */
export const scriptPubKeyJson = (pubKeyHash: Uint8Array): { address: string; hex: string; type: 'pubkeyhash' } =>
  ({ address: encodeAddress(pubKeyHash), hex: toHex(pubKeyHash), type: 'pubkeyhash' });

export interface TxJson {
  txid: string;
  hash: string;
  version: number;
  size: number;
  vsize: number;
  weight: number;
  locktime: 0;
  vin: Array<{ txid: string; vout: number; address: string; pubkey: string; signature: string } | { coinbase: string }>;
  vout: Array<{ value: Coins; n: number; address: string; scriptPubKey: ReturnType<typeof scriptPubKeyJson> }>;
}

/** bitcoind's decoded-transaction shape, with each input's address and key beside it (pubchain has no scripts). */
export function txJson(tx: Tx): TxJson {
  const cb = isCoinbase(tx);
  const id = hashToHex(txid(tx));
  const size = txSize(tx);
  return {
    txid: id,
    hash: id,
    version: tx.version,
    size,
    vsize: size,
    weight: size * 4,
    locktime: 0,
    vin: cb
      ? [{ coinbase: toHex(tx.inputs[0]!.signature) }]
      : tx.inputs.map((i) => ({ txid: hashToHex(i.prevTxid), vout: i.vout, address: encodeAddress(pubKeyHashOf(i.pubKey)), pubkey: toHex(i.pubKey), signature: toHex(i.signature) })),
    vout: tx.outputs.map((o, n) => ({ value: coins(o.value), n, address: encodeAddress(o.pubKeyHash), scriptPubKey: scriptPubKeyJson(o.pubKeyHash) })),
  };
}

export const txHex = (tx: Tx): string => toHex(serializeTx(tx));

/** Confirmations of a block: -1 off the main chain (as bitcoind). */
export async function confirmationsOf(chain: Chain, entry: BlockIndexEntry): Promise<number> {
  const tip = chain.tip;
  return tip && (await chain.isOnMainChain(entry)) ? tip.height - entry.height + 1 : -1;
}

/** getblockheader's verbose shape; getblock adds size, the transactions and the rest. */
export async function headerJson(chain: Chain, entry: BlockIndexEntry, nTx: number): Promise<Record<string, unknown>> {
  const h = entry.header;
  const tip = chain.tip;
  const confirmations = await confirmationsOf(chain, entry);
  const next = confirmations > 1 && tip ? await chain.getHashAtHeight(entry.height + 1) : null;
  const out: Record<string, unknown> = {
    hash: hashToHex(entry.hash),
    confirmations,
    height: entry.height,
    version: h.version,
    versionHex: (h.version >>> 0).toString(16).padStart(8, '0'),
    merkleroot: hashToHex(h.merkleRoot),
    time: h.time,
    mediantime: await medianTimeOf(chain, entry),
    nonce: h.nonce,
    bits: bitsHex(h.bits),
    difficulty: difficultyOf(chain.params, h.bits),
    chainwork: workToHex(entry.work),
    nTx,
  };
  if (entry.height > chain.params.genesisHeight) out.previousblockhash = hashToHex(h.prevHash);
  if (next) out.nextblockhash = hashToHex(next);
  return out;
}

/** getblock with verbosity 1 (txids) or 2 (transactions as objects). */
export async function blockJson(chain: Chain, entry: BlockIndexEntry, block: Block, verbosity: 1 | 2): Promise<Record<string, unknown>> {
  const out = await headerJson(chain, entry, block.txs.length);
  const size = blockSize(block);
  const { nTx, previousblockhash, nextblockhash, ...head } = out;
  return {
    ...head,
    size,
    strippedsize: size,
    weight: size * 4,
    nTx,
    ...(previousblockhash === undefined ? {} : { previousblockhash }),
    ...(nextblockhash === undefined ? {} : { nextblockhash }),
    tx: verbosity === 1 ? block.txs.map((t) => hashToHex(txid(t))) : block.txs.map((t) => ({ ...txJson(t), hex: txHex(t) })),
  };
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
