// The node's side of the conversation with its peers, in four rooms: block
// download (blockSync.ts, with genesis adoption in genesisAdoption.ts),
// serving (serving.ts), transaction relay (txRelay.ts) and the announcement of
// new tips (tipAnnounce.ts). This class builds them, tells them when peers
// come and go, and hands each message to its room (the table in network.ts).
// Every block and transaction is fully validated where it enters; whatever a
// peer sends wrong costs it ban score, never the node.
import type { Block } from '../core/block.js';
import type { NetworkParams } from '../core/params.js';
import type { Tx } from '../core/tx.js';
import type { BlockIndexEntry, Chain } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import type { InvItem } from '../p2p/messages.js';
import { BlockSync, MAX_INV_ANSWER } from './blockSync.js';
import type { WindowOptions } from './headerSyncDownload.js';
import type { Logger } from './logger.js';
import { penaliser } from './penalise.js';
import type { ProtocolPeer } from './peerPort.js';
import { FilterServer } from './filterServing.js';
import { RequestServer } from './serving.js';
import { TipAnnouncer } from './tipAnnounce.js';
import { TipLog } from './tipLog.js';
import { TxRelay, type TxResult } from './txRelay.js';

/** More inv items than this from one peer within INV_WINDOW_MS is a flood. */
const INV_FLOOD_ITEMS = 120_000;
const INV_WINDOW_MS = 10_000;

export interface ProtocolOptions {
  /** Module loggers for chain events (tips) and the mempool; `log` when absent. */
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
  /** Headers-first sync (default true); false: getblocks/inv only, as an older node. */
  headersFirst?: boolean;
  /** Headers are stored only once their chain's work beats this (and our tip's). */
  minimumChainWork?: bigint;
  maxHeldHeadersPerPeer?: number;
  /** The parallel download's window (headerSyncDownload.ts); defaults there. */
  window?: Partial<WindowOptions>;
  /** Every peer currently ready, for relay. */
  peers: () => ProtocolPeer[];
  /** Told about a connected tip and accepted transactions (the miner listens). */
  onTip?: () => void;
  onTx?: () => void;
}

interface InvWindow { start: number; items: number }

export class NodeProtocol {
  readonly sync: BlockSync;
  readonly serving: RequestServer;
  /** BIP157 filter requests (filterServing.ts). */
  readonly filters: FilterServer;
  readonly txRelay: TxRelay;
  private readonly announcer: TipAnnouncer;
  private readonly tipLog: TipLog;
  /** Ready peers, with the inv count of each one's current flood window. */
  private readonly invWindows = new Map<ProtocolPeer, InvWindow>();

  constructor(private readonly o: ProtocolOptions) {
    const penalise = penaliser(o.log);
    this.tipLog = new TipLog(o.chainLog ?? o.log);
    this.sync = new BlockSync({
      params: o.params, chain: o.chain, log: o.log, genesisPin: o.genesisPin, stallMs: o.stallMs ?? 15_000,
      maxInFlightPerPeer: o.maxInFlightPerPeer ?? 256, peers: o.peers, penalise,
      headersFirst: o.headersFirst, minimumChainWork: o.minimumChainWork, maxHeldHeadersPerPeer: o.maxHeldHeadersPerPeer, window: o.window,
    });
    this.serving = new RequestServer(o.chain, o.mempool);
    this.filters = new FilterServer(o.chain);
    this.txRelay = new TxRelay({ chain: o.chain, mempool: o.mempool, log: o.mempoolLog ?? o.log, peers: o.peers, penalise, onTx: o.onTx });
    // Catching up (blocks still to download): tips are not announced until it has.
    this.announcer = new TipAnnouncer(o.peers, () => this.sync.pending > 0);
    o.chain.on('tip', this.onTip);
  }

  close(): void {
    this.tipLog.flush();
    this.sync.close();
    this.announcer.close();
    this.o.chain.off('tip', this.onTip);
  }

  get chain(): Chain { return this.o.chain; }
  get bestKnownHeight(): number { return Math.max(this.sync.bestKnownHeight, this.sync.headerSync.bestHeaderHeight); }
  /** Whether we offer and use headers-first sync (NODE_HEADERS in our version). */
  get headersFirst(): boolean { return this.sync.headersFirst; }

  onPeerReady(peer: ProtocolPeer): void {
    this.invWindows.set(peer, { start: Date.now(), items: 0 });
    this.serving.onPeerReady(peer);
    this.txRelay.onPeerReady(peer);
    this.sync.onPeerReady(peer);
    this.txRelay.announcePending(peer);
  }

  onPeerClose(peer: ProtocolPeer): void {
    this.invWindows.delete(peer);
    this.serving.onPeerClose(peer);
    this.txRelay.onPeerClose(peer);
    this.sync.onPeerClose(peer);
  }

  /** An inv: its blocks go to the download, its transactions to relay. */
  onInv(peer: ProtocolPeer, items: InvItem[]): void {
    const w = this.invWindows.get(peer);
    if (w) {
      const now = Date.now();
      if (now - w.start > INV_WINDOW_MS) { w.start = now; w.items = 0; }
      w.items += items.length;
      if (w.items > INV_FLOOD_ITEMS) { peer.misbehave(50, 'inv flood'); return; }
    }
    const blocks = items.filter((i) => i.kind === 'block').map((i) => i.hash);
    // No honest peer announces more blocks at once than a getblocks answer holds.
    if (blocks.length > MAX_INV_ANSWER) { peer.misbehave(20, `inv of ${blocks.length} blocks`); return; }
    // A database error (the node shutting down under an inv) is logged, never an unhandled rejection.
    if (blocks.length > 0) this.sync.onBlockInv(peer, blocks).catch((err: unknown) => this.o.log.debug({ err, peer: peer.id }, 'could not handle a block inv'));
    const txs = items.filter((i) => i.kind === 'tx').map((i) => i.hash);
    this.txRelay.onTxInv(peer, txs);
  }

  /** Our own miner's block: connect it like any other, then announce to everyone. */
  submitMinedBlock(block: Block): Promise<boolean> {
    return this.sync.onBlockReceived(block, null);
  }

  /** A transaction from our own wallet (RPC), or from a peer. */
  acceptTx(tx: Tx, from: ProtocolPeer | null): Promise<TxResult> {
    return this.txRelay.acceptTx(tx, from);
  }

  // Every way the tip moves (sync, our miner, a reorg, a branch that fails half-way) is
  // logged, announced and lets deferred transactions in alike. The mempool's side of the
  // chain events is wired in node.ts.
  private onTip = (entry: BlockIndexEntry): void => {
    this.tipLog.report(entry, this.sync.pending === 0 && entry.height >= this.bestKnownHeight);
    this.sync.bestKnownHeight = Math.max(this.sync.bestKnownHeight, entry.height);
    this.announcer.schedule(entry.hash, this.sync.sourceOf(entry.hash));
    this.txRelay.fetchDeferred(entry.height);
    this.o.onTip?.();
  };
}
