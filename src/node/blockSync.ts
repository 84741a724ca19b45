// The block download room: getblocks → inv → getdata → block. Hashes arrive in
// chain order from a peer's inv; BlockDownload keeps a window of requests in
// flight per peer; blocks that arrive before their parent wait in the orphan
// pool; a peer that stalls loses its requests. A node with no chain starts
// with genesis adoption.
import { StorageError } from '../storage/errors.js';
import { Block, parseBlock } from '../core/block.js';
import { bytesEqual, bytesKey } from '../core/bytes.js';
import { headerHash, headerHashFrom } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import { NODE_LIGHT, type InvItem } from '../p2p/messages.js';
import { BlockDownload } from './blockDownload.js';
import { GenesisAdoption } from './genesisAdoption.js';
import { doesHeaders, HeaderSync } from './headerSync.js';
import type { WindowOptions } from './headerSyncDownload.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import { OrphanPool } from './orphanPool.js';
import type { Penalise } from './penalise.js';
import type { ProtocolPeer } from './peerPort.js';

/** The most hashes one getblocks answer holds; a full answer means there is more. */
export const MAX_INV_ANSWER = 500;

export interface SyncOptions {
  params: NetworkParams;
  chain: Chain;
  log: Logger;
  genesisPin?: Uint8Array;
  stallMs: number;
  maxInFlightPerPeer: number;
  peers: () => ProtocolPeer[];
  penalise: Penalise;
  /** Headers-first sync with peers that offer it (default true); false behaves as an older node. */
  headersFirst?: boolean;
  minimumChainWork?: bigint;
  maxHeldHeadersPerPeer?: number;
  window?: Partial<WindowOptions>;
}

interface SyncState {
  /** The hash that ends the last full inv from this peer: ask for more after it. */
  continueAfter: Uint8Array | null;
  syncing: boolean;
}

export class BlockSync {
  private readonly download: BlockDownload;
  /** Headers-first sync; it also answers getheaders when we do not use it ourselves. */
  readonly headerSync: HeaderSync;
  readonly headersFirst: boolean;
  private readonly genesis: GenesisAdoption;
  private readonly state = new Map<ProtocolPeer, SyncState>();
  private readonly orphans = new OrphanPool();
  /** Who sent each orphan, so it is the one penalised if the orphan proves invalid. */
  private readonly orphanSender = new WeakMap<Block, ProtocolPeer>();
  /** Who sent each block being processed (null: our own miner), read when it becomes the tip. */
  private readonly sources = new Map<string, ProtocolPeer | null>();
  private readonly stallTimer: NodeJS.Timeout;
  bestKnownHeight = 0;

  constructor(private readonly o: SyncOptions) {
    this.download = new BlockDownload({ maxInFlightPerPeer: o.maxInFlightPerPeer, stallMs: o.stallMs });
    this.genesis = new GenesisAdoption({
      params: o.params, chain: o.chain, log: o.log, genesisPin: o.genesisPin, stallMs: o.stallMs, peers: o.peers,
      isReady: (peer) => this.state.has(peer), penalise: o.penalise, onAdopted: () => this.startAll(),
    });
    this.headersFirst = o.headersFirst !== false;
    this.headerSync = new HeaderSync({
      params: o.params, chain: o.chain, log: o.log, penalise: o.penalise, peers: o.peers, stallMs: o.stallMs,
      minimumChainWork: o.minimumChainWork, maxHeldPerPeer: o.maxHeldHeadersPerPeer, window: o.window,
      submit: (block, from, hash) => this.onBlockReceived(block, from, hash),
      usesHeaders: (peer) => this.usesHeaders(peer),
    });
    this.stallTimer = setInterval(() => this.checkStalls(), Math.min(2000, o.stallMs / 2));
    this.stallTimer.unref();
  }

  close(): void {
    this.genesis.close();
    this.headerSync.close();
    clearInterval(this.stallTimer);
  }

  /** Blocks still to download (queued or requested, or on the header path). */
  get pending(): number { return this.download.pending + this.headerSync.pending; }

  private usesHeaders(peer: ProtocolPeer): boolean { return this.headersFirst && doesHeaders(peer); }

  /** The peer that delivered this block, while it is being connected; null for our own block or one we never saw arrive. */
  sourceOf(hash: Uint8Array): ProtocolPeer | null {
    return this.sources.get(bytesKey(hash)) ?? null;
  }

  /** The handshake is done: if the peer knows more work than we do, start syncing from it. */
  onPeerReady(peer: ProtocolPeer): void {
    // A light node (BIP157 client) has no blocks or headers to give: never sync from it.
    if (((peer.remote.services ?? 0n) & NODE_LIGHT) !== 0n) return;
    this.state.set(peer, { continueAfter: null, syncing: false });
    this.headerSync.onPeerReady(peer);
    this.bestKnownHeight = Math.max(this.bestKnownHeight, peer.remote.bestHeight);
    if (!this.o.chain.tip) this.genesis.requestFrom(peer);
    else if (peer.remote.work > this.o.chain.tip.work) this.askForBlocks(peer);
  }

  /** We have a chain now (the genesis adopted): sync from every peer that knows more. */
  private startAll(): void {
    const tip = this.o.chain.tip;
    for (const p of this.state.keys()) if (tip && p.remote.work > tip.work) this.askForBlocks(p);
  }

  onPeerClose(peer: ProtocolPeer): void {
    this.genesis.onPeerClose(peer);
    this.headerSync.onPeerClose(peer);
    this.state.delete(peer);
    this.download.releasePeer(peer);
    this.requestFromAnyone();
  }

  /** Headers from a peer that does them (headers-first), hashes by getblocks from any other. */
  private askForBlocks(peer: ProtocolPeer, after?: Uint8Array): void {
    if (this.usesHeaders(peer)) { this.headerSync.requestHeaders(peer); return; }
    const st = this.state.get(peer);
    if (st) st.syncing = true;
    void this.o.chain.blockLocator().then((locator) => {
      peer.sendGetBlocks(after ? [after, ...locator] : locator);
    }).catch((err: unknown) => this.o.log.error({ err }, 'could not build a block locator'));
  }

  async onBlockInv(peer: ProtocolPeer, hashes: Uint8Array[]): Promise<void> {
    if (!this.o.chain.tip) return;
    const unknown: Uint8Array[] = [];
    for (const h of hashes) {
      if (this.headerSync.wants(h) || this.download.isWanted(h) || this.orphans.has(h) || (await this.o.chain.hasBlock(h))) continue;
      unknown.push(h);
    }
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
      this.o.log.warn({ event: EV.peerStalled, peer: peer.id }, 'peer stalled the block download; dropping it');
      this.download.releasePeer(peer);
      peer.disconnect('stalled block download');
    }
    this.requestFromAnyone();
  }

  onNotFound(peer: ProtocolPeer, items: InvItem[]): void {
    const blocks = items.filter((i) => i.kind === 'block').map((i) => i.hash);
    this.download.notFound(blocks, peer);
    this.headerSync.onNotFound(peer, blocks);
    this.requestFromAnyone();
  }

  async onBlockBytes(peer: ProtocolPeer, bytes: Uint8Array): Promise<void> {
    let block: Block;
    try {
      block = parseBlock(bytes, this.o.params.maxBlockSize);
    } catch (err) {
      this.o.penalise(peer, err, EV.malformedBlock);
      return;
    }
    // A block of the header path takes its entry's hash (the headers are compared, not hashed again).
    const hash = headerHashFrom(block.header, this.headerSync.headers.pathEntryOf(block.header));
    // The older flow's bookkeeping, only while it has blocks to fetch (not during headers-first sync).
    if (this.download.pending > 0) this.download.delivered(hash, peer, Date.now());
    if (this.o.chain.tip && this.headerSync.wants(hash)) {
      this.headerSync.onBlock(peer, block, hash, bytes.length);
      return;
    }
    if (!this.o.chain.tip) {
      await this.genesis.onCandidate(peer, block, hash);
      return;
    }
    await this.onBlockReceived(block, peer);
    this.requestFrom(peer);
  }

  /** Validates and connects a block from a peer (or from our own miner when `from` is null); `hash`: its header's, when known. */
  async onBlockReceived(block: Block, from: ProtocolPeer | null, hash?: Uint8Array): Promise<boolean> {
    // The sender travels with the block (keyed by its hash), not in a field shared by every
    // block in flight: blocks from two peers are processed at the same time.
    const key = bytesKey(hash ?? headerHash(block.header));
    const first = !this.sources.has(key);
    if (first) this.sources.set(key, from);
    let result;
    try {
      result = await this.o.chain.processBlock(block);
    } catch (err) {
      // Our own disk failing is no fault of the sender's; a full disk stops the node with one line of its own.
      if (err instanceof StorageError) { if (err.code !== 'disk-full') this.o.log.error({ err }, 'a block could not be stored'); }
      else if (from) this.o.penalise(from, err, EV.invalidBlock);
      else this.o.log.error({ err }, 'our own block was rejected');
      return false;
    } finally {
      if (first) this.sources.delete(key);
    }
    if (result.status === 'orphan') {
      this.addOrphan(result.hash, block, from);
      // We are missing its ancestors: ask the sender what lies between, unless the
      // parent is already on its way (blocks of one batch can arrive out of order).
      const parent = block.header.prevHash;
      if (from && !this.download.isWanted(parent) && !this.orphans.has(parent)) this.askForBlocks(from);
      return false;
    }
    // Any stored block can be an orphan's parent: a side-chain parent too, whose child may bring the most work.
    if (this.orphans.size > 0 && (result.status === 'connected' || result.status === 'reorg' || result.status === 'side')) await this.connectOrphansOf(result.hash);
    return result.status !== 'duplicate';
  }

  private addOrphan(hash: Uint8Array, block: Block, from: ProtocolPeer | null): void {
    if (!from) return;
    this.orphans.add(block, hash);
    this.orphanSender.set(block, from);
  }

  private async connectOrphansOf(parent: Uint8Array): Promise<void> {
    for (const child of this.orphans.takeChildren(parent)) {
      await this.onBlockReceived(child, this.orphanSender.get(child) ?? null);
    }
  }
}
