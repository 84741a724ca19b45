// Unconfirmed transactions, valid as a set on top of the chain tip: each input
// spends a UTXO or an output of another pool transaction, no two spend the
// same outpoint. Bounded in bytes; the lowest fee rate leaves first, with its
// descendants (they cannot be mined without it).
import { Block } from '../core/block.js';
import { hashToHex, toHex } from '../core/bytes.js';
import { Coin } from '../core/coin.js';
import { ValidationError } from '../core/errors.js';
import { isCoinbase, outpointKey, Tx, txid as txidOf, txSize } from '../core/tx.js';
import { checkTxInputs, checkTxSanity, verifySigChecks } from '../core/validate.js';
import { verifyFast } from '../crypto/keys.js';
import type { Chain } from '../chain/chain.js';
import type { SigBatchVerifier } from '../crypto/verifier.js';
import { SerialQueue } from '../chain/serialQueue.js';
import { Outpoint } from '../chain/utxoSet.js';
import { Candidate, selectCandidates } from './txSelection.js';

export const DEFAULT_MEMPOOL_BYTES = 32 * 1024 * 1024;
/** An accept restarts when the pool changed under it; this bounds the restarts. */
const MAX_ACCEPT_ATTEMPTS = 5;
const MAX_READD_PASSES = 50;

export interface MempoolOptions {
  maxBytes?: number;
  verifySigs?: SigBatchVerifier;
}

interface Entry extends Candidate {
  tx: Tx;
  txid: Uint8Array;
  fee: number;
  /** Unix ms it entered the pool (RPC getmempoolentry's `time`). */
  time: number;
}

const keyOf = (id: Uint8Array): string => toHex(id);

export class Mempool {
  private readonly entries = new Map<string, Entry>();
  /** outpointKey → key of the pool transaction spending it. */
  private readonly spentBy = new Map<string, string>();
  private totalBytes = 0;
  private seq = 0;
  /** Bumped on every removal, so an accept that awaited can tell its reads may be stale. */
  private version = 0;
  private readonly queue = new SerialQueue();
  readonly maxBytes: number;
  private readonly verifySigs: SigBatchVerifier;

  constructor(private readonly chain: Chain, opts: MempoolOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MEMPOOL_BYTES;
    this.verifySigs = opts.verifySigs ?? ((checks) => verifySigChecks(checks, verifyFast));
  }

  get size(): number { return this.entries.size; }
  get bytes(): number { return this.totalBytes; }
  has(txid: Uint8Array): boolean { return this.entries.has(keyOf(txid)); }
  get(txid: Uint8Array): Tx | undefined { return this.entries.get(keyOf(txid))?.tx; }
  /** In acceptance order (parents before children). */
  txids(): Uint8Array[] { return [...this.entries.values()].map((e) => e.txid); }
  feeOf(tx: Tx): number | undefined { return this.entries.get(keyOf(txidOf(tx)))?.fee; }
  /** Unix ms the transaction entered the pool. */
  entryTime(txid: Uint8Array): number | undefined { return this.entries.get(keyOf(txid))?.time; }
  /** True when a pool transaction spends this outpoint: a wallet must not pick it again. */
  isSpent(outpoint: string): boolean { return this.spentBy.has(outpoint); }

  accept(tx: Tx): Promise<{ txid: Uint8Array; fee: number }> {
    return this.queue.run(() => this.acceptNow(tx));
  }

  private async acceptNow(tx: Tx): Promise<{ txid: Uint8Array; fee: number }> {
    checkTxSanity(tx, this.chain.params);
    if (isCoinbase(tx)) throw new ValidationError('coinbase', 'a coinbase transaction is only valid inside a block', 100);
    const id = txidOf(tx);
    const key = keyOf(id);
    const size = txSize(tx);
    if (size > this.maxBytes) throw new ValidationError('mempool-full', `transaction of ${size} bytes is larger than the whole mempool`, 0);
    for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      const result = await this.chain.exclusive(() => this.tryAccept(tx, id, key, size));
      if (result) return result;
    }
    throw new ValidationError('mempool-busy', 'the mempool kept changing while this transaction was checked; send it again', 0);
  }

  /** Null when the pool changed while we awaited: the caller starts over. */
  private async tryAccept(tx: Tx, id: Uint8Array, key: string, size: number): Promise<{ txid: Uint8Array; fee: number } | null> {
    const version = this.version;
    this.checkNotInPool(tx, key);
    const tip = this.chain.tip;
    if (!tip) throw new ValidationError('no-chain', 'there is no blockchain to check the transaction against', 0);
    if ((await this.chain.utxo.fetch(tx.outputs.map((_, vout) => ({ txid: id, vout })))).size > 0) {
      throw new ValidationError('txn-already-known', `transaction ${hashToHex(id)} is already in the chain`, 0);
    }
    const view = new Map<string, Coin>();
    const fromChain: Outpoint[] = [];
    for (const input of tx.inputs) {
      const parent = this.entries.get(keyOf(input.prevTxid));
      const out = parent?.tx.outputs[input.vout];
      if (out) view.set(outpointKey(input.prevTxid, input.vout), { value: out.value, pubKeyHash: out.pubKeyHash, height: tip.height + 1, coinbase: false });
      else if (!parent) fromChain.push({ txid: input.prevTxid, vout: input.vout });
    }
    for (const [k, coin] of await this.chain.utxo.fetch(fromChain)) view.set(k, coin);
    const checked = checkTxInputs(tx, { get: (k) => view.get(k) });
    await this.verifySigs(checked.sigChecks, { priority: 'mempool' });
    if (this.version !== version) return null;
    this.checkNotInPool(tx, key);
    this.insert(tx, id, key, size, checked.fee);
    this.evictToFit();
    if (!this.entries.has(key)) throw new ValidationError('mempool-full', `the mempool is full and transaction ${hashToHex(id)} pays too low a fee rate`, 0);
    return { txid: id, fee: checked.fee };
  }

  private checkNotInPool(tx: Tx, key: string): void {
    if (this.entries.has(key)) throw new ValidationError('txn-already-in-mempool', `transaction ${hashToHex(this.entries.get(key)!.txid)} is already in the mempool`, 0);
    for (const input of tx.inputs) {
      const other = this.spentBy.get(outpointKey(input.prevTxid, input.vout));
      if (other !== undefined) {
        throw new ValidationError('txn-mempool-conflict', `input ${hashToHex(input.prevTxid)}:${input.vout} is already spent by mempool transaction ${hashToHex(this.entries.get(other)!.txid)}`, 0);
      }
    }
  }

  private insert(tx: Tx, id: Uint8Array, key: string, size: number, fee: number): void {
    const entry: Entry = { tx, txid: id, key, fee, size, feeRate: fee / size, seq: this.seq++, parents: new Set(), children: new Set(), time: Date.now() };
    for (const input of tx.inputs) {
      this.spentBy.set(outpointKey(input.prevTxid, input.vout), key);
      const parent = this.entries.get(keyOf(input.prevTxid));
      if (parent) { entry.parents.add(parent.key); parent.children.add(key); }
    }
    // A pool transaction may already spend this one's outputs (re-added after a reorg).
    tx.outputs.forEach((_, vout) => {
      const child = this.spentBy.get(outpointKey(id, vout));
      if (child !== undefined && child !== key) { entry.children.add(child); this.entries.get(child)!.parents.add(key); }
    });
    this.entries.set(key, entry);
    this.totalBytes += size;
  }

  /** Removes one transaction; its children stay (their input is then confirmed, or they are removed by the caller). */
  private removeOne(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.totalBytes -= e.size;
    this.version++;
    for (const input of e.tx.inputs) {
      const k = outpointKey(input.prevTxid, input.vout);
      if (this.spentBy.get(k) === key) this.spentBy.delete(k);
    }
    for (const p of e.parents) this.entries.get(p)?.children.delete(key);
    for (const c of e.children) this.entries.get(c)?.parents.delete(key);
  }

  private removeWithDescendants(key: string): void {
    const stack = [key];
    const doomed = new Set<string>();
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (doomed.has(k)) continue;
      doomed.add(k);
      for (const c of this.entries.get(k)?.children ?? []) stack.push(c);
    }
    for (const k of doomed) this.removeOne(k);
  }

  private evictToFit(): void {
    while (this.totalBytes > this.maxBytes && this.entries.size > 0) {
      let worst: Entry | null = null;
      for (const e of this.entries.values()) {
        // The newest of equal fee rates goes first: it was the last to ask for room.
        if (!worst || e.feeRate < worst.feeRate || (e.feeRate === worst.feeRate && e.seq > worst.seq)) worst = e;
      }
      this.removeWithDescendants(worst!.key);
    }
  }

  /** Transactions for a block template, parents before children, sizes summing to at most `maxBytes`. */
  selectForBlock(maxBytes: number): Tx[] {
    return this.selectEntriesForBlock(maxBytes).map((e) => e.tx);
  }

  /** selectForBlock with what a block template needs of each transaction. */
  selectEntriesForBlock(maxBytes: number): Array<{ tx: Tx; txid: Uint8Array; fee: number; size: number }> {
    return selectCandidates(this.entries, maxBytes).map((k) => {
      const e = this.entries.get(k)!;
      return { tx: e.tx, txid: e.txid, fee: e.fee, size: e.size };
    });
  }

  /** After `block` joined the main chain: drop what it included and whatever now conflicts with it. */
  removeForBlock(block: Block): void {
    const spends: string[] = [];
    block.txs.forEach((tx, i) => {
      if (i === 0) return;
      this.removeOne(keyOf(txidOf(tx)));
      for (const input of tx.inputs) spends.push(outpointKey(input.prevTxid, input.vout));
    });
    for (const k of spends) {
      const other = this.spentBy.get(k);
      if (other !== undefined) this.removeWithDescendants(other);
    }
  }

  /**
   * After a reorganisation (and removeForBlock for the blocks connected): give
   * the disconnected blocks' transactions back to the pool when still valid, in
   * any order, and drop pool transactions whose inputs the reorg took away.
   */
  readdDisconnected(txs: Tx[]): Promise<void> {
    return this.queue.run(async () => {
      let pending = txs.filter((tx) => !isCoinbase(tx));
      // Children may come before their parents (blocks are given tip first): retry those.
      for (let pass = 0; pass < MAX_READD_PASSES && pending.length > 0; pass++) {
        const retry: Tx[] = [];
        for (const tx of pending) {
          try {
            await this.acceptNow(tx);
          } catch (e) {
            if (e instanceof ValidationError && e.code === 'missing-inputs') retry.push(tx);
          }
        }
        if (retry.length === pending.length) break;
        pending = retry;
      }
      await this.chain.exclusive(() => this.dropUnfunded());
    });
  }

  /** Removes pool transactions spending an output that is neither in the pool nor unspent in the chain. */
  private async dropUnfunded(): Promise<void> {
    const needed: Outpoint[] = [];
    const needers: string[] = [];
    for (const e of this.entries.values()) {
      for (const input of e.tx.inputs) {
        const parent = this.entries.get(keyOf(input.prevTxid));
        if (parent) continue;
        needed.push({ txid: input.prevTxid, vout: input.vout });
        needers.push(e.key);
      }
    }
    const found = await this.chain.utxo.fetch(needed);
    needed.forEach((o, i) => {
      if (!found.has(outpointKey(o.txid, o.vout))) this.removeWithDescendants(needers[i]!);
    });
  }
}
