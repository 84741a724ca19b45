// The UTXO set in the store: coins by outpoint plus the address index, written
// together unless the index is deferred (`indexed` false: addressIndex.ts).
// Reads for a whole block go through one getMany.
import { createHash } from 'node:crypto';
import { Coin, parseCoin, serializeCoin } from '../core/coin.js';
import { outpointKey } from '../core/tx.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import { addressKey, addressKeyOf, addressPrefix, coinKey, coinKeyOf, parseAddressKey, PREFIX, prefixOf } from '../storage/layout.js';

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
    const values = await this.store.getMany(keys.map(coinKeyOf));
    const out = new Map<string, Coin>();
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v) out.set(keys[i]!, parseCoin(v));
    }
    return out;
  }

  /** add and remove by outpoint key. */
  static addKey(batch: WriteBatch, outpoint: string, coin: Coin, indexed = true): void {
    const value = serializeCoin(coin);
    batch.put(coinKeyOf(outpoint), value);
    if (indexed) batch.put(addressKeyOf(coin.pubKeyHash, outpoint), value);
  }

  static removeKey(batch: WriteBatch, outpoint: string, pubKeyHash: Uint8Array, indexed = true): void {
    batch.del(coinKeyOf(outpoint));
    if (indexed) batch.del(addressKeyOf(pubKeyHash, outpoint));
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
