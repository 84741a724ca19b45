// The light wallet's own coins (startnode --spv): the sink the light sync hands
// every block of its best header chain to, in order (src/node/spv/lightChain.ts).
// A block with a body adds the outputs paying a watched pubKeyHash and removes
// the wallet coins its inputs spend; what it did is kept as undo, so a
// disconnect restores exactly the state before it. Every block's changes and
// the "last applied" marker go in ONE batch: after a crash at any moment the
// coins on disk are those of the marker's block. A header-only block changes
// no coin: only the marker moves, and those moves are batched (a crash replays
// a few of them, which is harmless).
//
// Pending spends: a transaction this wallet sent that no block holds yet
// marks its inputs spent and its outputs to the wallet spendable at 0
// confirmations, until a block confirms it (or spends one of its inputs
// otherwise), or PENDING_EXPIRY_S passes. As on a full node, there is no
// coinbase maturity rule: a coinbase output is spendable from its block on.
import { bytesEqual, hashToHex, toHex } from '../core/bytes.js';
import type { Block } from '../core/block.js';
import { parseCoin } from '../core/coin.js';
import type { BlockHeader } from '../core/header.js';
import { outpointKey, Tx, txid } from '../core/tx.js';
import { WriteBatch, type KeyValueStore } from '../storage/kvStore.js';
import {
  lightHeightKey, lightWalletRange, lightMarkerKey, lightPendingKey, lightPointValue, lightUndoKey,
  parseLightCoinKey, parseLightPointValue,
} from '../storage/layout.js';
import { applyBlockBody, LightState, revertBlockBody } from './lightApply.js';
import { LightCoin, parseLightUndo, parsePending, PendingTx, serializeLightUndo, serializePending } from './lightRecords.js';
import { PENDING_EXPIRY_S } from './pendingSpends.js';
import type { SpendableCoin } from './transfers.js';
import { LightCoinsError } from './walletErrors.js';

export { LightCoinsError } from './walletErrors.js';

export interface AppliedPoint { height: number; hash: Uint8Array }
export interface AppliedBlock extends AppliedPoint { header: BlockHeader; block: Block | null }

/** Header-only marker moves held back before one batch writes them. */
const MARKER_BATCH = 500;
const MARKER_FLUSH_MS = 1000;

const nowS = (): number => Math.floor(Date.now() / 1000);

export class LightCoins {
  private marker: AppliedPoint | null;
  private readonly coins = new Map<string, LightCoin>();
  /** By hex txid, in the order they were sent. */
  private readonly pending = new Map<string, PendingTx>();
  private watchSet = new Set<string>();
  private watchList: Uint8Array[] = [];
  private deferred = new WriteBatch();
  private deferredSince = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Set when a write failed after memory changed: memory is ahead of the disk, so nothing more is applied. */
  private failed: Error | null = null;

  private constructor(private readonly store: KeyValueStore, marker: AppliedPoint | null) {
    this.marker = marker;
  }

  static async open(store: KeyValueStore, watched: Uint8Array[] = []): Promise<LightCoins> {
    const m = await store.get(lightMarkerKey());
    const lc = new LightCoins(store, m ? parseLightPointValue(m) : null);
    for await (const [k, v] of store.iterate({ prefix: lightWalletRange('coin') })) {
      const { txid: id, vout } = parseLightCoinKey(k);
      lc.coins.set(outpointKey(id, vout), { txid: id, vout, coin: parseCoin(v) });
    }
    const pend: PendingTx[] = [];
    for await (const [, v] of store.iterate({ prefix: lightWalletRange('pending') })) pend.push(parsePending(v));
    for (const p of pend.sort((a, b) => a.sentAt - b.sentAt)) lc.pending.set(hashToHex(txid(p.tx)), p);
    lc.setWatched(watched);
    return lc;
  }

  // ---- the sink (LightChainSink) --------------------------------------------

  async lastApplied(): Promise<AppliedPoint | null> { return this.marker; }

  watched(): Uint8Array[] { return this.watchList; }

  /** The wallet's pubKeyHashes (its addresses can grow: getnewaddress). */
  setWatched(pkhs: Uint8Array[]): void {
    this.watchList = [...pkhs];
    this.watchSet = new Set(pkhs.map(toHex));
  }

  connect(b: AppliedBlock): Promise<void> { return this.serial(() => this.connectNow(b)); }

  disconnect(tip: AppliedPoint): Promise<void> { return this.serial(() => this.disconnectNow(tip)); }

  /** Writes held-back marker moves. */
  flush(): Promise<void> { return this.serial(() => this.flushNow()); }

  /** Writes what is held back; the store stays open (its owner, the sync, closes it). */
  close(): Promise<void> { return this.flush(); }

  // ---- what the wallet's RPC methods read -------------------------------------

  /** The last applied block: the height confirmations count from. */
  tip(): AppliedPoint | null { return this.marker; }

  /** Per owner (keyed by hashToHex(pubKeyHash), as the full node's port): confirmed coins no live pending transaction spends, then pending outputs none spends. */
  spendable(owners: Uint8Array[], now = nowS()): Map<string, SpendableCoin[]> {
    const out = new Map<string, SpendableCoin[]>();
    for (const o of owners) out.set(hashToHex(o), []);
    const live = this.livePending(now);
    const spent = new Set<string>();
    for (const p of live) for (const i of p.tx.inputs) spent.add(outpointKey(i.prevTxid, i.vout));
    // Outpoint order, as the full node's address index lists an owner's coins.
    const sorted = [...this.coins.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [key, c] of sorted) {
      if (!spent.has(key)) out.get(hashToHex(c.coin.pubKeyHash))?.push({ txid: c.txid, vout: c.vout, coin: { value: c.coin.value, pubKeyHash: c.coin.pubKeyHash, height: c.coin.height } });
    }
    for (const p of live) {
      const id = txid(p.tx);
      p.tx.outputs.forEach((o, vout) => {
        if (!spent.has(outpointKey(id, vout))) out.get(hashToHex(o.pubKeyHash))?.push({ txid: id, vout, coin: { value: o.value, pubKeyHash: o.pubKeyHash, height: 0 } });
      });
    }
    return out;
  }

  /** Confirmed coins of one pubKeyHash, pending spends ignored (as the full node's address balance). */
  confirmedBalance(pkh: Uint8Array): number {
    let total = 0;
    for (const c of this.coins.values()) if (bytesEqual(c.coin.pubKeyHash, pkh)) total += c.coin.value;
    return total;
  }

  /** Whether a coin is the wallet's and unspent by any block applied. */
  hasCoin(id: Uint8Array, vout: number): boolean { return this.coins.has(outpointKey(id, vout)); }

  /** Records a transaction the wallet is about to broadcast (on disk before it leaves). */
  addPending(tx: Tx, now = nowS()): Promise<void> {
    return this.serial(async () => {
      const id = txid(tx);
      this.pending.set(hashToHex(id), { tx, sentAt: now });
      await this.store.put(lightPendingKey(id), serializePending({ tx, sentAt: now }));
    });
  }

  /** Forgets a pending transaction (its broadcast failed). */
  dropPending(id: Uint8Array): Promise<void> {
    return this.serial(async () => {
      this.pending.delete(hashToHex(id));
      await this.store.write([{ type: 'del', key: lightPendingKey(id) }]);
    });
  }

  // ---- inside the queue ---------------------------------------------------------

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.failed) throw new LightCoinsError(`the light wallet's store failed earlier (${this.failed.message}); restart the node`);
      try { return await job(); } catch (e) {
        if (!(e instanceof LightCoinsError)) this.failed = e as Error;
        throw e;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Pending transactions that still count: not expired, each input a wallet coin or
   * another live one's output (parents first, whatever order they were stored in).
   */
  private livePending(now: number): PendingTx[] {
    const made = new Set<string>();
    const out: PendingTx[] = [];
    let left = [...this.pending.values()].filter((p) => now - p.sentAt <= PENDING_EXPIRY_S);
    for (let progress = true; progress && left.length > 0;) {
      progress = false;
      const next: PendingTx[] = [];
      for (const p of left) {
        if (p.tx.inputs.every((i) => made.has(hashToHex(i.prevTxid)) || this.coins.has(outpointKey(i.prevTxid, i.vout)))) {
          made.add(hashToHex(txid(p.tx)));
          out.push(p);
          progress = true;
        } else next.push(p);
      }
      left = next;
    }
    return out;
  }

  private state(): LightState {
    return { coins: this.coins, pending: this.pending, watchSet: this.watchSet };
  }

  private checkParent(b: AppliedBlock): void {
    const m = this.marker;
    if (m && (b.height !== m.height + 1 || !bytesEqual(b.header.prevHash, m.hash))) {
      throw new LightCoinsError(`block ${hashToHex(b.hash)} at height ${b.height} does not extend the last applied block ${hashToHex(m.hash)} (height ${m.height})`);
    }
  }

  private markerOps(batch: WriteBatch, p: AppliedPoint): void {
    batch.put(lightHeightKey(p.height), p.hash).put(lightMarkerKey(), lightPointValue(p.height, p.hash));
  }

  private async connectNow(b: AppliedBlock): Promise<void> {
    this.checkParent(b);
    const point = { height: b.height, hash: Uint8Array.from(b.hash) };
    if (!b.block) {
      this.markerOps(this.deferred, point);
      this.marker = point;
      if (this.deferred.length === 2) this.deferredSince = Date.now();
      if (this.deferred.length >= 2 * MARKER_BATCH || Date.now() - this.deferredSince >= MARKER_FLUSH_MS) await this.flushNow();
      else this.flushTimer ??= setTimeout(() => { this.flushTimer = null; this.flush().catch(() => undefined); }, MARKER_FLUSH_MS).unref();
      return;
    }
    const batch = this.takeDeferred();
    const undo = applyBlockBody(this.state(), b.block, b.height, batch);
    batch.put(lightUndoKey(b.hash), serializeLightUndo(undo));
    this.markerOps(batch, point);
    await this.store.write(batch.ops);
    this.marker = point;
  }

  private async disconnectNow(tip: AppliedPoint): Promise<void> {
    const m = this.marker;
    if (!m || m.height !== tip.height || !bytesEqual(m.hash, tip.hash)) {
      throw new LightCoinsError(`cannot disconnect ${hashToHex(tip.hash)} (height ${tip.height}): the last applied block is ${m ? `${hashToHex(m.hash)} (height ${m.height})` : 'none'}`);
    }
    await this.flushNow();
    const batch = new WriteBatch();
    const undoBytes = await this.store.get(lightUndoKey(tip.hash));
    if (undoBytes) revertBlockBody(this.state(), parseLightUndo(undoBytes), batch, nowS());
    batch.del(lightUndoKey(tip.hash)).del(lightHeightKey(tip.height));
    const parentHash = tip.height > 0 ? await this.store.get(lightHeightKey(tip.height - 1)) : null;
    const parent = parentHash ? { height: tip.height - 1, hash: Uint8Array.from(parentHash) } : null;
    if (parent) batch.put(lightMarkerKey(), lightPointValue(parent.height, parent.hash));
    else batch.del(lightMarkerKey());
    await this.store.write(batch.ops);
    this.marker = parent;
  }

  private takeDeferred(): WriteBatch {
    const b = this.deferred;
    this.deferred = new WriteBatch();
    return b;
  }

  private async flushNow(): Promise<void> {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = null; }
    if (this.deferred.length === 0) return;
    await this.store.write(this.takeDeferred().ops);
  }
}
