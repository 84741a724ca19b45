// Headers-first sync, the node's side: getheaders/headers with each peer that
// says it does headers (NODE_HEADERS in its version), the best header chain
// (headerSyncChain.ts), and the parallel block download over it
// (headerSyncDownload.ts). Blocks go to the chain in path order, so they
// connect in order (headerSyncIntake.ts); BlockSync (blockSync.ts) hands us
// the blocks we asked for and keeps getblocks/inv for older peers and for new tips.
import type { Block } from '../core/block.js';
import { bytesEqual, hashToHex } from '../core/bytes.js';
import { headerHash, type BlockHeader } from '../core/header.js';
import type { NetworkParams } from '../core/params.js';
import type { Chain } from '../chain/chain.js';
import { isFailed } from '../chain/blockIndex.js';
import { MAX_HEADERS, NODE_HEADERS } from '../p2p/messages.js';
import { DEFAULT_HEADER_PEERS, HeaderPeers } from './headerPeers.js';
import { HeaderChain, headersAnswered, type HeaderEntry } from './headerSyncChain.js';
import { DEFAULT_WINDOW, DownloadWindow, type WindowOptions } from './headerSyncDownload.js';
import { BlockIntake } from './headerSyncIntake.js';
import { EV } from './logEvents.js';
import type { Logger } from './logger.js';
import type { Penalise } from './penalise.js';
import type { ProtocolPeer } from './peerPort.js';

export interface HeaderSyncOptions {
  params: NetworkParams;
  chain: Chain;
  log: Logger;
  penalise: Penalise;
  peers: () => ProtocolPeer[];
  /** A peer that delivers nothing for this long while it holds requests is dropped. */
  stallMs: number;
  minimumChainWork?: bigint;
  maxHeldPerPeer?: number;
  window?: Partial<WindowOptions>;
  /** Validates and connects a block (BlockSync.onBlockReceived; `hash` is its header's): false when it was not taken. */
  submit: (block: Block, from: ProtocolPeer, hash: Uint8Array) => Promise<boolean>;
  /** Whether we sync headers with this peer (default: it does headers). */
  usesHeaders?: (peer: ProtocolPeer) => boolean;
}

interface PeerState {
  /** The last header this peer sent us: it has every block up to there. */
  best: HeaderEntry | null;
  unconnected: number;
  /** Since when its requests stall (reassigned, nothing delivered since); null while it delivers. */
  stalledSince: number | null;
  /** Its headers messages not yet taken, in order. */
  headers: Promise<void>;
  /** The last header of the last full message, whose successors we asked for before taking it. */
  lastAsked: Uint8Array | null;
}

/** Headers checked and stored at a time, out of a message of up to 2,000. */
const TAKE_SLICE = 250;
/** Header-only entries are written this long after they are stored: those whose blocks connect first never are. */
export const HEADER_WRITE_DELAY_MS = 5000;

export const doesHeaders = (peer: ProtocolPeer): boolean => ((peer.remote.services ?? 0n) & NODE_HEADERS) !== 0n;

export class HeaderSync {
  readonly headers: HeaderChain;
  private readonly window: DownloadWindow;
  /** Arrived blocks, handed to the chain in path order (headerSyncIntake.ts). */
  private readonly intake: BlockIntake;
  /** Which peer sends the header chain, and probes of how far the others reach (headerPeers.ts). */
  private readonly routes: HeaderPeers;
  private readonly state = new Map<ProtocolPeer, PeerState>();
  private readonly timer: NodeJS.Timeout;
  /** The stored headers, loaded once; headers that arrive meanwhile wait for it. */
  private readonly opened: Promise<void>;

  constructor(private readonly o: HeaderSyncOptions) {
    const chain = o.chain;
    this.headers = new HeaderChain({
      params: o.params, minimumChainWork: o.minimumChainWork, maxHeldPerPeer: o.maxHeldPerPeer, store: chain.headerStore, writeDelayMs: HEADER_WRITE_DELAY_MS,
      base: {
        has: (h) => chain.isIndexed(h),
        get: async (h) => { const e = await chain.getIndex(h); return e ? { ...e, failed: isFailed(e) } : null; },
        tipWork: () => chain.tip?.work ?? 0n,
      },
    });
    this.window = new DownloadWindow({ ...DEFAULT_WINDOW, ...o.window });
    this.intake = new BlockIntake({ headers: this.headers, window: this.window, chain, log: o.log, submit: o.submit, fill: () => this.fill() });
    const uses = o.usesHeaders ?? doesHeaders;
    const headers = this.headers;
    this.routes = new HeaderPeers({
      get bestHeader() { return headers.bestHeader; },
      get pathLength() { return headers.pathLength; },
      pathAt: (i) => headers.pathAt(i),
      blockLocator: () => chain.blockLocator(),
      reachOf: (p) => this.state.get(p)?.best ?? null,
      reachWanted: () => { const n = this.windowLength(); return n > 0 ? headers.pathAt(n - 1)!.height : 0; },
      peers: () => [...this.state.keys()].filter(uses),
      onError: (err) => o.log.error({ err }, 'could not build a block locator'),
    }, { ...DEFAULT_HEADER_PEERS, stallMs: 2.5 * this.window.o.blockStallMs });
    this.timer = setInterval(() => this.checkStalls(), Math.max(50, Math.min(500, this.window.o.blockStallMs / 2)));
    this.timer.unref();
    this.opened = this.headers.open().then(() => this.fill(), (err: unknown) => o.log.warn({ err }, 'could not load the stored headers'));
  }

  /** Stops the timers; the header entries held back are written (before the chain closes its store). */
  close(): void {
    clearInterval(this.timer);
    this.headers.flush().catch((err: unknown) => this.o.log.warn({ err }, 'could not write the stored headers'));
  }

  /** The height of the best header we know (our tip's when no header is ahead of it). */
  get bestHeaderHeight(): number {
    return Math.max(this.o.chain.tip?.height ?? 0, this.headers.bestHeader?.height ?? 0);
  }

  /** Blocks of the header path still to fetch or connect. */
  get pending(): number { return this.headers.pathLength; }

  onPeerReady(peer: ProtocolPeer): void {
    this.state.set(peer, { best: null, unconnected: 0, stalledSince: null, headers: Promise.resolve(), lastAsked: null });
  }

  onPeerClose(peer: ProtocolPeer): void {
    this.state.delete(peer);
    this.routes.forget(peer);
    this.headers.forgetPeer(peer.id);
    this.window.releasePeer(peer);
    this.fill();
  }

  /**
   * Asks for the headers after our best header (or after `after`, continuing a full answer):
   * all of them from one peer at a time, a probe of how far its chain reaches from the others.
   */
  requestHeaders(peer: ProtocolPeer, after?: Uint8Array): void {
    this.routes.request(peer, after);
  }

  /** A peer's getheaders: main-chain headers after the fork point of its locator, at most 2,000. */
  async onGetHeaders(peer: ProtocolPeer, locator: Uint8Array[], stop: Uint8Array | null): Promise<void> {
    if (!this.o.chain.tip) return;
    const hashes: Uint8Array[] = [];
    let from = locator;
    while (hashes.length < MAX_HEADERS) {
      const more = await this.o.chain.hashesAfterLocator(from, MAX_HEADERS - hashes.length, stop ?? undefined);
      hashes.push(...more);
      const last = more[more.length - 1];
      if (!last || (stop && bytesEqual(last, stop))) break;
      from = [last];
    }
    // One batched read, not one awaited read per header: 2,000 round trips to the database cost the asking peer ~0.2 s.
    const entries = await this.o.chain.getIndexMany(hashes.slice(0, MAX_HEADERS));
    const missing = entries.findIndex((e) => !e);
    const headers: BlockHeader[] = (missing < 0 ? entries : entries.slice(0, missing)).map((e) => e!.header);
    if (!peer.closed) peer.sendHeaders(headers);
  }

  /**
   * A peer's headers, taken one message at a time in arrival order (each builds on the one
   * before). A full message asks for the next at once, so the peer looks them up while
   * these are checked.
   */
  onHeaders(peer: ProtocolPeer, headers: BlockHeader[]): Promise<void> {
    const st = this.state.get(peer);
    if (!st) return Promise.resolve();
    this.routes.heard(peer, headers.length);
    if (!this.o.chain.tip || headers.length === 0) return Promise.resolve();
    // Only for a message that builds on what we know or on the one before it: one that
    // does not connect gets a fresh locator instead (takeHeaders).
    const prev = headers[0]!.prevHash;
    if (headers.length === MAX_HEADERS && ((st.lastAsked && bytesEqual(prev, st.lastAsked)) || this.headers.has(prev) || this.o.chain.isIndexed(prev))) {
      st.lastAsked = headerHash(headers[headers.length - 1]!);
      this.requestHeaders(peer, st.lastAsked);
    }
    const run = st.headers.then(() => this.takeHeaders(peer, st, headers)).finally(() => this.routes.done(peer, headers.length === MAX_HEADERS));
    st.headers = run.catch(() => undefined);
    return run;
  }

  private async takeHeaders(peer: ProtocolPeer, st: PeerState, headers: BlockHeader[]): Promise<void> {
    if (this.state.get(peer) !== st) return;
    await this.opened;
    // In slices, each stored before the next is checked, with a turn of the event loop between
    // (storing does not wait for the disk): the getdata for the first slice's blocks leaves, and
    // arriving blocks are taken, while the rest of the message is checked.
    for (let at = 0; at < headers.length; at += TAKE_SLICE) {
      if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let r;
      try {
        r = await this.headers.accept(peer.id, headers.slice(at, at + TAKE_SLICE));
      } catch (err) {
        this.o.penalise(peer, err, EV.invalidHeaders);
        return;
      }
      if (!headersAnswered(r, peer, st, () => this.requestHeaders(peer))) return;
      if (!st.best || r.last.work > st.best.work) st.best = r.last;
      this.fill();
      this.routes.taken(peer);
    }
  }

  /** Whether a block is ours to deal with (onBlock), not the older flow's: asked for, or its header is one we hold. */
  wants(hash: Uint8Array): boolean {
    return this.window.isRequested(hash) || this.headers.has(hash);
  }

  /** A block of ours arrived: one we asked for, or the chain's next, waits in the window (headerSyncIntake.ts); any other is ignored. */
  onBlock(peer: ProtocolPeer, block: Block, hash: Uint8Array, size: number): void {
    if (!this.intake.accepts(hash)) {
      this.o.log.debug({ peer: peer.id, hash: hashToHex(hash) }, 'ignored a block we did not ask for');
      return;
    }
    const st = this.state.get(peer);
    if (st) st.stalledSince = null;
    this.intake.deliver(peer, block, hash, size);
    this.fill();
  }

  /** How many entries of the header path the download window spans. */
  private windowLength(): number {
    return Math.min(this.headers.pathLength, this.window.o.windowBlocks);
  }

  /** The peer lacks blocks its headers said it had (it moved to another branch): relearn how far it reaches. */
  onNotFound(peer: ProtocolPeer, hashes: Uint8Array[]): void {
    const st = this.state.get(peer);
    if (!st || !hashes.some((h) => this.window.isRequested(h))) return;
    this.window.releasePeer(peer, hashes);
    st.best = null;
    this.requestHeaders(peer);
    this.fill();
  }

  /** Requests what each peer can give now. */
  fill(): void {
    const h = this.headers;
    const tip = this.o.chain.tip;
    const best = h.bestHeader;
    if (!tip || !best || h.pathLength === 0 || best.work <= tip.work) return;
    // Called for every block that arrives or connects: most calls find the window has not slid by a batch.
    const from = this.intake.firstUnsubmitted();
    if (this.window.waiting(h.pathLength, from)) return;
    const base = h.pathAt(0)!.height;
    const reach = new Map<ProtocolPeer, number>();
    const slow = new Map<ProtocolPeer, number>();
    for (const [peer, st] of this.state) {
      if (!st.best) continue;
      const i = st.best.height - base;
      (st.stalledSince === null ? reach : slow).set(peer, i >= 0 && i < h.pathLength && bytesEqual(h.pathAt(i)!.hash, st.best.hash) ? i : -1);
    }
    // A peer whose requests stall is asked again only when no other peer has anything to give.
    const ask = [...reach.values()].some((i) => i >= 0) ? reach : slow;
    for (const [peer, entries] of this.window.plan(h, from, ask, (x) => this.o.chain.isIndexed(x), Date.now())) {
      peer.sendGetData(entries.map((e) => ({ kind: 'block' as const, hash: e.hash })));
    }
  }

  private checkStalls(): void {
    const now = Date.now();
    this.routes.checkStall(now);
    // Blocks the path left behind (it moved to another branch) would hold the window's bytes for good.
    if (this.window.dropOffPath(this.headers, this.windowLength()) > 0) this.fill();
    const slow = this.window.reassignStalled(now);
    if (slow.length > 0) this.o.log.debug({ peers: slow.map((p) => p.id) }, 'block requests stalled; asking other peers');
    for (const p of slow) { const st = this.state.get(p); if (st && st.stalledSince === null) st.stalledSince = now; }
    for (const [peer, st] of this.state) {
      if (st.stalledSince !== null && now - st.stalledSince > this.o.stallMs) {
        this.o.log.warn({ event: EV.peerStalled, peer: peer.id }, 'peer stalled the block download; dropping it');
        this.window.releasePeer(peer);
        peer.disconnect('stalled block download');
      }
    }
    if (slow.length > 0) this.fill();
  }
}
