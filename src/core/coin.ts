// An unspent output as the UTXO set keeps it, and the read-only view of that set
// that the pure validation functions are given.
import { ByteReader, ByteWriter } from './bytes.js';
import { PUBKEY_HASH_SIZE } from './tx.js';

export interface Coin {
  value: number;
  pubKeyHash: Uint8Array;
  height: number;
  coinbase: boolean;
}

/** Keyed by `outpointKey(txid, vout)`. Storage prefetches what a block needs into one. */
export interface CoinView {
  get(key: string): Coin | undefined;
}

/** value u64 LE | pubKeyHash | height u32 LE | coinbase u8. */
export const COIN_SIZE = 8 + PUBKEY_HASH_SIZE + 4 + 1;

export function writeCoin(w: ByteWriter, c: Coin): ByteWriter {
  return w.u64(c.value).bytes(c.pubKeyHash).u32(c.height).u8(c.coinbase ? 1 : 0);
}

/** One exactly sized writer per coin: the connect path serializes two or three coins per transaction. */
export function serializeCoin(c: Coin): Uint8Array {
  return writeCoin(new ByteWriter(COIN_SIZE), c).finish();
}

export function readCoin(r: ByteReader): Coin {
  return { value: r.u64(), pubKeyHash: r.copy(PUBKEY_HASH_SIZE), height: r.u32(), coinbase: r.u8() === 1 };
}

/**
 * One coin from a store value: `pubKeyHash` is a view of `bytes`, not a copy.
 * Every caller passes a value read from a KeyValueStore, which is never written
 * to again (RocksDB hands out a fresh buffer per value; MemoryStore and the
 * write-behind overlay keep values that are replaced, never changed in place),
 * and a coin pins only its own COIN_SIZE bytes. Never pass a buffer that is
 * reused (a ByteWriter after reset, a wire message): use readCoin, which copies.
 */
export function parseCoin(bytes: Uint8Array): Coin {
  const r = new ByteReader(bytes, 'coin');
  const c = { value: r.u64(), pubKeyHash: r.bytes(PUBKEY_HASH_SIZE), height: r.u32(), coinbase: r.u8() === 1 };
  r.end();
  return c;
}
