// The light wallet's stored records besides plain coins: a block's undo (the
// coins it added and removed, the wallet's transactions it confirmed or beat)
// and a pending transaction (one this wallet sent that no block holds yet).
import { ByteReader, ByteWriter } from '../core/bytes.js';
import { Coin, readCoin, serializeCoin } from '../core/coin.js';
import { readTx, Tx, writeTx } from '../core/tx.js';

export interface LightCoin {
  txid: Uint8Array;
  vout: number;
  coin: Coin;
}

export interface PendingTx {
  tx: Tx;
  /** Unix seconds it was sent (or, after a reorganisation took it out of a block, put back). */
  sentAt: number;
}

export interface LightUndo {
  /** Outpoints of coins the block created for the wallet (and that are still unspent after it). */
  added: Array<{ txid: Uint8Array; vout: number }>;
  /** Wallet coins the block spent that existed before it. */
  removed: LightCoin[];
  /** Pending transactions the block confirmed or made impossible; they are pending again after a disconnect. */
  unpended: PendingTx[];
  /** The block's other transactions that spent wallet coins: pending after a disconnect, as on a full node's mempool. */
  spends: Tx[];
}

const MAX_ITEMS = 1_000_000;

function count(r: ByteReader, what: string): number {
  const n = r.varint();
  if (n > MAX_ITEMS || n > r.remaining) throw new RangeError(`light wallet ${what} claims ${n} entries, more than its bytes hold`);
  return n;
}

export function serializeLightUndo(u: LightUndo): Uint8Array {
  const w = new ByteWriter(64);
  w.varint(u.added.length);
  for (const a of u.added) w.bytes(a.txid).u32(a.vout);
  w.varint(u.removed.length);
  for (const c of u.removed) w.bytes(c.txid).u32(c.vout).bytes(serializeCoin(c.coin));
  w.varint(u.unpended.length);
  for (const p of u.unpended) { w.u32(p.sentAt); writeTx(w, p.tx); }
  w.varint(u.spends.length);
  for (const t of u.spends) writeTx(w, t);
  return Uint8Array.from(w.finish());
}

export function parseLightUndo(bytes: Uint8Array): LightUndo {
  const r = new ByteReader(bytes, 'light wallet undo');
  const u: LightUndo = { added: [], removed: [], unpended: [], spends: [] };
  for (let i = count(r, 'undo'); i > 0; i--) u.added.push({ txid: Uint8Array.from(r.bytes(32)), vout: r.u32() });
  for (let i = count(r, 'undo'); i > 0; i--) u.removed.push({ txid: Uint8Array.from(r.bytes(32)), vout: r.u32(), coin: readCoin(r) });
  for (let i = count(r, 'undo'); i > 0; i--) { const sentAt = r.u32(); u.unpended.push({ sentAt, tx: readTx(r) }); }
  for (let i = count(r, 'undo'); i > 0; i--) u.spends.push(readTx(r));
  r.end();
  return u;
}

export function serializePending(p: PendingTx): Uint8Array {
  const w = new ByteWriter(256).u32(p.sentAt);
  writeTx(w, p.tx);
  return Uint8Array.from(w.finish());
}

export function parsePending(bytes: Uint8Array): PendingTx {
  const r = new ByteReader(bytes, 'light wallet pending transaction');
  const sentAt = r.u32();
  const tx = readTx(r);
  r.end();
  return { sentAt, tx };
}
