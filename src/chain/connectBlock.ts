// Turning a block into the UTXO writes that connect or disconnect it. The
// chain adds the index/tip/height writes and commits everything as one batch.
import { Block } from '../core/block.js';
import { Coin } from '../core/coin.js';
import { NetworkParams } from '../core/params.js';
import { connectBlockTxs, ConnectResult, SigCheck } from '../core/validate.js';
import { WriteBatch } from '../storage/kvStore.js';
import { undoKey } from '../storage/layout.js';
import { serializeUndo, SpentCoin } from './undoData.js';
import { Outpoint, parseOutpointKey, UtxoSet } from './utxoSet.js';

export interface ConnectPlan {
  fees: number;
  sigChecks: SigCheck[];
  spent: SpentCoin[];
}

/** Outpoints a block spends from the UTXO set (those it creates itself are not read). */
export function outpointsToFetch(block: Block, txids: Uint8Array[]): Outpoint[] {
  const own = new Set<string>();
  for (const id of txids) own.add(Buffer.from(id.buffer, id.byteOffset, 32).toString('latin1'));
  const out: Outpoint[] = [];
  for (let t = 1; t < block.txs.length; t++) {
    for (const i of block.txs[t]!.inputs) {
      if (i.prevTxid.length === 32 && own.has(Buffer.from(i.prevTxid.buffer, i.prevTxid.byteOffset, 32).toString('latin1'))) continue;
      out.push({ txid: i.prevTxid, vout: i.vout });
    }
  }
  return out;
}

/**
 * Validates the block's transactions against the UTXO set, all but the
 * signatures, whose checks are returned for the caller to verify.
 */
export async function checkConnect(
  utxo: UtxoSet, block: Block, txids: Uint8Array[], height: number, params: NetworkParams,
): Promise<ConnectResult> {
  const coins = await utxo.fetch(outpointsToFetch(block, txids));
  return connectBlockTxs(block, txids, { get: (k) => coins.get(k) }, height, params);
}

/** Adds the UTXO, address-index and undo writes of a checked block to `batch`. */
export function writeConnect(batch: WriteBatch, r: ConnectResult, hash: Uint8Array): ConnectPlan {
  const spent: SpentCoin[] = r.spent.map(({ key, coin }) => ({ ...parseOutpointKey(key), coin }));
  for (const s of spent) UtxoSet.remove(batch, s.txid, s.vout, s.coin.pubKeyHash);
  for (const { key, coin } of r.created) {
    const o = parseOutpointKey(key);
    UtxoSet.add(batch, o.txid, o.vout, coin);
  }
  batch.put(undoKey(hash), serializeUndo(spent));
  return { fees: r.fees, sigChecks: r.sigChecks, spent };
}

/** checkConnect then writeConnect: a block whose signatures are not (or no longer) in question. */
export async function planConnect(
  utxo: UtxoSet, batch: WriteBatch, block: Block, hash: Uint8Array, txids: Uint8Array[], height: number, params: NetworkParams,
): Promise<ConnectPlan> {
  return writeConnect(batch, await checkConnect(utxo, block, txids, height, params), hash);
}

/** Deletes every output the block created and restores every coin it spent. */
export function planDisconnect(batch: WriteBatch, block: Block, hash: Uint8Array, txids: Uint8Array[], undo: SpentCoin[]): void {
  block.txs.forEach((tx, t) => {
    // Outputs spent inside the block were never added; deleting an absent key is a no-op.
    tx.outputs.forEach((o, vout) => UtxoSet.remove(batch, txids[t]!, vout, o.pubKeyHash));
  });
  for (const s of undo) UtxoSet.add(batch, s.txid, s.vout, s.coin as Coin);
  batch.del(undoKey(hash));
}
