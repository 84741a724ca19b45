// The address index ('a': pkh | outpoint → coin, src/storage/layout.ts) and
// how it is kept cheap during initial sync. Kept in every block's batch it
// doubles each coin write, so while the node is far behind (initial block
// download) it is deferred: blocks write no 'a' keys. Once the node has caught
// up it is built from the coins ('c') in large steps, each one batch, while
// blocks keep connecting between steps, and is then kept per block again.
// The "addrindex" meta marker says which of the three states the database is
// in, so a kill -9 at any moment leaves a state that open resumes. Reads
// (coinsOf, balances) never see a stale index: until it is current they scan
// the coins (docs/storage.md, "The address index").
import { createHash } from 'node:crypto';
import { bytesKey, bytesEqual } from '../core/bytes.js';
import { parseCoin } from '../core/coin.js';
import { outpointKey } from '../core/tx.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import { addressKeyOfCoinKey, coinKeyAfter, coinKeyOutpoint, metaKey, PREFIX, prefixOf } from '../storage/layout.js';
import type { OwnedCoin } from './utxoSet.js';

/** The "addrindex" marker (null: current), as the chain keeps it in memory. */
export type AddressIndexMarker = { kind: 'deferred'; since: number } | { kind: 'building'; after: Uint8Array | null };

const DEFERRED = 0x64; // 'd'
const BUILDING = 0x62; // 'b'
const OUTPOINT = 36;

export function addressIndexValue(m: AddressIndexMarker): Uint8Array {
  if (m.kind === 'deferred') {
    const v = new Uint8Array(5);
    v[0] = DEFERRED;
    new DataView(v.buffer).setUint32(1, m.since, false);
    return v;
  }
  const v = new Uint8Array(1 + (m.after ? OUTPOINT : 0));
  v[0] = BUILDING;
  if (m.after) {
    if (m.after.length !== OUTPOINT) throw new RangeError(`an outpoint needs ${OUTPOINT} bytes, got ${m.after.length}`);
    v.set(m.after, 1);
  }
  return v;
}

export function parseAddressIndexValue(v: Uint8Array): AddressIndexMarker {
  if (v.length === 5 && v[0] === DEFERRED) return { kind: 'deferred', since: new DataView(v.buffer, v.byteOffset, v.length).getUint32(1, false) };
  if (v[0] === BUILDING && (v.length === 1 || v.length === 1 + OUTPOINT)) return { kind: 'building', after: v.length === 1 ? null : v.slice(1) };
  throw new RangeError(`unreadable "addrindex" marker (${v.length} bytes, kind 0x${(v[0] ?? 0).toString(16)})`);
}

export type AddressIndexState = 'current' | 'deferred' | 'building';

/** Coins indexed per build step: one batch of about 100 bytes a coin. */
export const BUILD_STEP_COINS = 50_000;

const ADDRINDEX = metaKey('addrindex');
const coinRange = { gte: prefixOf(PREFIX.coin), lt: prefixOf(PREFIX.coin + 1) };

export class AddressIndex {
  private marker: AddressIndexMarker | null = null;
  /** The building marker's outpoint as an outpoint key (core/tx.ts), which compares as the bytes do. */
  private afterKey: string | null = null;
  /** Bumped at every change of state: a read from the index checks no change happened under it. */
  private epoch = 0;

  constructor(private readonly kv: KeyValueStore) {}

  /** The marker as read at open (null: absent). */
  load(value: Uint8Array | null): void {
    this.set(value ? parseAddressIndexValue(value) : null);
  }

  get state(): AddressIndexState { return this.marker === null ? 'current' : this.marker.kind; }

  /** The height deferral began at, while deferred. */
  get deferredSince(): number | null { return this.marker?.kind === 'deferred' ? this.marker.since : null; }

  private set(m: AddressIndexMarker | null): void {
    this.marker = m;
    this.afterKey = m?.kind === 'building' && m.after ? bytesKey(m.after) : null;
    this.epoch++;
  }

  /** Whether a block's batch writes the 'a' entry of the coin at `outpoint` (an outpoint key). */
  covers(outpoint: string): boolean {
    if (this.marker === null) return true;
    return this.afterKey !== null && outpoint <= this.afterKey;
  }

  coversOutpoint(txid: Uint8Array, vout: number): boolean {
    return this.marker === null || (this.afterKey !== null && this.covers(outpointKey(txid, vout)));
  }

  /** Stops the 'a' writes of later blocks; the marker is written (in order) before any of them. */
  async defer(height: number): Promise<void> {
    if (this.marker?.kind === 'deferred') return;
    this.set({ kind: 'deferred', since: height });
    await this.kv.write(new WriteBatch().put(ADDRINDEX, addressIndexValue(this.marker!)).ops);
  }

  /** The same marker, added to a batch that wipes the index with the coins (a reindex). */
  deferIn(batch: WriteBatch, height: number): void {
    this.set({ kind: 'deferred', since: height });
    batch.put(ADDRINDEX, addressIndexValue(this.marker!));
  }

  /**
   * One step of the build, to run while no block is being connected. From
   * deferred (only as a build's `first` step: a deferral since then stops it),
   * wipes the stale 'a' range; then indexes the next `max` coins in key order,
   * with the new marker in the same batch. True once the index is current.
   */
  async buildStep(first: boolean, max = BUILD_STEP_COINS): Promise<boolean> {
    const m = this.marker;
    if (m === null) return true;
    if (m.kind === 'deferred') {
      if (!first) return true;
      this.set({ kind: 'building', after: null });
      await this.kv.write(new WriteBatch()
        .delRange(prefixOf(PREFIX.address), prefixOf(PREFIX.address + 1)).put(ADDRINDEX, addressIndexValue(this.marker!)).ops);
      return false;
    }
    const batch = new WriteBatch();
    let last: Uint8Array | null = null;
    let n = 0;
    for await (const [k, v] of this.kv.iterate({ gte: m.after ? coinKeyAfter(m.after) : coinRange.gte, lt: coinRange.lt, limit: max })) {
      batch.put(addressKeyOfCoinKey(parseCoin(v).pubKeyHash, k), v);
      last = k;
      n++;
    }
    if (n < max) {
      this.set(null);
      batch.del(ADDRINDEX);
    } else {
      this.set({ kind: 'building', after: coinKeyOutpoint(last!) });
      batch.put(ADDRINDEX, addressIndexValue(this.marker!));
    }
    await this.kv.write(batch.ops);
    return this.marker === null;
  }

  /**
   * Every unspent coin paying `pubKeyHash`, in outpoint order: from the index
   * (`fromIndex`) when it is current and stayed so during the read, else from
   * one scan of the coins (one consistent view, slow on a large set).
   */
  async coinsOf(pubKeyHash: Uint8Array, fromIndex: () => Promise<OwnedCoin[]>): Promise<OwnedCoin[]> {
    const epoch = this.epoch;
    if (this.marker === null) {
      const found = await fromIndex();
      if (this.epoch === epoch) return found;
    }
    const out: OwnedCoin[] = [];
    for await (const [k, v] of this.kv.iterate(coinRange)) {
      // serializeCoin: value u64, then the public-key hash.
      if (v[8] !== pubKeyHash[0]) continue;
      const coin = parseCoin(v);
      if (!bytesEqual(coin.pubKeyHash, pubKeyHash)) continue;
      const o = coinKeyOutpoint(k);
      out.push({ txid: o.slice(0, 32), vout: new DataView(o.buffer, o.byteOffset).getUint32(32, false), coin });
    }
    return out;
  }
}

export interface AddressIndexCheck {
  state: AddressIndexState;
  coins: number;
  entries: number;
  /** The 'a' range holds exactly one entry per coin, under its address, with the coin's bytes. */
  equal: boolean;
}

const MOD = 1n << 256n;
const digest = (k: Uint8Array, v: Uint8Array): bigint => {
  const h = createHash('sha256');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(k.length); h.update(len); h.update(k); h.update(v);
  return BigInt(`0x${h.digest('hex')}`);
};

/**
 * Compares the 'a' range with the one derived from the coins, streaming both
 * (an order-free sum of entry hashes, and the counts): memory stays flat
 * however large the set. Run while no block connects.
 */
export async function checkAddressIndex(kv: KeyValueStore, state: AddressIndexState): Promise<AddressIndexCheck> {
  let expected = 0n;
  let found = 0n;
  let coins = 0;
  let entries = 0;
  for await (const [k, v] of kv.iterate(coinRange)) {
    expected = (expected + digest(addressKeyOfCoinKey(parseCoin(v).pubKeyHash, k), v)) % MOD;
    coins++;
  }
  for await (const [k, v] of kv.iterate({ prefix: prefixOf(PREFIX.address) })) {
    found = (found + digest(k, v)) % MOD;
    entries++;
  }
  return { state, coins, entries, equal: coins === entries && expected === found };
}
