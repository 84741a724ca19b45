// The chain's database, as bcoin's chaindb is: it alone knows the key layout
// (src/storage/layout.ts) and builds every batch; the Chain decides what
// happens and asks for it here. Each state change is one atomic batch.
// Batches go through a WriteBehindStore, so reads see a batch the moment it is
// given and a connected block's batch is written while the next block is
// validated (docs/storage.md, "Write-behind").
import { bytesKey } from '../core/bytes.js';
import { Block } from '../core/block.js';
import { Coin } from '../core/coin.js';
import { ConnectResult } from '../core/validate.js';
import { StorageError } from '../storage/errors.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import {
  bestValue, blockKey, filterKey, filterValue, headerKey, heightKey, indexKey, LAYOUT_VERSION, metaKey, parseBestValue, parseHeaderKey, parseIndexKey,
  parseVersionValue, parseFilterValue, PREFIX, prefixOf, undoKey, versionValue,
} from '../storage/layout.js';
import { WriteBehindStore } from '../storage/writeBehindStore.js';
import { BlockIndexEntry, HeaderEntry, parseHeaderEntry, parseIndexEntry, serializeHeaderEntry, serializeIndexEntry } from './blockIndex.js';
import { AddressIndex, AddressIndexCheck, checkAddressIndex } from './addressIndex.js';
import { parseUndo, serializeSpent, SpentCoin } from './undoData.js';
import { KeyArena, UtxoSet } from './utxoSet.js';

/** The meta keys, as read at open. */
export interface StoredMeta {
  network: string | null;
  genesis: Uint8Array | null;
  tip: Uint8Array | null;
  /** A reorganisation under way: its target and the tip it left. */
  best: { target: Uint8Array; left: Uint8Array } | null;
  /** A reindex under way. */
  reindex: boolean;
}

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export class ChainStore {
  readonly utxo: UtxoSet;
  /** Whether blocks keep the address index, or it is deferred or being built (addressIndex.ts). */
  readonly addressIndex: AddressIndex;
  private readonly kv: WriteBehindStore;

  /** Takes ownership of `inner` (close() closes it). `onFailure` hears once of the first failed write. */
  constructor(inner: KeyValueStore, onFailure: (err: Error) => void) {
    this.kv = new WriteBehindStore(inner, onFailure);
    this.utxo = new UtxoSet(this.kv);
    this.addressIndex = new AddressIndex(this.kv);
  }

  /**
   * Checks the layout version and reads the meta keys. A database of another
   * layout version, or one that holds keys but no version, is refused: it
   * would be misread.
   */
  async open(): Promise<StoredMeta> {
    const [version, network, genesis, tip, best, reindex, addrindex] = await this.kv.getMany(
      (['version', 'network', 'genesis', 'tip', 'best', 'reindex', 'addrindex'] as const).map(metaKey),
    );
    if (version) {
      const found = parseVersionValue(version);
      if (found !== LAYOUT_VERSION) {
        const named = found === null ? `an unreadable layout version (${version.length} bytes)` : `layout version ${found}`;
        throw new StorageError('db-version', `this database has ${named}; this pubchain reads layout version ${LAYOUT_VERSION}`, { found, expected: LAYOUT_VERSION });
      }
    } else if (!(await this.isEmpty())) {
      throw new StorageError('db-version', `this database holds data but no layout version; this pubchain reads layout version ${LAYOUT_VERSION}`, { found: null, expected: LAYOUT_VERSION });
    }
    this.addressIndex.load(addrindex ?? null);
    return {
      network: network ? Buffer.from(network).toString('latin1') : null,
      genesis: genesis ? Uint8Array.from(genesis) : null,
      tip: tip ? Uint8Array.from(tip) : null,
      best: best ? parseBestValue(best) : null,
      reindex: reindex !== null,
    };
  }

  private async isEmpty(): Promise<boolean> {
    for await (const _ of this.kv.iterate({ limit: 1 })) return false;
    return true;
  }

  // ---- reads ---------------------------------------------------------------

  getBlockBytes(hash: Uint8Array): Promise<Uint8Array | null> {
    return this.kv.get(blockKey(hash));
  }

  getBlocksBytes(hashes: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    return this.kv.getMany(hashes.map(blockKey));
  }

  async getIndexEntry(hash: Uint8Array): Promise<BlockIndexEntry | null> {
    const bytes = await this.kv.get(indexKey(hash));
    return bytes ? parseIndexEntry(hash, bytes) : null;
  }

  /** Many index entries in one batched read (a getheaders answer). */
  async getIndexEntries(hashes: Uint8Array[]): Promise<Array<BlockIndexEntry | null>> {
    const found = await this.kv.getMany(hashes.map(indexKey));
    return found.map((bytes, i) => (bytes ? parseIndexEntry(hashes[i]!, bytes) : null));
  }

  /** The hash of every block in the index, as bytesKey strings (read once, at open). */
  async indexedHashes(): Promise<Set<string>> {
    const known = new Set<string>();
    for await (const [k] of this.kv.iterate({ prefix: prefixOf(PREFIX.index) })) known.add(bytesKey(parseIndexKey(k).hash));
    return known;
  }

  async getMainHash(height: number): Promise<Uint8Array | null> {
    const v = await this.kv.get(heightKey(height));
    return v ? Uint8Array.from(v) : null;
  }

  async getMainHashes(heights: number[]): Promise<Array<Uint8Array | null>> {
    return (await this.kv.getMany(heights.map(heightKey))).map((v) => (v ? Uint8Array.from(v) : null));
  }

  async getUndo(hash: Uint8Array): Promise<SpentCoin[] | null> {
    const bytes = await this.kv.get(undoKey(hash));
    return bytes ? parseUndo(bytes) : null;
  }

  /** Blocks' BIP158 filter entries (filter header and filter), null where a block has none. */
  async getFilterEntries(hashes: Uint8Array[]): Promise<Array<{ header: Uint8Array; filter: Uint8Array } | null>> {
    return (await this.kv.getMany(hashes.map(filterKey))).map((v) => (v ? parseFilterValue(v) : null));
  }

  /** Every header-only entry (headers-first sync), read once at open. */
  async headerEntries(): Promise<HeaderEntry[]> {
    const out: HeaderEntry[] = [];
    for await (const [k, v] of this.kv.iterate({ prefix: prefixOf(PREFIX.header) })) out.push(parseHeaderEntry(parseHeaderKey(k).hash, v));
    return out;
  }

  /** The address index against the one derived from the coins (addressIndex.ts); run while no block connects. */
  checkAddressIndex(): Promise<AddressIndexCheck> {
    return checkAddressIndex(this.kv, this.addressIndex.state);
  }

  // ---- batches -------------------------------------------------------------

  /** Adds a block's filter entry to `batch` (its connect batch, or a catch-up batch). */
  putFilter(batch: WriteBatch, hash: Uint8Array, header: Uint8Array, filter: Uint8Array): WriteBatch {
    return batch.put(filterKey(hash), filterValue(header, filter));
  }

  /** Writes a batch of filter entries only (building filters for blocks connected before). */
  async writeFilters(batch: WriteBatch): Promise<void> {
    await this.kv.write(batch.ops);
  }

  /** Header-only entries added and removed, in one batch. */
  async writeHeaderEntries(put: HeaderEntry[], del: Uint8Array[] = []): Promise<void> {
    const batch = new WriteBatch();
    for (const e of put) batch.put(headerKey(e.hash), serializeHeaderEntry(e));
    for (const h of del) batch.del(headerKey(h));
    await this.kv.write(batch.ops);
  }

  /** A block stored off the main chain. */
  async storeSide(entry: BlockIndexEntry, bytes: Uint8Array): Promise<void> {
    await this.kv.write(new WriteBatch().put(blockKey(entry.hash), bytes).put(indexKey(entry.hash), serializeIndexEntry(entry)).ops);
  }

  /** The target of a reorganisation, stored with the "best" marker naming it and the tip we leave. */
  async storeReorgTarget(entry: BlockIndexEntry, bytes: Uint8Array, leaving: Uint8Array): Promise<void> {
    await this.kv.write(new WriteBatch()
      .put(blockKey(entry.hash), bytes).put(indexKey(entry.hash), serializeIndexEntry(entry)).put(metaKey('best'), bestValue(entry.hash, leaving)).ops);
  }

  /** The tip has settled: no reorganisation is under way any more. */
  async clearReorg(): Promise<void> {
    await this.kv.write(new WriteBatch().del(metaKey('best')).ops);
  }

  /** Index entries whose status changed (to failed), in one batch. */
  async putIndexEntries(entries: BlockIndexEntry[]): Promise<void> {
    const batch = new WriteBatch();
    for (const e of entries) batch.put(indexKey(e.hash), serializeIndexEntry(e));
    await this.kv.write(batch.ops);
  }

  /** The start of a new block's connect batch: the block itself. */
  blockBatch(hash: Uint8Array, bytes: Uint8Array): WriteBatch {
    return new WriteBatch().put(blockKey(hash), bytes);
  }

  /** The start of the genesis block's connect batch: the block, and the meta that names the chain and the layout. */
  genesisBatch(hash: Uint8Array, bytes: Uint8Array, network: string): WriteBatch {
    return this.blockBatch(hash, bytes)
      .put(metaKey('genesis'), hash)
      .put(metaKey('network'), latin1(network))
      .put(metaKey('version'), versionValue(LAYOUT_VERSION));
  }

  /** Waits until at most `max` batches are unwritten. */
  room(max: number): Promise<void> {
    return this.kv.room(max);
  }

  /** Adds to `batch` the coin, address-index (unless deferred: addressIndex.ts) and undo writes of a checked block. */
  connectBatch(batch: WriteBatch, r: ConnectResult, hash: Uint8Array): WriteBatch {
    const idx = this.addressIndex;
    const arena = KeyArena.forBlock(r.created.length, r.spent.length);
    for (const { key, coin } of r.spent) UtxoSet.removeKey(batch, key, coin.pubKeyHash, idx.covers(key), arena);
    for (const { key, coin } of r.created) UtxoSet.addKey(batch, key, coin, idx.covers(key), arena);
    return batch.put(undoKey(hash), serializeSpent(r.spent));
  }

  /**
   * Ends a connect batch with the block's index entry (now valid), its height
   * and the tip, and writes it behind: the promise settles once it is durable.
   */
  commitConnect(batch: WriteBatch, valid: BlockIndexEntry): Promise<void> {
    batch.put(indexKey(valid.hash), serializeIndexEntry(valid)).put(heightKey(valid.height), valid.hash).put(metaKey('tip'), valid.hash);
    return this.kv.writeBehind(batch.ops);
  }

  /** Disconnects the tip: deletes what it created, restores what it spent, and moves the tip to its parent. */
  async disconnect(tip: BlockIndexEntry, block: Block, txids: Uint8Array[], undo: SpentCoin[]): Promise<void> {
    const batch = new WriteBatch();
    const idx = this.addressIndex;
    block.txs.forEach((tx, t) => {
      // Outputs spent inside the block were never added; deleting an absent key is a no-op.
      tx.outputs.forEach((o, vout) => UtxoSet.remove(batch, txids[t]!, vout, o.pubKeyHash, idx.coversOutpoint(txids[t]!, vout)));
    });
    for (const s of undo) UtxoSet.add(batch, s.txid, s.vout, s.coin as Coin, idx.coversOutpoint(s.txid, s.vout));
    batch.del(undoKey(tip.hash)).del(heightKey(tip.height)).put(metaKey('tip'), tip.header.prevHash);
    await this.kv.write(batch.ops);
  }

  /**
   * Wipes the coins, address index and undo data, with the "reindex" marker, in
   * one batch. The address index is deferred there: it is built from the coins
   * after the last block (recovery.ts).
   */
  async beginReindex(height: number): Promise<void> {
    const wipe = new WriteBatch().put(metaKey('reindex'), Uint8Array.of(1));
    for (const p of [PREFIX.coin, PREFIX.address, PREFIX.undo]) wipe.delRange(prefixOf(p), prefixOf(p + 1));
    this.addressIndex.deferIn(wipe, height);
    await this.kv.write(wipe.ops);
  }

  /** One main-chain block's coins and undo data, rebuilt. */
  async reindexBlock(r: ConnectResult, hash: Uint8Array): Promise<void> {
    await this.kv.write(this.connectBatch(new WriteBatch(), r, hash).ops);
  }

  async endReindex(): Promise<void> {
    await this.kv.write(new WriteBatch().del(metaKey('reindex')).ops);
  }

  /** Writes what is pending, then closes the database. */
  close(): Promise<void> {
    return this.kv.close();
  }
}
