// The chain state: stored blocks, the block index, the main chain and its UTXO
// set. The Chain decides; ChainStore (chainStore.ts) holds the key layout and
// builds the batches. Every state change is one atomic batch, so whatever
// moment the process dies at, the tip and the UTXO set on disk agree. A
// connected block's batch is written behind: the next block is validated
// while it is written, but neither processBlock nor the 'tip' event reports a
// block before its batch is durable. Blocks are pipelined (pipeline.ts): while
// block N's signatures verify, blocks N+1 and N+2 are checked against the UTXO
// set as the blocks before them leave it (in memory) and their own signatures
// are posted; each is written, and the chain moves to it, only after the one
// before has connected. Reorganisation lives in reorg.ts, opening and crash
// recovery in recovery.ts.
import type { Block } from '../core/block.js';
import { bytesEqual, bytesKey, hashToHex } from '../core/bytes.js';
import { PubchainError, ValidationError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import type { MerkleRootFn } from '../core/merkle.js';
import { NetworkParams } from '../core/params.js';
import { workFromBits } from '../core/pow.js';
import { NULL_HASH } from '../core/tx.js';
import { BlockSanity, checkBlockContext, checkBlockSanity, verifySigChecks } from '../core/validate.js';
import { verifyFast } from '../crypto/keys.js';
import { batchHashersWasm } from '../wasm/hashBatch.js';
import { merkleRoot as merkleRootWasm } from '../wasm/merkle.js';
import { KeyValueStore, WriteBatch } from '../storage/kvStore.js';
import { AssumeValid } from './assumeValid.js';
import { BlockIndexEntry, isFailed } from './blockIndex.js';
import type { ChainHost, Durable } from './chainHost.js';
import { ChainReads } from './chainReads.js';
import { ChainOptions, ProcessResult } from './chainTypes.js';
import { FilterIndex } from './filterIndex.js';
import { checkGenesis } from './genesis.js';
import { loadChain, rebuildUtxo } from './recovery.js';
import { activate, asBlockError, markFailed } from './reorg.js';
import { Accepted, ConnectPipeline } from './pipeline.js';
import { commitConnect, ConnectSteps, Prepared, prepareConnect } from './tipConnect.js';

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

/** A queue job's answer: at once, or once the block's signatures are verified (`later`, after the job has returned). */
type Staged = Accepted | { later: Promise<Accepted> };

/** Reads (the block index, blocks, coins, locators) are inherited from ChainReads (chainReads.ts). */
export class Chain extends ChainReads {
  private readonly merkleRoot: MerkleRootFn;
  private readonly now: () => number;
  private closed = false;
  /** Blocks prepared ahead of the tip, connecting in order once their signatures pass (the work queue jobs leave behind). */
  private readonly pipeline: ConnectPipeline;
  /** The view of this chain that reorg.ts and recovery.ts work on. */
  private readonly host: ChainHost;
  /** The two steps of connecting a block on the tip (tipConnect.ts). */
  private readonly steps: ConnectSteps;
  /** BIP157/158 block filters (--blockfilterindex); null when off. */
  readonly filterIndex: FilterIndex | null;

  private constructor(store: KeyValueStore, params: NetworkParams, opts: ChainOptions) {
    super(store, params, opts.cacheSize ?? 20_000);
    this.filterIndex = opts.blockFilters ? new FilterIndex(this.db, this.tree) : null;
    this.merkleRoot = opts.merkleRoot ?? merkleRootWasm;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.host = this.makeHost(opts);
    this.steps = {
      host: this.host,
      verifySigs: opts.verifySigs ?? ((checks) => verifySigChecks(checks, verifyFast)),
      assumeValid: new AssumeValid(opts.assumeValid ?? null, this.tree),
      filterIndex: this.filterIndex,
    };
    this.pipeline = new ConnectPipeline(this.steps, this.queue, (e, entry, key) => this.failed(e, entry, key));
  }

  private makeHost(opts: ChainOptions): ChainHost {
    const chain = this;
    return {
      params: this.params,
      db: this.db,
      tree: this.tree,
      hashers: opts.batchHashers ?? batchHashersWasm,
      get tip() { return chain.tip; },
      set tip(e) { chain.tip = e; },
      get genesisHash() { return chain.genesisHash; },
      set genesisHash(h) { chain.genesisHash = h; },
      requireTip: () => this.requireTip(),
      mustGetBlock: (hash) => this.mustGetBlock(hash),
      connectTip: (block, entry, txids, head) => this.connectTip(block, entry, txids, head),
      reject: (hash, err) => this.reject(bytesKey(hash), err),
      emit: (event, ...args) => this.emitSafely(event, ...args),
    };
  }

  /** The chain takes ownership of `store`: close() closes it, and so does a failed open. */
  static async open(store: KeyValueStore, params: NetworkParams, opts: ChainOptions = {}): Promise<Chain> {
    const chain = new Chain(store, params, opts);
    try {
      await loadChain(chain.host);
      await chain.filterIndex?.catchUp(chain.host);
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return chain;
  }

  // ---- writes --------------------------------------------------------------

  initGenesis(block: Block): Promise<void> {
    return this.queue.run(async () => {
      this.checkOpen();
      if (this.tip) throw new PubchainError('chain-exists', `a blockchain already exists here (genesis ${hashToHex(this.genesisHash ?? this.tip.hash)})`);
      const { hash, txids, bytes, entry } = checkGenesis(block, this.params, this.merkleRoot, this.now());
      const head = this.db.genesisBatch(hash, bytes, this.params.name);
      await (await this.connectTip(block, entry, txids, head)).durable;
      this.genesisHash = hash;
      this.emitSafely('tip', this.tip!);
    });
  }

  /**
   * Blocks are validated one at a time, in arrival order; a connected block's
   * result (and its 'tip' event) waits until its batch is durable, while the
   * next block is already being validated. The checks that need no chain
   * state run before a block joins the queue, so they overlap the block ahead
   * of it (whose signatures are being verified on other threads); a child of
   * the blocks prepared ahead goes further (acceptOnAhead).
   */
  async processBlock(block: Block): Promise<ProcessResult> {
    this.checkOpen();
    this.requireTip();
    const headerId = headerHash(block.header);
    const known = this.rejected.get(bytesKey(headerId));
    if (known) throw known;
    // A block already in the index is answered from it without being hashed through.
    const sane = this.tree.isKnown(headerId) ? null : checkBlockSanity(block, this.params, this.merkleRoot, this.host.hashers);
    const staged = await this.queue.run(() => this.acceptBlock(block, headerId, sane), { overlap: true });
    const { result, durable } = 'later' in staged ? await staged.later : staged;
    if (durable) {
      await durable;
      this.emitSafely('tip', durable.entry);
    }
    return result;
  }

  private async acceptBlock(block: Block, headerId: Uint8Array, sane: BlockSanity | null): Promise<Staged> {
    if (sane && this.pipeline.lastIs(block.header.prevHash)) {
      const staged = await this.acceptOnAhead(block, headerId, sane);
      if (staged) return staged;
    }
    await this.queue.settled();
    return this.acceptNow(block, headerId, sane);
  }

  /**
   * A child of the last block prepared ahead, checked on the UTXO view those blocks leave in
   * memory and its signatures posted; nothing written or remembered before they connect. The
   * job returns then, so the next block is prepared while these verify. Null if a check failed
   * or a block ahead did: then acceptNow takes it again (now, or once they have settled).
   */
  private async acceptOnAhead(block: Block, headerId: Uint8Array, sane: BlockSanity): Promise<Staged | null> {
    this.checkOpen();
    const key = bytesKey(headerId);
    if (this.rejected.has(key)) return null;
    await this.pipeline.room();
    if (!this.pipeline.lastIs(block.header.prevHash)) return null;
    let p: Prepared;
    try {
      const { entries, checked } = this.pipeline.pending();
      const parent = entries[entries.length - 1]!, height = parent.height + 1, ctx = await this.tree.childContext(parent, entries);
      checkBlockContext(block, { height, expectedBits: ctx.bits, medianTimePast: ctx.medianTimePast, now: this.now() }, this.params);
      const entry: BlockIndexEntry = { hash: sane.hash, height, work: parent.work + workFromBits(block.header.bits), header: block.header, status: 'stored' };
      p = await prepareConnect(this.steps, block, entry, sane.txids, this.db.blockBatch(sane.hash, sane.bytes), checked);
    } catch {
      return null;
    }
    const later = this.pipeline.push(p, key, this.tip, () => this.retake(block, headerId, sane));
    return later ? { later } : null;
  }

  /** A block prepared ahead whose predecessor did not connect, taken again from the start. */
  private async retake(block: Block, headerId: Uint8Array, sane: BlockSanity): Promise<Accepted> {
    const staged = await this.queue.run(() => this.acceptNow(block, headerId, sane));
    return 'later' in staged ? staged.later : staged;
  }

  private async acceptNow(block: Block, headerId: Uint8Array, sane: BlockSanity | null): Promise<Staged> {
    this.checkOpen();
    const tip = this.requireTip();
    // A hash is only ever remembered as invalid after its transactions matched its
    // Merkle root, so the header alone identifies a known-bad block: no need to re-hash it all.
    const key = bytesKey(headerId);
    const known = this.rejected.get(key);
    if (known) throw known;
    const existing = await this.getIndex(headerId);
    if (existing) {
      if (isFailed(existing)) throw new ValidationError('duplicate-invalid', `block ${hashToHex(headerId)} is known to be invalid`, 100);
      return { result: { status: 'duplicate', hash: headerId, height: existing.height, connected: [], disconnected: [] } };
    }
    const { hash, txids, bytes } = sane ?? checkBlockSanity(block, this.params, this.merkleRoot, this.host.hashers);
    if (bytesEqual(block.header.prevHash, NULL_HASH)) throw new ValidationError('bad-genesis', `block ${hashToHex(hash)} is the genesis of another chain`, 100);
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

    if (entry.work <= tip.work) {
      await this.db.storeSide(entry, bytes);
      this.tree.remember(entry);
      return { result: { status: 'side', hash, height, connected: [], disconnected: [] } };
    }

    if (bytesEqual(parent.hash, tip.hash)) {
      let p: Prepared;
      try {
        p = await prepareConnect(this.steps, block, entry, txids, this.db.blockBatch(hash, bytes));
      } catch (e) {
        throw await this.failed(e, entry, key);
      }
      // Nothing is prepared ahead (this job waited for it to settle): `p`'s parent is the tip.
      const retake = (): Promise<Accepted> => this.retake(block, headerId, { hash, txids, bytes });
      return { later: this.pipeline.push(p, key, tip, retake) ?? retake() };
    }

    // A heavier branch: check it does not descend from a known-bad block before storing anything.
    const branch = await this.tree.branchFrom(parent);
    if (branch.some(isFailed)) throw this.reject(key, new ValidationError('bad-prevblk', `block ${hashToHex(hash)} descends from an invalid block`, 100));
    // "best" names the target and the tip we leave, so a crash mid-way resumes (or rolls back) on open.
    await this.db.storeReorgTarget(entry, bytes, tip.hash);
    this.tree.remember(entry);
    return { result: await activate(this.host, entry, [...branch, entry]) };
  }

  /** A block that failed to connect on the tip: invalid (marked so, remembered) or not (a storage failure, passed on). */
  private async failed(e: unknown, entry: BlockIndexEntry, key: string): Promise<unknown> {
    if (!(e instanceof ValidationError)) return e;
    const err = asBlockError(e);
    await markFailed(this.host, [entry]);
    return this.reject(key, err);
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
  private async connectTip(block: Block, entry: BlockIndexEntry, txids: Uint8Array[], head = new WriteBatch()): Promise<{ durable: Durable }> {
    return commitConnect(this.steps, await prepareConnect(this.steps, block, entry, txids, head));
  }

  /** Initial sync: later blocks stop writing the address index; reads scan the coins meanwhile (addressIndex.ts). */
  deferAddressIndex(): Promise<void> {
    return this.queue.run(async () => { this.checkOpen(); await this.db.addressIndex.defer(this.tip?.height ?? 0); });
  }

  /** Builds the address index from the coins, one queued step at a time (blocks connect between steps); then blocks keep it. */
  async buildAddressIndex(stepCoins?: number): Promise<void> {
    for (let first = true; ; first = false) {
      if (await this.queue.run(() => { this.checkOpen(); return this.db.addressIndex.buildStep(first, stepCoins); })) return;
    }
  }

  /** Rebuilds the UTXO set, address index and undo data from the stored main-chain blocks. */
  reindexUtxo(): Promise<void> {
    return this.queue.run(async () => { this.checkOpen(); await rebuildUtxo(this.host); });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.idle();
    this.closed = true;
    await this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new PubchainError('chain-closed', 'the chain is closed');
  }
}
