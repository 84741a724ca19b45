// The chain state: stored blocks, the block index, the main chain and its UTXO
// set. Every state change is one atomic store batch, so whatever moment the
// process dies at, the tip and the UTXO set on disk agree. A connected block's
// batch is written behind (WriteBehindStore): the next block is validated
// while it is written, but neither processBlock nor the 'tip' event reports a
// block before its batch is durable.
import { EventEmitter } from 'node:events';
import { addAmounts } from '../core/amount.js';
import { Block, blockTxids, parseBlock, serializeBlock } from '../core/block.js';
import { bytesEqual, concatBytes, hashToHex, toHex } from '../core/bytes.js';
import { Coin } from '../core/coin.js';
import { checkBlockTime } from '../core/difficulty.js';
import { PubchainError, ValidationError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import { MerkleRootFn, merkleRootJs } from '../core/merkle.js';
import { NetworkParams } from '../core/params.js';
import { workFromBits } from '../core/pow.js';
import { coinbaseHeight, NULL_HASH } from '../core/tx.js';
import { checkBlockContext, checkBlockSanity, verifySigChecks } from '../core/validate.js';
import { verifyFast } from '../crypto/keys.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import { blockKey, heightKey, indexKey, LAYOUT_VERSION, metaKey, PREFIX, prefixOf, undoKey } from '../storage/layout.js';
import { StorageError } from '../storage/errors.js';
import { WriteBehindStore } from '../storage/writeBehindStore.js';
import { BlockIndexEntry, isFailed, serializeIndexEntry } from './blockIndex.js';
import { blockLocatorOf, hashesAfter, MAX_HASHES_AFTER_LOCATOR } from './blockLocator.js';
import { BlockTree } from './blockTree.js';
import { ChainChange, ChainOptions, NextBlockContext, ProcessResult, SigBatchVerifier } from './chainTypes.js';
import { BoundedMap } from './boundedMap.js';
import { checkConnect, planConnect, planDisconnect, writeConnect } from './connectBlock.js';
import { SerialQueue } from './serialQueue.js';
import { parseUndo } from './undoData.js';
import { OwnedCoin, UtxoSet } from './utxoSet.js';

export type { BlockIndexEntry, BlockStatus } from './blockIndex.js';
export type { ChainChange, ChainOptions, NextBlockContext, ProcessResult, SigBatchVerifier } from './chainTypes.js';

export interface Chain {
  /** `ms`: checking, verifying and batching the block (its write to disk happens behind). */
  on(event: 'connect', listener: (block: Block, height: number, ms: number) => void): this;
  on(event: 'disconnect', listener: (block: Block, height: number) => void): this;
  on(event: 'tip', listener: (entry: BlockIndexEntry) => void): this;
  /** A batch written behind failed: memory is ahead of disk, and the store refuses every later operation. Emitted once. */
  on(event: 'storage-failed', listener: (err: Error) => void): this;
}

const REJECTED_MEMORY = 10_000;
/** Connected blocks whose batches may be unwritten at once: enough to hide a write behind validation, few enough to keep memory small. */
const MAX_UNWRITTEN = 8;
const isNullHash = (h: Uint8Array): boolean => bytesEqual(h, NULL_HASH);

export class Chain extends EventEmitter {
  tip: BlockIndexEntry | null = null;
  genesisHash: Uint8Array | null = null;
  readonly utxo: UtxoSet;

  private readonly queue = new SerialQueue();
  private readonly verifySigs: SigBatchVerifier;
  private readonly merkleRoot: MerkleRootFn;
  private readonly now: () => number;
  private readonly tree: BlockTree;
  /** Blocks that broke a rule before being stored: refused again without work. */
  private readonly rejected = new BoundedMap<string, ValidationError>(REJECTED_MEMORY);
  private closed = false;
  private readonly store: WriteBehindStore;

  private constructor(store: KeyValueStore, readonly params: NetworkParams, opts: ChainOptions) {
    super();
    this.store = new WriteBehindStore(store, (err) => this.emitSafely('storage-failed', err));
    this.utxo = new UtxoSet(this.store);
    this.verifySigs = opts.verifySigs ?? ((checks) => verifySigChecks(checks, verifyFast));
    this.merkleRoot = opts.merkleRoot ?? merkleRootJs;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.tree = new BlockTree(this.store, params, opts.cacheSize ?? 20_000);
  }

  /** The chain takes ownership of `store`: close() closes it, and so does a failed open. */
  static async open(store: KeyValueStore, params: NetworkParams, opts: ChainOptions = {}): Promise<Chain> {
    const chain = new Chain(store, params, opts);
    try {
      await chain.load();
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return chain;
  }

  private async load(): Promise<void> {
    const [network, genesis, tip, best, reindex] = await this.store.getMany(
      [metaKey('network'), metaKey('genesis'), metaKey('tip'), metaKey('best'), metaKey('reindex')],
    );
    if (network) {
      const name = Buffer.from(network).toString('latin1');
      if (name !== this.params.name) {
        throw new PubchainError('wrong-network', `this database holds a ${name} chain, not ${this.params.name}`, { network: name });
      }
    }
    await this.tree.loadKnown();
    if (!tip) return;
    this.genesisHash = genesis ? Uint8Array.from(genesis) : null;
    this.tip = await this.tree.must(tip);
    if (reindex) await this.rebuildUtxo();
    if (best) await this.resumeReorg(best);
  }

  /**
   * The process died part-way through a reorganisation: go on to the target,
   * or, when it is known invalid by now, back to the tip we started from.
   */
  private async resumeReorg(best: Uint8Array): Promise<void> {
    const target = await this.getIndex(best.subarray(0, 32));
    const startTip = (await this.getIndex(best.subarray(32, 64))) ?? this.tip!;
    const goal = [target, startTip].find((e): e is BlockIndexEntry => e !== null && !isFailed(e) && e.work > this.tip!.work);
    if (!goal) {
      await this.store.write([{ type: 'del', key: metaKey('best') }]);
      return;
    }
    try {
      await this.activate(goal, undefined, startTip);
    } catch (e) {
      // An invalid branch is marked failed and the chain settles: that is no reason to refuse to open.
      if (!(e instanceof ValidationError)) throw e;
    }
  }

  // ---- reads ---------------------------------------------------------------

  getIndex(hash: Uint8Array): Promise<BlockIndexEntry | null> {
    return this.tree.get(hash);
  }

  /** True once a block is known: stored, connected, or known to be invalid. */
  async hasBlock(hash: Uint8Array): Promise<boolean> {
    return this.rejected.has(toHex(hash)) || (await this.getIndex(hash)) !== null;
  }

  async getBlockBytes(hash: Uint8Array): Promise<Uint8Array | null> {
    if (hash.length !== 32) return null;
    return this.store.get(blockKey(hash));
  }

  /** Many blocks' bytes in one batched read (serving a peer's getdata). */
  async getBlocksBytes(hashes: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    const valid = hashes.map((h) => h.length === 32);
    const found = await this.store.getMany(hashes.filter((_, i) => valid[i]).map((h) => blockKey(h)));
    let at = 0;
    return valid.map((ok) => (ok ? found[at++]! : null));
  }

  async getBlock(hash: Uint8Array): Promise<Block | null> {
    const bytes = await this.getBlockBytes(hash);
    return bytes ? parseBlock(bytes, this.params.maxBlockSize) : null;
  }

  private async mustGetBlock(hash: Uint8Array): Promise<Block> {
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

  async coinsOf(pubKeyHash: Uint8Array): Promise<OwnedCoin[]> {
    return this.utxo.coinsOf(pubKeyHash);
  }

  async balanceOf(pubKeyHash: Uint8Array): Promise<number> {
    let total = 0;
    for (const c of await this.utxo.coinsOf(pubKeyHash)) total = addAmounts(total, c.coin.value);
    return total;
  }

  /** Deterministic hash of the whole UTXO set (coins in key order), taken between blocks. */
  utxoSetHash(): Promise<string> {
    return this.queue.run(() => this.utxo.hash());
  }

  /** Runs `job` while no block is being processed: a consistent view of the UTXO set. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return this.queue.run(job);
  }

  // ---- locators ------------------------------------------------------------

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

  private requireTip(): BlockIndexEntry {
    if (!this.tip) throw new PubchainError('no-chain', 'there is no blockchain yet: create one first (createblockchain)');
    return this.tip;
  }

  // ---- writes --------------------------------------------------------------

  initGenesis(block: Block): Promise<void> {
    return this.queue.run(async () => {
      this.checkOpen();
      if (this.tip) throw new PubchainError('chain-exists', `a blockchain already exists here (genesis ${hashToHex(this.genesisHash ?? this.tip.hash)})`);
      if (!isNullHash(block.header.prevHash)) throw new ValidationError('bad-genesis', 'a genesis block must have an all-zero previous hash', 100);
      if (block.header.bits !== this.params.genesisBits) {
        throw new ValidationError('bad-diffbits', `genesis bits 0x${block.header.bits.toString(16)} differ from the network's 0x${this.params.genesisBits.toString(16)}`, 100);
      }
      const { hash, txids } = checkBlockSanity(block, this.params, this.merkleRoot);
      const h = coinbaseHeight(block.txs[0]!);
      if (h !== this.params.genesisHeight) throw new ValidationError('bad-cb-height', `genesis coinbase says height ${h}, not ${this.params.genesisHeight}`, 100);
      checkBlockTime(this.params, block.header.time, 0, this.now());
      const entry: BlockIndexEntry = { hash, height: this.params.genesisHeight, work: workFromBits(block.header.bits), header: block.header, status: 'stored' };
      const batch = new WriteBatch()
        .put(blockKey(hash), serializeBlock(block))
        .put(metaKey('genesis'), hash)
        .put(metaKey('network'), new Uint8Array(Buffer.from(this.params.name, 'latin1')))
        .put(metaKey('version'), Uint8Array.of(0, 0, 0, LAYOUT_VERSION));
      await (await this.connectTip(block, entry, txids, batch)).durable;
      this.genesisHash = hash;
      this.emitSafely('tip', this.tip!);
    });
  }

  /**
   * Blocks are validated one at a time, in arrival order; a connected block's
   * result (and its 'tip' event) waits until its batch is durable, while the
   * next block is already being validated. The checks that need no chain
   * state run before a block joins the queue, so they overlap the block ahead
   * of it (whose signatures are being verified on other threads).
   */
  async processBlock(block: Block): Promise<ProcessResult> {
    this.checkOpen();
    this.requireTip();
    const headerId = headerHash(block.header);
    const known = this.rejected.get(toHex(headerId));
    if (known) throw known;
    // A block already in the index is answered from it without being hashed through.
    const sane = this.tree.isKnown(headerId) ? null : checkBlockSanity(block, this.params, this.merkleRoot);
    const { result, durable } = await this.queue.run(() => this.acceptBlock(block, headerId, sane));
    if (durable) {
      await durable;
      this.emitSafely('tip', durable.entry);
    }
    return result;
  }

  private async acceptBlock(
    block: Block, headerId: Uint8Array, sane: { hash: Uint8Array; txids: Uint8Array[] } | null,
  ): Promise<{ result: ProcessResult; durable?: Durable }> {
    this.checkOpen();
    const tip = this.requireTip();
    // A hash is only ever remembered as invalid after its transactions matched its
    // Merkle root, so the header alone identifies a known-bad block: no need to re-hash it all.
    const key = toHex(headerId);
    const known = this.rejected.get(key);
    if (known) throw known;
    const existing = await this.getIndex(headerId);
    if (existing) {
      if (isFailed(existing)) throw new ValidationError('duplicate-invalid', `block ${hashToHex(headerId)} is known to be invalid`, 100);
      return { result: { status: 'duplicate', hash: headerId, height: existing.height, connected: [], disconnected: [] } };
    }
    const { hash, txids } = sane ?? checkBlockSanity(block, this.params, this.merkleRoot);
    if (isNullHash(block.header.prevHash)) throw new ValidationError('bad-genesis', `block ${hashToHex(hash)} is the genesis of another chain`, 100);
    const parent = await this.getIndex(block.header.prevHash);
    if (!parent) return { result: { status: 'orphan', hash, connected: [], disconnected: [] } };
    if (isFailed(parent)) throw this.reject(key, new ValidationError('bad-prevblk', `block ${hashToHex(hash)} builds on an invalid block`, 100));

    const height = parent.height + 1;
    const ctx = await this.tree.childContext(parent);
    try {
      checkBlockContext(block, { height, expectedBits: ctx.bits, medianTimePast: ctx.medianTimePast, now: this.now() }, this.params);
    } catch (e) {
      // Too far in the future is only "not yet": the same block may be fine later.
      if (e instanceof ValidationError && e.code !== 'time-too-new') this.reject(key, e);
      throw e;
    }
    const entry: BlockIndexEntry = { hash, height, work: parent.work + workFromBits(block.header.bits), header: block.header, status: 'stored' };
    const bytes = serializeBlock(block);

    if (entry.work <= tip.work) {
      await this.store.write(new WriteBatch().put(blockKey(hash), bytes).put(indexKey(hash), serializeIndexEntry(entry)).ops);
      this.tree.remember(entry);
      return { result: { status: 'side', hash, height, connected: [], disconnected: [] } };
    }

    if (bytesEqual(parent.hash, tip.hash)) {
      let written: { durable: Durable };
      try {
        written = await this.connectTip(block, entry, txids, new WriteBatch().put(blockKey(hash), bytes));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const err = asBlockError(e);
        await this.markFailed([entry]);
        throw this.reject(key, err);
      }
      return { result: { status: 'connected', hash, height, connected: [block], disconnected: [] }, durable: written.durable };
    }

    // A heavier branch: check it does not descend from a known-bad block before storing anything.
    const branch = await this.tree.branchFrom(parent);
    if (branch.some(isFailed)) throw this.reject(key, new ValidationError('bad-prevblk', `block ${hashToHex(hash)} descends from an invalid block`, 100));
    // "best" names the target and the tip we leave, so a crash mid-way resumes (or rolls back) on open.
    await this.store.write(new WriteBatch()
      .put(blockKey(hash), bytes).put(indexKey(hash), serializeIndexEntry(entry)).put(metaKey('best'), concatBytes(hash, tip.hash)).ops);
    this.tree.remember(entry);
    return { result: await this.activate(entry, [...branch, entry]) };
  }

  /**
   * Makes `target` the tip: disconnect back to the fork point, then connect the
   * branch block by block. If a branch block breaks a rule it is marked failed,
   * and the chain settles on whichever has more work: the valid part of the
   * branch, or the chain we started from (restored from its stored blocks).
   */
  private async activate(target: BlockIndexEntry, branch?: BlockIndexEntry[], startTip: BlockIndexEntry = this.requireTip()): Promise<ProcessResult> {
    const before = this.requireTip();
    const step = await this.reorgTo(target, branch);
    if (!step.failure) {
      await this.store.write([{ type: 'del', key: metaKey('best') }]);
      this.emitSafely('tip', this.tip!);
      return { status: step.disconnected.length > 0 ? 'reorg' : 'connected', hash: target.hash, height: target.height, ...step };
    }
    const { entry, err } = step.failure;
    if (this.tip!.work <= startTip.work && !bytesEqual(this.tip!.hash, startTip.hash)) {
      const back = await this.reorgTo(startTip);
      if (back.failure) throw new StorageError('db-corrupt', `block ${hashToHex(back.failure.entry.hash)} was valid before and is not now: ${back.failure.err.message}`);
    }
    await this.store.write([{ type: 'del', key: metaKey('best') }]);
    const change = await this.changeBetween(before, this.tip!);
    if (change.tipChanged) this.emitSafely('tip', this.tip!);
    throw new ValidationError(err.code, `block ${hashToHex(entry.hash)} at height ${entry.height}: ${err.message}`, err.banScore, { ...err.meta, ...change });
  }

  /** One pass toward `target`; stops at the first invalid block, which it marks. */
  private async reorgTo(target: BlockIndexEntry, branch?: BlockIndexEntry[]): Promise<{
    connected: Block[]; disconnected: Block[]; failure?: { entry: BlockIndexEntry; err: ValidationError };
  }> {
    const path = branch ?? await this.tree.branchFrom(target);
    const fork = path.length > 0 ? await this.tree.must(path[0]!.header.prevHash) : target;
    const disconnected: Block[] = [];
    while (!bytesEqual(this.tip!.hash, fork.hash)) disconnected.push(await this.disconnectTip());
    const connected: Block[] = [];
    for (let i = 0; i < path.length; i++) {
      // The cache holds the freshest status (a block connected once is 'valid').
      const e = (await this.tree.get(path[i]!.hash)) ?? path[i]!;
      const block = await this.mustGetBlock(e.hash);
      try {
        await (await this.connectTip(block, e, blockTxids(block), new WriteBatch())).durable;
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const blockErr = asBlockError(err);
        await this.markFailed(path.slice(i));
        this.rejected.set(toHex(e.hash), blockErr);
        return { connected, disconnected, failure: { entry: e, err: blockErr } };
      }
      connected.push(block);
    }
    return { connected, disconnected };
  }

  /** The net main-chain change from tip `from` to tip `to` (both still in the index). */
  private async changeBetween(from: BlockIndexEntry, to: BlockIndexEntry): Promise<ChainChange> {
    if (bytesEqual(from.hash, to.hash)) return { tipChanged: false, connected: [], disconnected: [] };
    const left: BlockIndexEntry[] = [];
    const right: BlockIndexEntry[] = [];
    let a = from;
    let b = to;
    while (!bytesEqual(a.hash, b.hash)) {
      if (a.height >= b.height) { left.push(a); a = await this.tree.must(a.header.prevHash); }
      else { right.push(b); b = await this.tree.must(b.header.prevHash); }
    }
    const blocks = (es: BlockIndexEntry[]): Promise<Block[]> => Promise.all(es.map((e) => this.mustGetBlock(e.hash)));
    return { tipChanged: true, disconnected: await blocks(left), connected: await blocks(right.reverse()) };
  }

  private async markFailed(entries: BlockIndexEntry[]): Promise<void> {
    const batch = new WriteBatch();
    entries.forEach((e, i) => {
      const failed: BlockIndexEntry = { ...e, status: i === 0 ? 'failed' : 'failed-child' };
      batch.put(indexKey(e.hash), serializeIndexEntry(failed));
      this.tree.remember(failed);
    });
    await this.store.write(batch.ops);
  }

  private reject(key: string, err: ValidationError): ValidationError {
    this.rejected.set(key, err);
    return err;
  }

  /**
   * Connects `block` (whose parent is the tip) in one batch together with
   * whatever `batch` holds. The chain moves on at once; `durable` settles when
   * the batch is on disk (the caller must await it).
   */
  private async connectTip(block: Block, entry: BlockIndexEntry, txids: Uint8Array[], batch: WriteBatch): Promise<{ durable: Durable }> {
    await this.store.room(MAX_UNWRITTEN - 1);
    const started = performance.now();
    const checked = await checkConnect(this.utxo, block, txids, entry.height, this.params);
    // A block connected once is valid on its parent's UTXO state, which is always the same state.
    // The signatures are verified (on the pool's threads) while this thread builds the batch.
    const verifying = entry.status === 'valid' ? null : (async () => this.verifySigs(checked.sigChecks))();
    verifying?.catch(() => undefined);
    writeConnect(batch, checked, entry.hash);
    if (verifying) await verifying;
    const valid: BlockIndexEntry = { ...entry, status: 'valid' };
    batch.put(indexKey(entry.hash), serializeIndexEntry(valid)).put(heightKey(entry.height), entry.hash).put(metaKey('tip'), entry.hash);
    const durable = Object.assign(this.store.writeBehind(batch.ops), { entry: valid });
    // The caller awaits it; meanwhile a failure must not count as unhandled (the store announces it).
    durable.catch(() => undefined);
    this.tip = valid;
    this.tree.remember(valid);
    this.tree.setMain(entry.height, entry.hash);
    this.emitSafely('connect', block, entry.height, performance.now() - started);
    return { durable };
  }

  private async disconnectTip(): Promise<Block> {
    const tip = this.requireTip();
    if (tip.height <= this.params.genesisHeight) throw new PubchainError('genesis-disconnect', 'the genesis block cannot be disconnected');
    const block = await this.mustGetBlock(tip.hash);
    const undoBytes = await this.store.get(undoKey(tip.hash));
    if (!undoBytes) throw new StorageError('db-corrupt', `undo data of block ${hashToHex(tip.hash)} is missing`);
    const parent = await this.tree.must(tip.header.prevHash);
    const batch = new WriteBatch();
    planDisconnect(batch, block, tip.hash, blockTxids(block), parseUndo(undoBytes));
    batch.del(heightKey(tip.height)).put(metaKey('tip'), parent.hash);
    await this.store.write(batch.ops);
    this.tip = parent;
    this.tree.unsetMain(tip.height);
    this.emitSafely('disconnect', block, tip.height);
    return block;
  }

  /** Rebuilds the UTXO set, address index and undo data from the stored main-chain blocks. */
  reindexUtxo(): Promise<void> {
    return this.queue.run(() => this.rebuildUtxo());
  }

  private async rebuildUtxo(): Promise<void> {
    this.checkOpen();
    const tip = this.requireTip();
    const wipe = new WriteBatch().put(metaKey('reindex'), Uint8Array.of(1));
    for (const p of [PREFIX.coin, PREFIX.address, PREFIX.undo]) wipe.delRange(prefixOf(p), prefixOf(p + 1));
    await this.store.write(wipe.ops);
    for (let height = this.params.genesisHeight; height <= tip.height; height++) {
      const [hash] = await this.tree.hashesAt([height]);
      const block = await this.mustGetBlock(hash!);
      const batch = new WriteBatch();
      await planConnect(this.utxo, batch, block, hash!, blockTxids(block), height, this.params);
      await this.store.write(batch.ops);
    }
    await this.store.write([{ type: 'del', key: metaKey('reindex') }]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.idle();
    this.closed = true;
    await this.store.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new PubchainError('chain-closed', 'the chain is closed');
  }

  /** A listener's bug must not abort a state change that is already committed. */
  private emitSafely(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      process.emitWarning(`a chain '${event}' listener threw: ${(e as Error).message}`);
    }
  }
}

/** A connected block's batch on its way to disk, and the tip it makes. */
type Durable = Promise<void> & { entry: BlockIndexEntry };

/** Inside a block an unknown input is not "missing context" but an invalid block. */
function asBlockError(e: ValidationError): ValidationError {
  if (e.code === 'missing-inputs') return new ValidationError('bad-txns-inputs-missingorspent', e.message, 100, e.meta);
  return e;
}
