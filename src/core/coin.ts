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

export function serializeCoin(c: Coin): Uint8Array {
  return new ByteWriter(8 + PUBKEY_HASH_SIZE + 5).u64(c.value).bytes(c.pubKeyHash).u32(c.height).u8(c.coinbase ? 1 : 0).finish();
}

export function readCoin(r: ByteReader): Coin {
  return { value: r.u64(), pubKeyHash: Uint8Array.from(r.bytes(PUBKEY_HASH_SIZE)), height: r.u32(), coinbase: r.u8() === 1 };
}

export function parseCoin(bytes: Uint8Array): Coin {
  const r = new ByteReader(bytes, 'coin');
  const c = readCoin(r);
  r.end();
  return c;
}
