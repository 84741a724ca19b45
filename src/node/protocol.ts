// The node's side of the conversation with its peers: sync (getblocks → inv →
// getdata → block), relay of new blocks and transactions, and answers to
// getblocks/getdata. Every block and transaction is fully validated where it
// enters; whatever a peer sends wrong costs it ban score, never the node.
import { Block, parseBlock } from '../core/block.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { PubchainError, ValidationError } from '../core/errors.js';
import { headerHash } from '../core/header.js';
import { checkProofOfWork } from '../core/validate.js';
import { NetworkParams } from '../core/params.js';
import { parseTx, serializeTx, Tx, txid } from '../core/tx.js';
import type { BlockIndexEntry, Chain } from '../chain/chain.js';
import { OrphanPool } from '../chain/orphanPool.js';
import type { Mempool } from '../mempool/mempool.js';
import { BlockDownload } from './blockDownload.js';
import { TipLog } from './tipLog.js';
import type { Logger } from './logger.js';
import type { InvItem, ProtocolPeer } from './peerPort.js';
import { MAX_INV_ITEMS } from '../p2p/messages.js';

export const MAX_INV_ANSWER = 500;
/** Blocks read from the database per round trip when serving getdata. */
const GETDATA_READ_BATCH = 64;
/** Past this many bytes queued to a peer, serving waits for its socket to drain. */
const SEND_QUEUE_HIGH_WATER = 4 * 1024 * 1024;
const ZERO_HASH = new Uint8Array(32);
/** More inv items than this from one peer within INV_WINDOW_MS is a flood. */
const INV_FLOOD_ITEMS = 120_000;
const INV_WINDOW_MS = 10_000;

export interface ProtocolOptions {
  /** Module loggers for chain events (tips, reorgs) and the mempool; `log` when absent. */
  chainLog?: Logger;
  mempoolLog?: Logger;
  params: NetworkParams;
  chain: Chain;
  mempool: Mempool;
  log: Logger;
  /** When set, only a chain with this genesis is adopted or served. */
  genesisPin?: Uint8Array;
  stallMs?: number;
  maxInFlightPerPeer?: number;
  /** Every peer currently ready, for relay. */
  peers: () => ProtocolPeer[];
  /** Told about a connected tip and accepted transactions (the miner listens). */
  onTip?: () => void;
  onTx?: () => void;
}

interface PeerState {
  invWindowStart: number;
  invItems: number;
  /** The hash that ends the last full inv from this peer: ask for more after it. */
  continueAfter: Uint8Array | null;
  syncing: boolean;
  /** Transactions announced while we were behind this peer: fetched once we catch up, when their inputs can be checked. */
  deferredTx: Uint8Array[];
  serving: Promise<void>;
}

const hexKey = (h: Uint8Array): string => Buffer.from(h.buffer, h.byteOffset, 32).toString('hex');

export class NodeProtocol {
  private readonly download: BlockDownload;
  private readonly state = new Map<ProtocolPeer, PeerState>();
  private readonly orphans = new OrphanPool();
  /** Who sent each orphan, so it is the one penalised if the orphan proves invalid. */
  private readonly orphanSender = new WeakMap<Block, ProtocolPeer>();
  private readonly recentRejects = new Set<string>();
  private stallTimer: NodeJS.Timeout;
  private announceTimer: NodeJS.Timeout | null = null;
  private announceExcept: ProtocolPeer | null = null;
  private genesisRequested = false;
  /** The peer asked for its genesis block, and the timer that gives up on it. */
  private genesisFrom: ProtocolPeer | null = null;
  private genesisTimer: NodeJS.Timeout | null = null;
  private blockSource: ProtocolPeer | null = null;
  private disconnectedTxs: Tx[] = [];
  bestKnownHeight = 0;

  private readonly tipLog: TipLog;
  private readonly chainLog: Logger;
  private readonly mempoolLog: Logger;

  constructor(private readonly o: ProtocolOptions) {
    this.chainLog = o.chainLog ?? o.log;
    this.mempoolLog = o.mempoolLog ?? o.log;
    this.tipLog = new TipLog(this.chainLog);
    this.download = new BlockDownload({ maxInFlightPerPeer: o.maxInFlightPerPeer ?? 256, stallMs: o.stallMs ?? 15_000 });
    this.stallTimer = setInterval(() => this.checkStalls(), Math.min(2000, (o.stallMs ?? 15_000) / 2));
    this.stallTimer.unref();
    o.chain.on('connect', this.onConnect);
    o.chain.on('disconnect', this.onDisconnect);
    o.chain.on('tip', this.onTip);
  }

  close(): void {
    this.tipLog.flush();
    if (this.genesisTimer) clearTimeout(this.genesisTimer);
    clearInterval(this.stallTimer);
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.o.chain.off('connect', this.onConnect);
    this.o.chain.off('disconnect', this.onDisconnect);
    this.o.chain.off('tip', this.onTip);
  }

  get chain(): Chain { return this.o.chain; }

  /** The handshake is done: if the peer knows more work than we do, start syncing from it. */
  onPeerReady(peer: ProtocolPeer): void {
    this.state.set(peer, { invWindowStart: Date.now(), invItems: 0, continueAfter: null, syncing: false, deferredTx: [], serving: Promise.resolve() });
    this.bestKnownHeight = Math.max(this.bestKnownHeight, peer.remote.bestHeight);
    this.maybeSync(peer);
    // Pending transactions reach a miner that joins after they were sent (the tutorial's
    // miner starts late); our peers are few, so the whole pool in one inv is cheap.
    const pending = this.o.mempool.txids().slice(0, MAX_INV_ITEMS);
    if (pending.length > 0) peer.sendInv(pending.map((hash) => ({ kind: 'tx' as const, hash })));
  }

  onPeerClose(peer: ProtocolPeer): void {
    if (this.genesisFrom === peer) this.releaseGenesisRequest(peer, 'left before delivering its genesis block');
    this.state.delete(peer);
    this.download.releasePeer(peer);
    this.requestFromAnyone();
  }

  private ourWork(): bigint {
    return this.o.chain.tip?.work ?? 0n;
  }

  private maybeSync(peer: ProtocolPeer): void {
    const { chain } = this.o;
    if (!chain.tip) {
      this.adoptGenesisFrom(peer);
      return;
    }
    if (peer.remote.work > this.ourWork()) this.askForBlocks(peer);
  }

  /** A node with no chain takes the genesis of the first peer it syncs from, after checking its work. */
  private adoptGenesisFrom(peer: ProtocolPeer): void {
    const g = peer.remote.genesis;
    if (bytesEqual(g, ZERO_HASH) || this.genesisRequested) return;
    if (this.o.genesisPin && !bytesEqual(g, this.o.genesisPin)) {
      this.o.log.warn({ peer: peer.id, genesis: hashToHex(g) }, 'peer is on another chain than --genesis; not adopting it');
      return;
    }
    this.genesisRequested = true;
    this.genesisFrom = peer;
    // A peer that never delivers must not leave this node without a chain: after the stall
    // time the request goes to whichever peer is ready next.
    this.genesisTimer = setTimeout(() => this.releaseGenesisRequest(peer, 'did not deliver its genesis block'), this.o.stallMs ?? 15_000);
    this.genesisTimer.unref();
    this.o.log.info({ peer: peer.id, genesis: hashToHex(g) }, 'no chain yet: fetching the genesis block');
    peer.sendGetData([{ kind: 'block', hash: g }]);
  }

  private releaseGenesisRequest(peer: ProtocolPeer, why: string): void {
    if (this.genesisFrom !== peer) return;
    if (this.genesisTimer) clearTimeout(this.genesisTimer);
    this.genesisTimer = null;
    this.genesisFrom = null;
    if (this.o.chain.tip) return;
    this.genesisRequested = false;
    this.o.log.info({ peer: peer.id }, `peer ${why}; asking another peer`);
    for (const other of this.o.peers()) {
      if (other === peer || !this.state.has(other)) continue;
      this.adoptGenesisFrom(other);
      if (this.genesisRequested) return;
    }
  }

  private askForBlocks(peer: ProtocolPeer, after?: Uint8Array): void {
    const st = this.state.get(peer);
    if (st) st.syncing = true;
    void this.o.chain.blockLocator().then((locator) => {
      peer.sendGetBlocks(after ? [after, ...locator] : locator);
    }).catch((err: unknown) => this.o.log.error({ err }, 'could not build a block locator'));
  }

  async onGetBlocks(peer: ProtocolPeer, locator: Uint8Array[], stop: Uint8Array | undefined): Promise<void> {
    if (!this.o.chain.tip) return;
    const hashes = await this.o.chain.hashesAfterLocator(locator, MAX_INV_ANSWER, stop && !bytesEqual(stop, ZERO_HASH) ? stop : undefined);
    if (hashes.length > 0) peer.sendInv(hashes.map((hash) => ({ kind: 'block' as const, hash })));
  }

  onInv(peer: ProtocolPeer, items: InvItem[]): void {
    const st = this.state.get(peer);
    if (st) {
      const now = Date.now();
      if (now - st.invWindowStart > INV_WINDOW_MS) { st.invWindowStart = now; st.invItems = 0; }
      st.invItems += items.length;
      if (st.invItems > INV_FLOOD_ITEMS) { peer.misbehave(50, 'inv flood'); return; }
    }
    const blocks = items.filter((i) => i.kind === 'block').map((i) => i.hash);
    // No honest peer announces more blocks at once than a getblocks answer holds.
    if (blocks.length > MAX_INV_ANSWER) { peer.misbehave(20, `inv of ${blocks.length} blocks`); return; }
    const txs = items.filter((i) => i.kind === 'tx').map((i) => i.hash);
    // A database error (the node shutting down under an inv) is logged, never an unhandled rejection.
    if (blocks.length > 0) this.onBlockInv(peer, blocks).catch((err: unknown) => this.o.log.debug({ err, peer: peer.id }, 'could not handle a block inv'));
    const wantTx = txs.filter((h) => !this.o.mempool.has(h) && !this.recentRejects.has(hexKey(h)));
    if (wantTx.length === 0) return;
    const tip = this.o.chain.tip;
    if (!tip || tip.height < peer.remote.bestHeight) {
      if (st) st.deferredTx = [...st.deferredTx, ...wantTx].slice(-MAX_INV_ITEMS);
      return;
    }
    peer.sendGetData(wantTx.map((hash) => ({ kind: 'tx' as const, hash })));
  }

  private async onBlockInv(peer: ProtocolPeer, hashes: Uint8Array[]): Promise<void> {
    if (!this.o.chain.tip) return;
    const unknown: Uint8Array[] = [];
    for (const h of hashes) if (!this.download.isWanted(h) && !this.orphans.has(h) && !(await this.o.chain.hasBlock(h))) unknown.push(h);
    const st = this.state.get(peer);
    // A full answer to getblocks means there is more: ask for the next batch now,
    // so hashes keep arriving while these blocks download.
    // Only once per batch: a repeated inv must not fork a second chain of requests.
    const last = hashes[hashes.length - 1]!;
    if (hashes.length === MAX_INV_ANSWER && st?.syncing && !(st.continueAfter && bytesEqual(st.continueAfter, last))) {
      st.continueAfter = last;
      this.askForBlocks(peer, last);
    }
    if (unknown.length === 0) return;
    this.download.enqueue(unknown);
    this.requestFrom(peer);
  }

  private requestFrom(peer: ProtocolPeer): void {
    const take = this.download.take(peer, Date.now());
    if (take.length > 0) peer.sendGetData(take.map((hash) => ({ kind: 'block' as const, hash })));
  }

  private requestFromAnyone(): void {
    if (this.download.pending === 0) return;
    for (const p of this.o.peers()) this.requestFrom(p);
  }

  private checkStalls(): void {
    for (const peer of this.download.stalledPeers(Date.now())) {
      this.o.log.warn({ peer: peer.id }, 'peer stalled the block download; dropping it');
      this.download.releasePeer(peer);
      peer.disconnect('stalled block download');
    }
    this.requestFromAnyone();
  }

  /** Served one request at a time per peer, so blocks go out in the order they were asked for. */
  onGetData(peer: ProtocolPeer, items: InvItem[]): Promise<void> {
    const st = this.state.get(peer);
    if (!st) return this.serveGetData(peer, items);
    const next = st.serving.then(() => this.serveGetData(peer, items));
    st.serving = next.catch(() => undefined);
    return next;
  }

  private async serveGetData(peer: ProtocolPeer, items: InvItem[]): Promise<void> {
    const missing: InvItem[] = [];
    // Blocks are read in batches, one round trip to the database per batch, and sent in order.
    for (let i = 0; i < items.length; i += GETDATA_READ_BATCH) {
      // A peer that left needs no answer; one that reads slowly gets its blocks as it reads,
      // rather than all of them piled up in our memory.
      if (peer.closed) return;
      if (peer.sendQueueBytes > SEND_QUEUE_HIGH_WATER) await peer.drained();
      const slice = items.slice(i, i + GETDATA_READ_BATCH);
      const blockItems = slice.filter((it) => it.kind === 'block');
      const bytes = blockItems.length > 0 ? await this.o.chain.getBlocksBytes(blockItems.map((it) => it.hash)) : [];
      let b = 0;
      for (const item of slice) {
        if (item.kind === 'block') {
          const data = bytes[b++];
          if (data) peer.sendBlock(data); else missing.push(item);
        } else {
          const tx = this.o.mempool.get(item.hash);
          if (tx) peer.sendTx(serializeTx(tx)); else missing.push(item);
        }
      }
    }
    if (missing.length > 0) peer.sendNotFound(missing);
  }

  onNotFound(peer: ProtocolPeer, items: InvItem[]): void {
    this.download.notFound(items.filter((i) => i.kind === 'block').map((i) => i.hash), peer);
    this.requestFromAnyone();
  }

  async onBlockBytes(peer: ProtocolPeer, bytes: Uint8Array): Promise<void> {
    let block: Block;
    try {
      block = parseBlock(bytes, this.o.params.maxBlockSize);
    } catch (err) {
      this.penalise(peer, err, 'malformed block');
      return;
    }
    const hash = headerHash(block.header);
    this.download.delivered(hash, peer, Date.now());
    if (!this.o.chain.tip) {
      await this.onGenesisCandidate(peer, block, hash);
      return;
    }
    await this.acceptBlock(block, peer);
    this.requestFrom(peer);
  }

  private async onGenesisCandidate(peer: ProtocolPeer, block: Block, hash: Uint8Array): Promise<void> {
    if (!bytesEqual(hash, peer.remote.genesis)) {
      // Not the block we asked for, and we have no chain to check it against yet; its proof
      // of work needs no context, so a block without any is still caught here.
      try { checkProofOfWork(hash, block.header.bits, this.o.params); } catch (err) { this.penalise(peer, err, 'invalid block'); }
      return;
    }
    try {
      await this.o.chain.initGenesis(block);
      this.o.log.info({ genesis: hashToHex(hash) }, 'adopted the genesis block');
      if (this.genesisTimer) clearTimeout(this.genesisTimer);
      this.genesisTimer = null;
      this.genesisFrom = null;
      this.askForBlocks(peer);
    } catch (err) {
      this.genesisRequested = false;
      if (this.genesisTimer) clearTimeout(this.genesisTimer);
      this.genesisTimer = null;
      this.genesisFrom = null;
      this.penalise(peer, err, 'invalid genesis block');
    }
  }

  /** Validates and connects a block from a peer (or from our own miner when `from` is null). */
  async acceptBlock(block: Block, from: ProtocolPeer | null): Promise<boolean> {
    let result;
    this.blockSource = from;
    try {
      result = await this.o.chain.processBlock(block);
    } catch (err) {
      if (from) this.penalise(from, err, 'invalid block');
      else this.o.log.error({ err }, 'our own block was rejected');
      return false;
    } finally {
      this.blockSource = null;
    }
    if (result.status === 'orphan') {
      this.addOrphan(result.hash, block, from);
      // We are missing its ancestors: ask the sender what lies between, unless the
      // parent is already on its way (blocks of one batch can arrive out of order).
      const parent = block.header.prevHash;
      if (from && !this.download.isWanted(parent) && !this.orphans.has(parent)) this.askForBlocks(from);
      return false;
    }
    if (result.status === 'connected' || result.status === 'reorg') await this.connectOrphansOf(result.hash);
    return result.status !== 'duplicate';
  }

  // Chain events drive the mempool and relay, so every way the tip moves (sync,
  // our miner, a reorg, even a branch that fails half-way) is handled alike.
  private onConnect = (block: Block): void => {
    this.o.mempool.removeForBlock(block);
    // A branch that failed part-way reconnects the blocks it disconnected: their
    // transactions are confirmed again, not on their way back to the mempool.
    if (this.disconnectedTxs.length > 0) {
      const again = new Set(block.txs.map((tx) => hashToHex(txid(tx))));
      this.disconnectedTxs = this.disconnectedTxs.filter((tx) => !again.has(hashToHex(txid(tx))));
    }
  };

  private onDisconnect = (block: Block): void => {
    for (const tx of block.txs.slice(1)) this.disconnectedTxs.push(tx);
  };

  private onTip = (entry: BlockIndexEntry): void => {
    const back = this.disconnectedTxs.splice(0);
    if (back.length > 0) {
      this.chainLog.info({ transactions: back.length }, 'reorganised: returning transactions to the mempool');
      void this.o.mempool.readdDisconnected(back).then(
        () => this.announceReturned(back),
        (err: unknown) => this.o.log.error({ err }, 'could not return transactions to the mempool'),
      );
    }
    this.tipLog.report(entry, this.download.pending === 0 && entry.height >= this.bestKnownHeight);
    this.bestKnownHeight = Math.max(this.bestKnownHeight, entry.height);
    this.scheduleAnnounce(this.blockSource);
    this.fetchDeferredTxs(entry.height);
    this.o.onTip?.();
  };

  private fetchDeferredTxs(height: number): void {
    for (const [peer, st] of this.state) {
      if (st.deferredTx.length === 0 || height < peer.remote.bestHeight) continue;
      const want = st.deferredTx.filter((h) => !this.o.mempool.has(h) && !this.recentRejects.has(hexKey(h)));
      st.deferredTx = [];
      if (want.length > 0) peer.sendGetData(want.map((hash) => ({ kind: 'tx' as const, hash })));
    }
  }

  /** Transactions back from a reorg are news to peers (and to our miner) that only saw them in a block. */
  private announceReturned(txs: Tx[]): void {
    const items = txs.map((tx) => txid(tx)).filter((id) => this.o.mempool.has(id)).map((hash) => ({ kind: 'tx' as const, hash }));
    if (items.length === 0) return;
    for (let i = 0; i < items.length; i += MAX_INV_ITEMS) {
      const chunk = items.slice(i, i + MAX_INV_ITEMS);
      for (const p of this.o.peers()) p.sendInv(chunk);
    }
    this.o.onTx?.();
  }

  private addOrphan(hash: Uint8Array, block: Block, from: ProtocolPeer | null): void {
    if (!from) return;
    this.orphans.add(block, hash);
    this.orphanSender.set(block, from);
  }

  private async connectOrphansOf(parent: Uint8Array): Promise<void> {
    for (const child of this.orphans.takeChildren(parent)) {
      await this.acceptBlock(child, this.orphanSender.get(child) ?? null);
    }
  }

  /** One inv of the new tip per burst of connected blocks, to everyone but the sender. */
  private scheduleAnnounce(except: ProtocolPeer | null): void {
    this.announceExcept = except;
    if (this.announceTimer) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = null;
      const tip = this.o.chain.tip;
      if (!tip) return;
      for (const p of this.o.peers()) {
        if (p === this.announceExcept) continue;
        p.sendInv([{ kind: 'block', hash: tip.hash }]);
      }
    }, 20);
    this.announceTimer.unref();
  }

  async onTxBytes(peer: ProtocolPeer | null, bytes: Uint8Array): Promise<{ ok: boolean; txid?: Uint8Array; error?: ValidationError }> {
    let tx: Tx;
    try {
      tx = parseTx(bytes);
    } catch (err) {
      if (peer) this.penalise(peer, err, 'malformed transaction');
      return { ok: false, error: err as ValidationError };
    }
    return this.acceptTx(tx, peer);
  }

  async acceptTx(tx: Tx, from: ProtocolPeer | null): Promise<{ ok: boolean; txid?: Uint8Array; error?: ValidationError }> {
    const id = txid(tx);
    if (this.o.mempool.has(id)) return { ok: true, txid: id };
    try {
      await this.o.mempool.accept(tx);
    } catch (err) {
      this.recentRejects.add(hexKey(id));
      if (this.recentRejects.size > 10_000) this.recentRejects.clear();
      if (from) {
        from.sendReject?.((err as ValidationError).code ?? 'invalid', (err as Error).message, id);
        this.penalise(from, err, 'invalid transaction');
      }
      return { ok: false, txid: id, error: err as ValidationError };
    }
    this.mempoolLog.debug({ txid: hashToHex(id), mempool: this.o.mempool.size }, 'accepted transaction');
    for (const p of this.o.peers()) if (p !== from) p.sendInv([{ kind: 'tx', hash: id }]);
    this.o.onTx?.();
    return { ok: true, txid: id };
  }

  /** Our own miner's block: connect it like any other, then announce to everyone. */
  async submitMinedBlock(block: Block): Promise<boolean> {
    return this.acceptBlock(block, null);
  }

  private penalise(peer: ProtocolPeer, err: unknown, what: string): void {
    if (err instanceof ValidationError) {
      if (err.banScore > 0) peer.misbehave(err.banScore, `${what}: ${err.code}`);
      this.o.log.info({ peer: peer.id, code: err.code, reason: err.message }, what);
      return;
    }
    // The node is stopping under this message: nothing was written, nothing to report.
    if (err instanceof PubchainError && (err.code === 'db-closed' || err.code === 'chain-closed')) {
      this.o.log.debug({ peer: peer.id, code: err.code }, `${what}: dropped at shutdown`);
      return;
    }
    this.o.log.error({ peer: peer.id, err }, `${what}: unexpected error`);
  }
}

