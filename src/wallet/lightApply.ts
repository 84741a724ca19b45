// What one block does to the light wallet's coins (src/wallet/lightCoins.ts owns
// the store, the queue and the marker): its outputs to watched pubKeyHashes are
// added, the wallet coins its inputs spend are removed, and pending sends it
// confirms or conflicts with are dropped. Every change is made in memory and
// recorded in the caller's batch at once, and what was done is returned as
// undo, so revertBlockBody restores exactly the state before the block.
import { hashToHex, toHex } from '../core/bytes.js';
import type { Block } from '../core/block.js';
import type { Coin } from '../core/coin.js';
import { serializeCoin } from '../core/coin.js';
import { isCoinbase, outpointKey, txid } from '../core/tx.js';
import type { WriteBatch } from '../storage/kvStore.js';
import { lightCoinKey, lightPendingKey } from '../storage/layout.js';
import { LightCoin, LightUndo, PendingTx, serializePending } from './lightRecords.js';

/** The wallet's state in memory, keyed as LightCoins keeps it. */
export interface LightState {
  /** By outpointKey. */
  coins: Map<string, LightCoin>;
  /** By hashToHex(txid). */
  pending: Map<string, PendingTx>;
  /** hex(pubKeyHash) of the watched owners. */
  watchSet: Set<string>;
}

/** Changes the coins in memory and records the same changes in `batch`; returns the undo. */
export function applyBlockBody(st: LightState, block: Block, height: number, batch: WriteBatch): LightUndo {
  const undo: LightUndo = { added: [], removed: [], unpended: [], spends: [] };
  const addedHere = new Set<string>();
  const inputs = new Set<string>();
  for (const tx of block.txs) {
    const id = txid(tx);
    const cb = isCoinbase(tx);
    let spendsOurs = false;
    if (!cb) {
      for (const i of tx.inputs) {
        const key = outpointKey(i.prevTxid, i.vout);
        inputs.add(key);
        const c = st.coins.get(key);
        if (!c) continue;
        spendsOurs = true;
        st.coins.delete(key);
        batch.del(lightCoinKey(c.txid, c.vout));
        if (addedHere.delete(key)) continue;
        undo.removed.push(c);
      }
    }
    tx.outputs.forEach((o, vout) => {
      if (!st.watchSet.has(toHex(o.pubKeyHash))) return;
      const coin: Coin = { value: o.value, pubKeyHash: Uint8Array.from(o.pubKeyHash), height, coinbase: cb };
      const key = outpointKey(id, vout);
      st.coins.set(key, { txid: id, vout, coin });
      addedHere.add(key);
      batch.put(lightCoinKey(id, vout), serializeCoin(coin));
    });
    const hex = hashToHex(id);
    const p = st.pending.get(hex);
    if (p) {
      st.pending.delete(hex);
      batch.del(lightPendingKey(id));
      undo.unpended.push(p);
    } else if (spendsOurs) undo.spends.push(tx);
  }
  // A pending transaction whose input this block spent otherwise can no longer be mined.
  for (const [hex, p] of st.pending) {
    if (!p.tx.inputs.some((i) => inputs.has(outpointKey(i.prevTxid, i.vout)))) continue;
    st.pending.delete(hex);
    batch.del(lightPendingKey(txid(p.tx)));
    undo.unpended.push(p);
  }
  for (const key of addedHere) { const c = st.coins.get(key)!; undo.added.push({ txid: c.txid, vout: c.vout }); }
  return undo;
}

/** Undoes `undo` in memory and records the same changes in `batch`; a block's sends become pending again, sent at `now`. */
export function revertBlockBody(st: LightState, undo: LightUndo, batch: WriteBatch, now: number): void {
  for (const a of undo.added) {
    st.coins.delete(outpointKey(a.txid, a.vout));
    batch.del(lightCoinKey(a.txid, a.vout));
  }
  for (const c of undo.removed) {
    st.coins.set(outpointKey(c.txid, c.vout), c);
    batch.put(lightCoinKey(c.txid, c.vout), serializeCoin(c.coin));
  }
  // Back to pending, as a full node's mempool takes a disconnected block's transactions back.
  const back: PendingTx[] = [...undo.unpended, ...undo.spends.map((tx) => ({ tx, sentAt: now }))];
  for (const p of back) {
    const id = txid(p.tx);
    st.pending.set(hashToHex(id), p);
    batch.put(lightPendingKey(id), serializePending(p));
  }
}
