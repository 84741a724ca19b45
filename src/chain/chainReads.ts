// The chain's state and every read of it: the block index, stored blocks,
// the main chain, coins, locators and what a miner builds on. Chain (chain.ts)
// extends this with the writes; reads never change the state.
import { EventEmitter } from 'node:events';
import { addAmounts } from '../core/amount.js';
import { Block, parseBlock } from '../core/block.js';
import { bytesKey, hashToHex } from '../core/bytes.js';
import { Coin } from '../core/coin.js';
import { PubchainError, ValidationError } from '../core/errors.js';
import { NetworkParams } from '../core/params.js';
import { KeyValueStore } from '../storage/kvStore.js';
import { StorageError } from '../storage/errors.js';
import type { AddressIndexCheck, AddressIndexState } from './addressIndex.js';
import { BlockIndexEntry } from './blockIndex.js';
import { blockLocatorOf, hashesAfter, MAX_HASHES_AFTER_LOCATOR } from './blockLocator.js';
import { BlockTree } from './blockTree.js';
import { BoundedMap } from './boundedMap.js';
import { ChainStore } from './chainStore.js';
import { NextBlockContext } from './chainTypes.js';
import { SerialQueue } from './serialQueue.js';
import { OwnedCoin, UtxoSet } from './utxoSet.js';

const REJECTED_MEMORY = 10_000;

export abstract class ChainReads extends EventEmitter {
  tip: BlockIndexEntry | null = null;
  genesisHash: Uint8Array | null = null;
  readonly utxo: UtxoSet;

  /** Blocks are processed one at a time; reads that must not see a half-finished reorg wait here too. */
  protected readonly queue = new SerialQueue();
  protected readonly db: ChainStore;
  protected readonly tree: BlockTree;
  /** Blocks that broke a rule before being stored: refused again without work. */
  protected readonly rejected = new BoundedMap<string, ValidationError>(REJECTED_MEMORY);

  protected constructor(store: KeyValueStore, readonly params: NetworkParams, cacheSize: number) {
    super();
    this.db = new ChainStore(store, (err) => this.emitSafely('storage-failed', err));
    this.utxo = this.db.utxo;
    this.tree = new BlockTree(this.db, params, cacheSize);
  }

  getIndex(hash: Uint8Array): Promise<BlockIndexEntry | null> {
    return this.tree.get(hash);
  }

  /** Many index entries in one batched read (null for each hash not in the index). */
  getIndexMany(hashes: Uint8Array[]): Promise<Array<BlockIndexEntry | null>> {
    return this.tree.getMany(hashes);
  }

  /** Whether the block index holds `hash`, from memory (headers-first sync asks this per header). */
  isIndexed(hash: Uint8Array): boolean {
    return this.tree.isKnown(hash);
  }

  /** Where headers-first sync keeps its header-only entries (src/node/headerSyncChain.ts). */
  get headerStore(): Pick<ChainStore, 'headerEntries' | 'writeHeaderEntries'> {
    return this.db;
  }

  /** True once a block is known: stored, connected, or known to be invalid. */
  async hasBlock(hash: Uint8Array): Promise<boolean> {
    return this.rejected.has(bytesKey(hash)) || (await this.getIndex(hash)) !== null;
  }

  async getBlockBytes(hash: Uint8Array): Promise<Uint8Array | null> {
    if (hash.length !== 32) return null;
    return this.db.getBlockBytes(hash);
  }

  /** Many blocks' bytes in one batched read (serving a peer's getdata). */
  async getBlocksBytes(hashes: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    const valid = hashes.map((h) => h.length === 32);
    const found = await this.db.getBlocksBytes(hashes.filter((_, i) => valid[i]));
    let at = 0;
    return valid.map((ok) => (ok ? found[at++]! : null));
  }

  async getBlock(hash: Uint8Array): Promise<Block | null> {
    const bytes = await this.getBlockBytes(hash);
    return bytes ? parseBlock(bytes, this.params.maxBlockSize) : null;
  }

  protected async mustGetBlock(hash: Uint8Array): Promise<Block> {
    const b = await this.getBlock(hash);
    if (!b) throw new StorageError('db-corrupt', `block ${hashToHex(hash)} is in the index but not stored`);
    return b;
  }

  async getHashAtHeight(height: number): Promise<Uint8Array | null> {
    if (!this.tip || !Number.isInteger(height) || height < this.params.genesisHeight || height > this.tip.height) return null;
    return this.tree.hashAt(height);
  }

  async isOnMainChain(entry: BlockIndexEntry): Promise<boolean> {
    return this.tree.isOnMainChain(entry);
  }

  async getCoin(txid: Uint8Array, vout: number): Promise<Coin | null> {
    if (txid.length !== 32 || !Number.isInteger(vout) || vout < 0 || vout > 0xffffffff) return null;
    return this.utxo.getCoin(txid, vout);
  }

  /** From the address index; while it is deferred or being built, from a scan of the coins (addressIndex.ts). */
  async coinsOf(pubKeyHash: Uint8Array): Promise<OwnedCoin[]> {
    return this.db.addressIndex.coinsOf(pubKeyHash, () => this.utxo.coinsOf(pubKeyHash));
  }

  async balanceOf(pubKeyHash: Uint8Array): Promise<number> {
    let total = 0;
    for (const c of await this.coinsOf(pubKeyHash)) total = addAmounts(total, c.coin.value);
    return total;
  }

  /** 'current', or 'deferred' (initial sync) or 'building' (catching up from the coins). */
  get addressIndexState(): AddressIndexState {
    return this.db.addressIndex.state;
  }

  /** The address index against the one derived from the coins, between blocks. */
  checkAddressIndex(): Promise<AddressIndexCheck> {
    return this.queue.run(() => this.db.checkAddressIndex());
  }

  /** Deterministic hash of the whole UTXO set (coins in key order), taken between blocks. */
  utxoSetHash(): Promise<string> {
    return this.queue.run(() => this.utxo.hash());
  }

  /** Runs `job` while no block is being processed: a consistent view of the UTXO set. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return this.queue.run(job);
  }

  /** Tip first, then back with doubling steps, ending at genesis (at most 101 hashes). */
  blockLocator(): Promise<Uint8Array[]> {
    return this.queue.run(async () => (this.tip ? blockLocatorOf(this.tree, this.tip.height, this.params.genesisHeight) : []));
  }

  /**
   * Main-chain hashes after the fork point: the first locator hash on our main
   * chain (genesis when none is). At most `max` (capped at 500), ending early
   * after `stop`. Only the first 101 locator hashes are looked at.
   */
  hashesAfterLocator(locator: Uint8Array[], max = MAX_HASHES_AFTER_LOCATOR, stop?: Uint8Array): Promise<Uint8Array[]> {
    return this.queue.run(async () => (this.tip ? hashesAfter(this.tree, this.tip.height, this.params.genesisHeight, locator, max, stop) : []));
  }

  /** What a miner needs to build on the tip. (`now` is accepted for callers; bits here never depend on the clock.) */
  async nextBlockContext(_now?: number): Promise<NextBlockContext> {
    const tip = this.requireTip();
    const { bits, medianTimePast: mtp } = await this.tree.childContext(tip);
    return { height: tip.height + 1, prevHash: tip.hash, bits, medianTimePast: mtp };
  }

  protected requireTip(): BlockIndexEntry {
    if (!this.tip) throw new PubchainError('no-chain', 'there is no blockchain yet: create one first (createblockchain)');
    return this.tip;
  }

  /** A listener's bug must not abort a state change that is already committed. */
  protected emitSafely(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      process.emitWarning(`a chain '${event}' listener threw: ${(e as Error).message}`);
    }
  }
}
