// The UTXO set in the store: coins by outpoint plus the address index, written
// together unless the index is deferred (`indexed` false: addressIndex.ts).
// Reads for a whole block go through one getMany.
import { createHash } from 'node:crypto';
import { ByteWriter } from '../core/bytes.js';
import { Coin, COIN_SIZE, parseCoin, serializeCoin, writeCoin } from '../core/coin.js';
import { outpointKey } from '../core/tx.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import { ADDRESS_KEY_SIZE, addressKey, addressKeyOf, addressPrefix, COIN_KEY_SIZE, coinKey, coinKeyOf, parseAddressKey, PREFIX, prefixOf } from '../storage/layout.js';

export interface Outpoint {
  txid: Uint8Array;
  vout: number;
}

export interface OwnedCoin {
  txid: Uint8Array;
  vout: number;
  coin: Coin;
}

export { parseOutpointKey } from '../core/tx.js';

/**
 * One off-heap buffer that a block's coin keys, address keys and coin values
 * are carved from, instead of two or three small arrays per coin: each small
 * array V8 keeps on its heap costs an ArrayBuffer and a backing store besides
 * the view, all garbage once the batch is written (and the store would copy
 * it off the heap again). Views of this buffer go to the store as they are.
 */
export class KeyArena {
  private readonly buf: ArrayBuffer;
  private at = 0;
  constructor(bytes: number) { this.buf = new ArrayBuffer(Math.max(bytes, 1)); }
  /** Room for the keys and values of `created` coins added and `spent` coins removed. */
  static forBlock(created: number, spent: number): KeyArena {
    const perCoin = COIN_KEY_SIZE + ADDRESS_KEY_SIZE;
    return new KeyArena(created * (perCoin + COIN_SIZE) + spent * perCoin);
  }
  /** `n` fresh bytes; a new array once the buffer is used up. */
  take(n: number): Uint8Array {
    if (this.at + n > this.buf.byteLength) return new Uint8Array(n);
    const v = new Uint8Array(this.buf, this.at, n);
    this.at += n;
    return v;
  }
}

export class UtxoSet {
  constructor(private readonly store: KeyValueStore) {}

  async getCoin(txid: Uint8Array, vout: number): Promise<Coin | null> {
    const v = await this.store.get(coinKey(txid, vout));
    return v ? parseCoin(v) : null;
  }

  /** The coins among `outpoints` that are unspent, keyed by outpointKey. */
  async fetch(outpoints: Outpoint[]): Promise<Map<string, Coin>> {
    const values = await this.store.getMany(outpoints.map((o) => coinKey(o.txid, o.vout)));
    const out = new Map<string, Coin>();
    values.forEach((v, i) => {
      if (v) out.set(outpointKey(outpoints[i]!.txid, outpoints[i]!.vout), parseCoin(v));
    });
    return out;
  }

  /** The coins among `keys` (outpoint keys) that are unspent: the connect path's read, with no parsing. */
  async fetchKeys(keys: string[]): Promise<Map<string, Coin>> {
    const values = await this.store.getMany(keys.map((k) => coinKeyOf(k)));
    const out = new Map<string, Coin>();
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v) out.set(keys[i]!, parseCoin(v));
    }
    return out;
  }

  /** add and remove by outpoint key; `arena` (a block's connect batch) supplies the bytes. */
  static addKey(batch: WriteBatch, outpoint: string, coin: Coin, indexed = true, arena?: KeyArena): void {
    const value = arena ? writeCoin(new ByteWriter(COIN_SIZE, arena.take(COIN_SIZE)), coin).finish() : serializeCoin(coin);
    batch.put(coinKeyOf(outpoint, arena?.take(COIN_KEY_SIZE)), value);
    if (indexed) batch.put(addressKeyOf(coin.pubKeyHash, outpoint, arena?.take(ADDRESS_KEY_SIZE)), value);
  }

  static removeKey(batch: WriteBatch, outpoint: string, pubKeyHash: Uint8Array, indexed = true, arena?: KeyArena): void {
    batch.del(coinKeyOf(outpoint, arena?.take(COIN_KEY_SIZE)));
    if (indexed) batch.del(addressKeyOf(pubKeyHash, outpoint, arena?.take(ADDRESS_KEY_SIZE)));
  }

  static add(batch: WriteBatch, txid: Uint8Array, vout: number, coin: Coin, indexed = true): void {
    const value = serializeCoin(coin);
    batch.put(coinKey(txid, vout), value);
    if (indexed) batch.put(addressKey(coin.pubKeyHash, txid, vout), value);
  }

  static remove(batch: WriteBatch, txid: Uint8Array, vout: number, pubKeyHash: Uint8Array, indexed = true): void {
    batch.del(coinKey(txid, vout));
    if (indexed) batch.del(addressKey(pubKeyHash, txid, vout));
  }

  /** Every unspent coin paying `pubKeyHash`, in outpoint order, from the address index alone. */
  async coinsOf(pubKeyHash: Uint8Array): Promise<OwnedCoin[]> {
    const out: OwnedCoin[] = [];
    for await (const [k, v] of this.store.iterate({ prefix: addressPrefix(pubKeyHash) })) {
      const { txid, vout } = parseAddressKey(k);
      out.push({ txid, vout, coin: parseCoin(v) });
    }
    return out;
  }

  /** SHA-256 over every (key, value) of one prefix in key order, hex. */
  async rangeHash(prefix: number): Promise<string> {
    const h = createHash('sha256');
    const len = Buffer.alloc(4);
    for await (const [k, v] of this.store.iterate({ prefix: prefixOf(prefix) })) {
      len.writeUInt32BE(k.length); h.update(len); h.update(k);
      len.writeUInt32BE(v.length); h.update(len); h.update(v);
    }
    return h.digest('hex');
  }

  hash(): Promise<string> {
    return this.rangeHash(PREFIX.coin);
  }

  addressIndexHash(): Promise<string> {
    return this.rangeHash(PREFIX.address);
  }
}
